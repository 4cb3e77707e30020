"""Golden tests: SQL in, JSON lines out.

For each tests/golden/NAME.sql: a fresh MariaDB runs the SQL through the
mariadb client, then

    rowcast stream --source mysql://root@127.0.0.1:PORT --start beginning --stop-at-end

must print, line by line, the objects in NAME.jsonl (compared as parsed JSON,
numbers by their exact text) once volatile fields are normalised:

  timestamp  must look like "YYYY-MM-DD HH:MM:SS", then becomes "<timestamp>"
  server_id  must be an integer, then becomes "<server_id>"
  xid        must be an integer (or null), then becomes "<xid N>", N counting
             distinct xids from 1 in order, so rows of one transaction still
             share one
  position   kept ("mysql-bin.000002:1234": a fresh server writes the same
             bytes every run); with "-- golden: positions=pattern" in the .sql
             it must look like "FILE.NNNNNN:OFFSET" and becomes "<position>"
  gtid       kept (a fresh server with server_id 1 numbers them the same)

Header lines of a .sql may say:
  -- golden: server=OPTION[,OPTION...]   extra mariadbd options, e.g.
                                         log_bin_compress=ON
  -- golden: positions=pattern           positions are not compared

To (re)write the expected files from what rowcast prints now:

    python3 tests/golden/test_golden.py --update [NAME...]

and then review every changed line (git diff) against the server's SELECT
and SPEC §2 before committing: an expected file is a claim that its output is
right. `python3 tests/golden/test_golden.py --show NAME` prints the output
without writing anything.
"""

import glob
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import harness
from harness.mariadb import MariaDB
from harness.rowcast import dumps, loads, run_rowcast

HERE = os.path.dirname(os.path.abspath(__file__))
TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
POSITION_RE = re.compile(r"^.+\.\d{6,}:\d+$")
DIRECTIVE_RE = re.compile(r"^--\s*golden:\s*(\w+)\s*=\s*(.*?)\s*$")


def cases():
    return sorted(os.path.splitext(os.path.basename(p))[0]
                  for p in glob.glob(os.path.join(HERE, "*.sql")))


def directives(sql):
    """{'server': [...options], 'positions': 'keep'|'pattern'} from the header."""
    found = {"server": [], "positions": "keep"}
    for line in sql.split("\n"):
        m = DIRECTIVE_RE.match(line)
        if m and m.group(1) == "server":
            found["server"] += [o.strip() for o in m.group(2).split(",") if o.strip()]
        elif m and m.group(1) == "positions":
            found["positions"] = m.group(2)
    return found


def load_case(name):
    """(SQL text, directives) of NAME.sql."""
    with open(os.path.join(HERE, name + ".sql"), encoding="utf-8") as f:
        sql = f.read()
    return sql, directives(sql)


def stream_sql(db, sql):
    """Runs SQL on the fresh server DB, then rowcast from the beginning to the
    end; returns its events. test_values.py uses it too."""
    db.sql(sql)
    r = run_rowcast("stream", "--source", db.url(), "--start", "beginning", "--stop-at-end",
                    timeout=60)
    assert not r.timed_out, f"rowcast did not stop at the end:\n{r}"
    assert r.returncode == 0, f"rowcast failed:\n{r}"
    return r.events()


def stream_case(name):
    """NAME.sql on a fresh server: (events, directives)."""
    sql, how = load_case(name)
    with MariaDB(options=how["server"]) as db:
        return stream_sql(db, sql), how


def normalise(events, how):
    """The events with volatile fields checked and replaced (see module doc)."""
    xids = {}
    out = []
    for n, event in enumerate(events, 1):
        where = f"event {n} ({event.get('position')})"
        event = dict(event)
        if "timestamp" in event:
            ts = event["timestamp"]
            assert isinstance(ts, str) and TIMESTAMP_RE.match(ts), \
                f"{where}: timestamp {ts!r} is not 'YYYY-MM-DD HH:MM:SS'"
            event["timestamp"] = "<timestamp>"
        if "server_id" in event:
            assert isinstance(event["server_id"], int), \
                f"{where}: server_id {event['server_id']!r} is not an integer"
            event["server_id"] = "<server_id>"
        if event.get("xid") is not None:
            xid = event["xid"]
            assert isinstance(xid, int), f"{where}: xid {xid!r} is not an integer"
            event["xid"] = "<xid %d>" % xids.setdefault(xid, len(xids) + 1)
        if how["positions"] == "pattern" and "position" in event:
            pos = event["position"]
            assert isinstance(pos, str) and POSITION_RE.match(pos), \
                f"{where}: position {pos!r} is not FILE:OFFSET"
            event["position"] = "<position>"
        out.append(event)
    return out


def read_expected(name):
    path = os.path.join(HERE, name + ".jsonl")
    if not os.path.exists(path):
        raise AssertionError(f"{path} is missing: write it with "
                             f"`python3 tests/golden/test_golden.py --update {name}` and review it")
    with open(path, encoding="utf-8") as f:
        return [loads(line) for line in f if line.strip()]


def describe_difference(expected, actual):
    if not isinstance(expected, dict) or not isinstance(actual, dict):
        return f"  expected: {dumps(expected)}\n  actual:   {dumps(actual)}"
    lines = []
    for key in list(expected) + [k for k in actual if k not in expected]:
        e, a = expected.get(key, "<absent>"), actual.get(key, "<absent>")
        if isinstance(e, dict) and isinstance(a, dict) and e != a:
            for col in list(e) + [c for c in a if c not in e]:
                ev, av = e.get(col, "<absent>"), a.get(col, "<absent>")
                if ev != av:
                    lines.append(f"  {key}.{col}: expected {dumps(ev)}, got {dumps(av)}")
        elif e != a:
            lines.append(f"  {key}: expected {dumps(e)}, got {dumps(a)}")
    return "\n".join(lines)


def check_case(name):
    events, how = stream_case(name)
    actual = normalise(events, how)
    expected = read_expected(name)
    problems = []
    for n, (e, a) in enumerate(zip(expected, actual), 1):
        if e != a:
            problems.append(f"line {n}:\n{describe_difference(e, a)}")
    if len(actual) != len(expected):
        problems.append(f"{len(actual)} lines, expected {len(expected)}")
        for extra in actual[len(expected):][:5]:
            problems.append(f"  extra: {dumps(extra)[:300]}")
        for missing in expected[len(actual):][:5]:
            problems.append(f"  missing: {dumps(missing)[:300]}")
    if problems:
        shown = "\n".join(problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise AssertionError(f"{name}: output differs from {name}.jsonl\n{shown}{more}")


def _make_test(name):
    @harness.timeout(90)
    def test():
        check_case(name)
    test.__name__ = "test_" + name
    return test


for _name in cases():
    globals()["test_" + _name] = _make_test(_name)


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="Golden tests: update or show expected output.")
    ap.add_argument("--update", action="store_true", help="rewrite NAME.jsonl from rowcast's output")
    ap.add_argument("--show", action="store_true", help="print the normalised output")
    ap.add_argument("names", nargs="*", help="cases (default: all)")
    args = ap.parse_args(argv)
    names = args.names or cases()
    failed = 0
    for name in names:
        if args.update or args.show:
            events, how = stream_case(name)
            text = "".join(dumps(e) + "\n" for e in normalise(events, how))
            if args.show:
                sys.stdout.write(text)
            else:
                with open(os.path.join(HERE, name + ".jsonl"), "w", encoding="utf-8") as f:
                    f.write(text)
                print(f"wrote {name}.jsonl ({text.count(chr(10))} lines): review it")
        else:
            try:
                check_case(name)
                print(f"ok   {name}")
            except AssertionError as e:
                failed += 1
                print(f"FAIL {name}: {e}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
