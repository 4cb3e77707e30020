#!/usr/bin/env python3
"""The one test runner: `make check` calls it after `make all unit unit-san`.

It runs, in order:
  1. every unit-test binary build/tests/test_* and build-san/tests/test_*
     (their last line is "N passed, N failed"; the counts are added up);
  2. a fuzz smoke run of every build-fuzz/fuzz_* binary, if any were built;
  3. every function test_* in tests/integration/test_*.py and
     tests/golden/test_*.py, each in its own process (so a hung test can be
     killed with the servers it started), several at a time.
It prints "ok NAME" or "FAIL NAME" per test and ends with one line
"N passed, N failed" (", N skipped" when a test raised harness.Skip); the exit
status is 1 if anything failed or nothing ran.

    python3 tests/run.py                 # everything
    python3 tests/run.py -k resume       # tests whose name contains/matches 'resume'
    python3 tests/run.py --list          # names only
    python3 tests/run.py -j 1 -v         # one at a time, show output of passing tests too

Standard library only; works with Debian's /usr/bin/python3.
"""

import argparse
import concurrent.futures
import glob
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.dont_write_bytecode = True  # keep __pycache__ out of the work tree

TESTS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TESTS)
SKIP_STATUS = 77          # a child's exit status for a skipped test
DEFAULT_TIMEOUT = 120     # seconds per Python test; harness.timeout() changes it
UNIT_TIMEOUT = 300        # seconds per unit binary (sanitizer builds are slow)
FUZZ_SECONDS = 20         # libFuzzer time per fuzz target in the smoke run
SUMMARY_RE = re.compile(r"^(\d+) passed, (\d+) failed")

PYTHON_TEST_GLOBS = ["integration/test_*.py", "golden/test_*.py"]


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []
        self.lock = threading.Lock()

    def add(self, passed=0, failed=0, skipped=0, failure=None):
        with self.lock:
            self.passed += passed
            self.failed += failed
            self.skipped += skipped
            if failure:
                self.failures.append(failure)


def say(text):
    print(text, flush=True)


def indent(text, lines=80):
    rows = text.rstrip("\n").split("\n")
    if len(rows) > lines:
        rows = [f"... ({len(rows) - lines} lines before)"] + rows[-lines:]
    return "\n".join("    " + r for r in rows)


def selected(name, pattern):
    return pattern is None or pattern in name or re.search(pattern, name) is not None


# -- unit-test binaries -------------------------------------------------------

def unit_binaries():
    found = []
    for d in ("build/tests", "build-san/tests"):
        for path in sorted(glob.glob(os.path.join(REPO, d, "test_*"))):
            if "." not in os.path.basename(path) and os.access(path, os.X_OK):
                found.append(os.path.relpath(path, REPO))
    return found


def run_unit(rel, tally, verbose):
    try:
        done = subprocess.run([os.path.join(REPO, rel)], cwd=REPO, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=UNIT_TIMEOUT)
        out, status = done.stdout.decode("utf-8", "replace"), done.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        say(f"FAIL {rel}: timed out after {UNIT_TIMEOUT}s\n{indent(out)}")
        tally.add(failed=1, failure=rel)
        return
    lines = [l for l in out.split("\n") if l.strip()]
    m = SUMMARY_RE.match(lines[-1]) if lines else None
    if not m:
        say(f"FAIL {rel}: exit status {status}, no 'N passed, N failed' line\n{indent(out)}")
        tally.add(failed=1, failure=rel)
        return
    passed, failed = int(m.group(1)), int(m.group(2))
    if status != 0 and failed == 0:
        # e.g. a sanitizer report after the last test
        failed = 1
    tally.add(passed=passed, failed=failed, failure=rel if failed else None)
    if failed:
        say(f"FAIL {rel}: {passed} passed, {failed} failed (exit status {status})\n{indent(out)}")
    else:
        say(f"ok   {rel}: {passed} passed")
        if verbose:
            say(indent(out))


# -- fuzz smoke ----------------------------------------------------------------

def fuzz_binaries():
    return [os.path.relpath(p, REPO)
            for p in sorted(glob.glob(os.path.join(REPO, "build-fuzz", "fuzz_*")))
            if "." not in os.path.basename(p) and os.access(p, os.X_OK)]


def run_fuzz(rel, tally, scratch):
    """A short libFuzzer run: new inputs go to a scratch corpus; the checked-in
    seeds (tests/fuzz/corpus/NAME if there is one, else tests/fuzz/corpus)
    are only read."""
    name = os.path.basename(rel)[len("fuzz_"):]
    work = tempfile.mkdtemp(prefix=f"fuzz-{name}-", dir=scratch)
    # A crashing input is kept in build-fuzz/artifacts/ (the scratch dir goes).
    artifacts = os.path.join(REPO, "build-fuzz", "artifacts")
    os.makedirs(artifacts, exist_ok=True)
    args = [os.path.join(REPO, rel), f"-max_total_time={FUZZ_SECONDS}", "-timeout=10",
            "-rss_limit_mb=2048", f"-artifact_prefix={artifacts}/", work]
    for seeds in (os.path.join(TESTS, "fuzz", "corpus", name),
                  os.path.join(TESTS, "fuzz", "corpus")):
        if os.path.isdir(seeds):
            args.append(seeds)
            break
    # The binlog fixtures of ../shared are seeds too (read, never copied here).
    fixtures = os.path.join(REPO, "..", "shared", "fixtures", "binlogs")
    if name == "decode" and os.path.isdir(fixtures):
        args.append(fixtures)
    # Inputs that once crashed (tests/fuzz/regressions/) run first, once each.
    regressions = sorted(p for p in glob.glob(os.path.join(TESTS, "fuzz", "regressions", "*"))
                         if os.path.isfile(p))
    runs = ([[args[0]] + regressions] if regressions else []) + [args]
    out, status = "", 0
    for run in runs:
        try:
            done = subprocess.run(run, cwd=work, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=FUZZ_SECONDS + 120)
            out, status = done.stdout.decode("utf-8", "replace"), done.returncode
        except subprocess.TimeoutExpired:
            out, status = "timed out", -1
        if status != 0:
            break
    if status == 0:
        say(f"ok   {rel} ({FUZZ_SECONDS}s)")
        tally.add(passed=1)
    else:
        say(f"FAIL {rel}: exit status {status}\n{indent(out, 40)}")
        tally.add(failed=1, failure=rel)


# -- Python tests --------------------------------------------------------------

def load_module(path):
    if TESTS not in sys.path:
        sys.path.insert(0, TESTS)
    rel = os.path.relpath(path, TESTS)
    spec = importlib.util.spec_from_file_location(rel[:-3].replace(os.sep, "."), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def python_tests(tally):
    """[(name, path, function name, timeout)] in file and definition order."""
    tests = []
    for pattern in PYTHON_TEST_GLOBS:
        for path in sorted(glob.glob(os.path.join(TESTS, pattern))):
            rel = os.path.relpath(path, TESTS)
            try:
                module = load_module(path)
            except Exception:
                say(f"FAIL {rel}: cannot import\n{indent(traceback.format_exc())}")
                tally.add(failed=1, failure=rel)
                continue
            for attr, fn in vars(module).items():
                if attr.startswith("test_") and callable(fn):
                    tests.append((f"{rel}::{attr}", path, attr,
                                  getattr(fn, "timeout", DEFAULT_TIMEOUT)))
    return tests


def run_python_test(test, tally, scratch, verbose):
    name, path, attr, limit = test
    # Every rowcast the tests start checks each row it writes straight from
    # binlog bytes against the decoder's path (rc_rowjson, docs/testing.md).
    env = dict(os.environ, ROWCAST_TEST_TMP=scratch, PYTHONDONTWRITEBYTECODE="1",
               PYTHONUNBUFFERED="1",
               ROWCAST_ROWS_CROSSCHECK=os.environ.get("ROWCAST_ROWS_CROSSCHECK", "1"))
    started = time.monotonic()
    # A session of its own: on a time-out the whole group goes, with the
    # servers and rowcast processes the test started.
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child", path, attr],
                            cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=limit)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        timed_out = True
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # anything the test left behind
    except ProcessLookupError:
        pass
    out = out.decode("utf-8", "replace")
    took = f"{time.monotonic() - started:.1f}s"
    if timed_out:
        say(f"FAIL {name}: timed out after {limit}s\n{indent(out)}")
        tally.add(failed=1, failure=name)
    elif proc.returncode == 0:
        say(f"ok   {name} ({took})")
        if verbose and out.strip():
            say(indent(out))
        tally.add(passed=1)
    elif proc.returncode == SKIP_STATUS:
        reason = out.strip().split("\n")[-1] if out.strip() else ""
        say(f"skip {name}: {reason}")
        tally.add(skipped=1)
    else:
        lines = [l for l in out.split("\n") if l.strip()]
        reason = lines[-1] if lines else f"exit status {proc.returncode}"
        say(f"FAIL {name} ({took}): {reason[:200]}\n{indent(out)}")
        tally.add(failed=1, failure=name)


def child(path, attr):
    """Runs one test function in this process (the parent's --child call)."""
    sys.path.insert(0, TESTS)
    import harness
    try:
        getattr(load_module(path), attr)()
    except harness.Skip as e:
        print(f"skipped: {e}", flush=True)
        return SKIP_STATUS
    except BaseException as e:
        traceback.print_exc()
        # The last line is the reason the parent shows after FAIL.
        first = (str(e).strip().split("\n") or [""])[0]
        print(f"{type(e).__name__}: {first}" if first else type(e).__name__, flush=True)
        return 1
    return 0


# -- main ------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description="Run rowcast's tests.")
    ap.add_argument("-k", dest="pattern", help="only tests whose name contains (or matches "
                    "as a regular expression) PATTERN; names are like "
                    "build/tests/test_json or integration/test_errors.py::test_bad_magic")
    ap.add_argument("-j", dest="jobs", type=int, default=min(4, os.cpu_count() or 2),
                    help="Python tests run at once (default: CPUs, at most 4)")
    ap.add_argument("-v", dest="verbose", action="store_true", help="show output of passing tests")
    ap.add_argument("--list", action="store_true", help="list the tests and exit")
    ap.add_argument("--child", nargs=2, metavar=("FILE", "FUNCTION"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(*args.child)

    started = time.monotonic()
    tally = Tally()
    units = [u for u in unit_binaries() if selected(u, args.pattern)]
    fuzzers = [f for f in fuzz_binaries() if selected(f, args.pattern)]
    tests = [t for t in python_tests(tally) if selected(t[0], args.pattern)]
    if args.list:
        for name in units + fuzzers + [t[0] for t in tests]:
            print(name)
        return 0

    scratch = tempfile.mkdtemp(prefix="rowcast-check-")
    try:
        for rel in units:
            run_unit(rel, tally, args.verbose)
        for rel in fuzzers:
            run_fuzz(rel, tally, scratch)
        # Longest allowed first, so a slow test does not start last.
        ordered = sorted(tests, key=lambda t: -t[3])
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            for f in [pool.submit(run_python_test, t, tally, scratch, args.verbose)
                      for t in ordered]:
                f.result()
    finally:
        if os.environ.get("ROWCAST_KEEP_SERVERS"):
            say(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)

    total = tally.passed + tally.failed + tally.skipped
    if total == 0:
        say("no test ran" + (f" (nothing matches {args.pattern!r})" if args.pattern else ""))
    if tally.failures:
        say("failed: " + " ".join(tally.failures))
    say(f"time: {time.monotonic() - started:.0f}s")
    summary = f"{tally.passed} passed, {tally.failed} failed"
    if tally.skipped:
        summary += f", {tally.skipped} skipped"
    say(summary)
    return 1 if tally.failed or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
