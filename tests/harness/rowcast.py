"""Running build/rowcast from tests, and reading its JSON exactly.

    r = run_rowcast("stream", "--source", db.url(), "--start", "beginning",
                    "--stop-at-end")
    assert r.returncode == 0, r
    for event in r.events(): ...

ROWCAST_BIN overrides the binary (e.g. build-san/rowcast). Numbers in rowcast's
output are read exactly: integers as int, others as Number, which keeps the
text ("1.50" stays "1.50"), because SPEC §2 makes the digits part of the value.
"""

import json
import os
import re
import subprocess

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# CI clones the repo with shared/ beside it; so does the developers' layout.
SHARED = os.path.normpath(os.path.join(REPO, "..", "shared"))
FIXTURES = os.path.join(SHARED, "fixtures", "binlogs")


def rowcast_binary():
    path = os.environ.get("ROWCAST_BIN") or os.path.join(REPO, "build", "rowcast")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{path} is missing: run `make` first")
    return path


class Number:
    """A JSON number that is not an integer, kept as its text. Equal only to
    a Number with the same text: 1.5 and 1.50 differ, as DECIMAL(3,2) demands."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __eq__(self, other):
        return isinstance(other, Number) and other.text == self.text

    def __hash__(self):
        return hash(self.text)

    def __float__(self):
        return float(self.text)

    def __repr__(self):
        return self.text


def loads(text):
    """json.loads with exact numbers (int, or Number for the rest)."""
    return json.loads(text, parse_float=Number)


def dumps(value):
    """One-line JSON that writes Number back as its text; key order is kept and
    non-ASCII stays UTF-8, so expected files read well in a review."""
    if isinstance(value, Number):
        return value.text
    if isinstance(value, dict):
        return "{" + ", ".join(json.dumps(k, ensure_ascii=False) + ": " + dumps(v)
                               for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dumps(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


class Result:
    """What one run of rowcast did."""

    def __init__(self, args, returncode, stdout, stderr, timed_out=False):
        self.args = args
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out

    def lines(self):
        return [line for line in self.stdout.split("\n") if line]

    def events(self):
        """stdout as a list of JSON objects, one per line."""
        out = []
        for n, line in enumerate(self.lines(), 1):
            try:
                out.append(loads(line))
            except ValueError as e:
                raise AssertionError(f"stdout line {n} is not JSON ({e}): {line[:300]}")
        return out

    def error_line(self):
        """The one line an error leaves on stderr (asserts there is one)."""
        lines = [line for line in self.stderr.split("\n") if line.strip()]
        assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{self}"
        return lines[0]

    def __str__(self):
        status = "timed out" if self.timed_out else f"exit status {self.returncode}"
        out = self.stdout if len(self.stdout) < 3000 else "..." + self.stdout[-3000:]
        err = self.stderr if len(self.stderr) < 3000 else "..." + self.stderr[-3000:]
        return (f"$ {' '.join(self.args)}\n{status}\n--- stderr:\n{err.rstrip()}\n"
                f"--- stdout:\n{out.rstrip()}")


def run_rowcast(*args, timeout=60, env=None):
    """Runs rowcast with ARGS to completion (or TIMEOUT seconds, then kills it)."""
    cmd = [rowcast_binary()] + [str(a) for a in args]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        timed_out = True
    return Result(cmd, proc.returncode, out.decode("utf-8", "replace"),
                  err.decode("utf-8", "replace"), timed_out)


def start_rowcast(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE):
    """Starts rowcast in the background (a live stream); returns the Popen."""
    cmd = [rowcast_binary()] + [str(a) for a in args]
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr)


POSITION_RE = re.compile(r"^(.+)\.(\d+):(\d+)$")


def position_key(position):
    """'mysql-bin.000003:4711' -> (3, 4711), for ordering positions."""
    m = POSITION_RE.match(position or "")
    if not m:
        raise AssertionError(f"not a FILE:OFFSET position: {position!r}")
    return int(m.group(2)), int(m.group(3))
