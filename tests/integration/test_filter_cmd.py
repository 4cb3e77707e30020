"""`rowcast filter`: Lua filter scripts over JSON events on stdin, as the
receive and apply points of `rowcast apply` see them (SPEC §4). Keep,
discard, modify, route, state between calls, the seed article's odd/even
scripts verbatim, and the errors: a script that does not load (file:line,
exit 2), one that fails at run time (file:line and the event's stdin line,
exit 2, earlier events already written), endless loops and memory hogs, and
input that is not a JSON event (stdin:LINE, exit 5). No server needed."""

import atexit
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness.rowcast import REPO, Result, rowcast_binary

POINTS = ("receive", "apply")
LUA = os.path.join(REPO, "tests", "unit", "lua")

ROW = ('{"schema":"shop","table":"users","timestamp":"2026-11-21 05:45:35",'
       '"operation":"update","primary":"id","keys":["id"],'
       '"columns":["id","email","ssn","balance","big","note"],'
       '"new":{"id":%d,"email":"a@b.c","ssn":"123","balance":1.50,'
       '"big":18446744073709551615,"note":null},'
       '"old":{"id":%d,"email":"old@b.c","ssn":"123","balance":0.25,'
       '"big":1,"note":null},'
       '"position":"mysql-bin.000001:1352","gtid":"0-1-4","server_id":1,"xid":6,'
       '"commit":true}')


def row(i):
    return ROW % (i, i)


def stmt(query, schema="clusterdb"):
    return ('{"schema":%s,"table":null,"timestamp":"2026-11-21 05:45:35",'
            '"operation":"query","query":%s,"position":"mysql-bin.000001:499",'
            '"gtid":null,"server_id":1,"xid":null,"commit":true}'
            % (json.dumps(schema), json.dumps(query)))


def script(text):
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write(text)
    f.close()
    atexit.register(os.unlink, f.name)
    return f.name


def run_filter(point, scripts, lines, timeout=60):
    cmd = [rowcast_binary(), "filter", "--point", point]
    for s in scripts:
        cmd += ["--filter", s]
    stdin = "".join(line + "\n" for line in lines)
    try:
        p = subprocess.run(cmd, input=stdin.encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
        return Result(cmd, p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"))
    except subprocess.TimeoutExpired as e:
        return Result(cmd, None, (e.stdout or b"").decode(), (e.stderr or b"").decode(), True)


def ok(r):
    assert not r.timed_out and r.returncode == 0 and r.stderr == "", f"failed:\n{r}"
    return r.lines()


def error(r, status, *phrases):
    assert not r.timed_out, f"hung:\n{r}"
    assert r.returncode == status, f"expected exit status {status}:\n{r}"
    line = r.error_line()
    assert line.startswith("rowcast: "), r
    for phrase in phrases:
        assert phrase in line, f"stderr does not say {phrase!r}:\n{r}"
    return line


def test_filter_cmd_keep_discard():
    keep = script("function filter(event) return false end\n")
    drop_even = script("function filter(event)\n"
                       "  return event.new ~= nil and event.new.id % 2 == 0\nend\n")
    events = [row(1), row(2), row(3), stmt("CREATE TABLE t (a int)")]
    for point in POINTS:
        # an untouched event comes out byte for byte: 1.50, the big number, nulls
        assert ok(run_filter(point, [keep], events)) == events
        assert ok(run_filter(point, [drop_even], events)) == [row(1), row(3), events[3]]
        # two scripts in a row: each sees what the one before left
        assert ok(run_filter(point, [drop_even, keep], events)) == [row(1), row(3), events[3]]


def test_filter_cmd_modify_route():
    mod = script("function filter(event)\n"
                 "  if event.operation == 'query' then return end\n"
                 "  event.new.email = '***'\n"
                 "  event.new.ssn = nil\n"
                 "  event.old.ssn = nil\n"
                 "  event.table = 'users_masked'\n"
                 "  event.group = 'x'\n"
                 "end\n")
    for point in POINTS:
        out = ok(run_filter(point, [mod], [row(7), stmt("DROP TABLE t")]))
        assert len(out) == 2
        e = out[0]
        assert e == ('{"schema":"shop","table":"users_masked","timestamp":"2026-11-21 05:45:35",'
                     '"operation":"update","primary":"id","keys":["id"],'
                     '"columns":["id","email","ssn","balance","big","note"],'
                     '"new":{"id":7,"email":"***","balance":1.50,'
                     '"big":18446744073709551615,"note":null},'
                     '"old":{"id":7,"email":"old@b.c","balance":0.25,"big":1,"note":null},'
                     '"group":"x","position":"mysql-bin.000001:1352","gtid":"0-1-4",'
                     '"server_id":1,"xid":6,"commit":true}'), e
        assert out[1] == stmt("DROP TABLE t")


def test_filter_cmd_state_kept():
    counter = script("n = 0\nfunction filter(event)\n  n = n + 1\n"
                     "  event.new.seen = n\n  return n == 2\nend\n")
    for point in POINTS:
        out = ok(run_filter(point, [counter], [row(1), row(2), row(3)]))
        assert [json.loads(line)["new"]["seen"] for line in out] == [1, 3]


def test_filter_cmd_seed_scripts():
    """The seed article's scripts verbatim: after_read, the seed's name for
    the publish and apply points; odd keeps odd sub_ids, even keeps even."""
    subs = {n: stmt("REPLACE INTO subs1 SET sub_id=%d, code=44" % n) for n in (401, 402, 976, 981)}
    sys1 = [stmt("INSERT INTO sys1 SET a = 1"), stmt("UPDATE sys1 SET sub_id = x WHERE b = 2")]
    events = [subs[401], subs[402], sys1[0], subs[976], subs[981], sys1[1]]
    odd, even = os.path.join(LUA, "seed_odd.lua"), os.path.join(LUA, "seed_even.lua")
    for point in ("apply", "publish"):
        assert ok(run_filter(point, [odd], events)) == [subs[401], sys1[0], subs[981], sys1[1]]
        assert ok(run_filter(point, [even], events)) == [subs[402], sys1[0], subs[976], sys1[1]]
    # after_read is not a name for the receive point: the script has no entry there
    error(run_filter("receive", [odd], events), 2, "seed_odd.lua")


def test_filter_cmd_load_error():
    bad = script("function filter(event)\n  return (\nend\n")
    for point in POINTS:
        line = error(run_filter(point, [bad], [row(1)]), 2, bad + ":3:")
        assert "unexpected symbol" in line or "near" in line, line


def test_filter_cmd_runtime_error():
    boom = script("function filter(event)\n  if event.new.id == 3 then\n"
                  "    error('no third')\n  end\nend\n")
    for point in POINTS:
        r = run_filter(point, [boom], [row(1), "", row(2), row(3), row(4)])
        error(r, 2, boom + ":3: no third", "(event on stdin line 4)")
        assert r.lines() == [row(1), row(2)], r   # the events before it are written


def test_filter_cmd_limits():
    loop = script("function filter(event)\n  while true do end\nend\n")
    hog = script("function filter(event)\n  local t = {}\n"
                 "  for i = 1, 1e9 do t[i] = string.rep('x', 64) .. i end\nend\n")
    for point in POINTS:
        error(run_filter(point, [loop], [row(1)], timeout=60), 2, loop, "instructions",
              "(event on stdin line 1)")
        error(run_filter(point, [hog], [row(1)], timeout=60), 2, hog, "more than 64 MiB",
              "(event on stdin line 1)")


def test_filter_cmd_bad_input():
    keep = script("function filter(event) end\n")
    for point in POINTS:
        r = run_filter(point, [keep], [row(1), '{"schema":"s",', row(2)])
        error(r, 5, "stdin:2: bad JSON event: ", "unexpected end")
        assert r.lines() == [row(1)]
        error(run_filter(point, [keep], ['{"a":1,"a":2}']), 5, "stdin:1: bad JSON event: column 8",
              "duplicate key")
        error(run_filter(point, [keep], ["[1,2]"]), 5, "stdin:1: bad JSON event", "JSON object")


def test_filter_cmd_unwritable_value():
    fn = script("function filter(event) event.new.email = print end\n")
    for point in POINTS:
        error(run_filter(point, [fn], [row(1)]), 2, fn, "event.new.email: a function",
              "(event on stdin line 1)")


def test_filter_cmd_usage():
    keep = script("function filter(event) end\n")
    error(run_filter("sideways", [keep], []), 2, "unknown --point 'sideways'")
    error(run_filter("apply", [], []), 2, "--filter")
    r = subprocess.run([rowcast_binary(), "filter", "--filter", keep], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "--point" in r.stderr, r.stderr
