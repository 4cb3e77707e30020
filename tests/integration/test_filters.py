"""Filters at the capture and publish points of `rowcast stream` (SPEC.md §4),
against a real server: the seed article's odd/even scripts verbatim on its
statement-format example, row scripts that discard, keep, modify and route,
the plain rules, the sandbox, and scripts that fail: each failure stops the
stream with file:line and the event's position, and loses nothing."""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import harness
from harness.mariadb import MariaDB
from harness.rowcast import REPO, run_rowcast

SEED_ODD = os.path.join(REPO, "tests", "unit", "lua", "seed_odd.lua")
SEED_EVEN = os.path.join(REPO, "tests", "unit", "lua", "seed_even.lua")

# The article's example, with the column named `code` as in its CREATE TABLE.
ARTICLE = """
CREATE DATABASE clusterdb; USE clusterdb;
CREATE TABLE sys1 (code INT NOT NULL PRIMARY KEY, country VARCHAR (30)) engine=innodb;
CREATE TABLE subs1 (sub_id INT NOT NULL PRIMARY KEY, code INT) engine=innodb;
SET SESSION binlog_format = 'STATEMENT';
REPLACE INTO sys1 SET code=33, country="France";
REPLACE INTO sys1 SET code=44, country="UK";
REPLACE INTO subs1 SET sub_id=401, code=44;
REPLACE INTO subs1 SET sub_id=402, code=33;
REPLACE INTO subs1 SET sub_id=976, code=33;
REPLACE INTO subs1 SET sub_id=981, code=44;
"""


def script(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def stream(db, *args, timeout=60):
    return run_rowcast("stream", "--source", db.url(), "--start", "beginning", "--stop-at-end",
                       *args, timeout=timeout)


def replaced(events):
    """The sub_id / code of each REPLACE statement that came through."""
    out = []
    for e in events:
        q = e.get("query") or ""
        if q.startswith("REPLACE"):
            out.append(q.split("SET ")[1].split(",")[0].strip())
    return out


def test_seed_scripts_split_the_article_statements():
    with MariaDB() as db:
        db.sql(ARTICLE)
        odd = stream(db, "--filter", f"publish={SEED_ODD}")
        even = stream(db, "--filter", f"publish={SEED_EVEN}")
        assert odd.returncode == 0 and even.returncode == 0, f"{odd}\n{even}"
        assert replaced(odd.events()) == ["code=33", "code=44", "sub_id=401", "sub_id=981"]
        assert replaced(even.events()) == ["code=33", "code=44", "sub_id=402", "sub_id=976"]
        # the CREATE TABLE statements carry no sub_id: both keep them
        for r in (odd, even):
            assert sum("CREATE TABLE" in (e.get("query") or "") for e in r.events()) == 2


ROWS = """
CREATE DATABASE shop;
CREATE TABLE shop.subs (sub_id INT PRIMARY KEY, card VARCHAR(20), note TEXT, code INT);
CREATE TABLE shop.audit (id INT PRIMARY KEY, what VARCHAR(20));
INSERT INTO shop.subs VALUES (401, '4111-1111', 'a', 44), (402, '5500-0000', 'b', 33),
                             (976, '3400-0000', 'c', 33), (981, '6011-0000', 'd', 44);
INSERT INTO shop.audit VALUES (1, 'x');
UPDATE shop.subs SET code = 1 WHERE sub_id = 401;
DELETE FROM shop.subs WHERE sub_id = 402;
"""


def rows(r):
    assert r.returncode == 0, str(r)
    return [e for e in r.events() if e["operation"] != "query"]


def test_row_scripts_discard_keep_modify_route_and_keep_state():
    with MariaDB() as db, tempfile.TemporaryDirectory() as tmp:
        db.sql(ROWS)
        odd = script(tmp, "odd.lua", """
function filter(event)
  local row = event.new or event.old
  if event.table == "subs" and row.sub_id % 2 == 0 then return true end
end
""")
        got = rows(stream(db, "--filter", f"capture={odd}"))
        subs = [(e["operation"], (e.get("new") or e["old"])["sub_id"])
                for e in got if e["table"] == "subs"]
        assert subs == [("insert", 401), ("insert", 981), ("update", 401)], subs
        assert [e["table"] for e in got].count("audit") == 1

        change = script(tmp, "change.lua", """
seen = 0
function filter(event)
  seen = seen + 1
  if event.table ~= "subs" then return false end
  for _, img in pairs({n = event.new, o = event.old}) do
    if img then img.card = "****" .. string.sub(img.card, -4); img.note = nil end
  end
  event.table = "subscribers"
  event.group = "subs." .. (((event.new or event.old).code or 0) % 2 == 0 and "even" or "odd")
  event.new_count = nil
end
""")
        # assigning an unknown event field is an error: keep the script honest
        r = stream(db, "--filter", f"capture={change}")
        assert r.returncode == 2 and "change.lua:11:" in r.stderr and "cannot be set" in r.stderr, str(r)

        change = script(tmp, "change.lua", open(change).read().replace("  event.new_count = nil\n", ""))
        got = rows(stream(db, "--filter", f"capture={change}"))
        subs = [e for e in got if e["table"] == "subscribers"]
        assert len(subs) == 6
        for e in subs:
            assert e["columns"] == ["sub_id", "card", "code"], e["columns"]
            for img in ("new", "old"):
                if e.get(img):
                    assert "note" not in e[img] and e[img]["card"].startswith("****"), e
            code = (e.get("new") or e["old"])["code"]
            assert e["group"] == ("subs.even" if code % 2 == 0 else "subs.odd"), e
        assert [e["table"] for e in got if e["table"] != "subscribers"] == ["audit"]

        # state between calls: a counter numbering the events it kept
        count = script(tmp, "count.lua", """
n = 0
function filter(event)
  if event.operation == "query" then return end
  n = n + 1
  event.group = "n" .. n
end
""")
        got = rows(stream(db, "--filter", f"capture={count}", "--no-queries"))
        assert [e["group"] for e in got] == [f"n{i}" for i in range(1, len(got) + 1)]


def test_event_fields_follow_each_event():
    """The fields a script reads most (table, schema, operation, new, old) are
    served from tables kept per operation: across table switches, renames and
    operations they must read as the event's own."""
    with MariaDB() as db, tempfile.TemporaryDirectory() as tmp:
        db.sql(ROWS + """
INSERT INTO shop.audit VALUES (2, 'y');
UPDATE shop.subs SET code = 2 WHERE sub_id = 976;
UPDATE shop.audit SET what = 'z' WHERE id = 2;
DELETE FROM shop.audit WHERE id = 1;
""")
        fields = script(tmp, "fields.lua", """
function filter(event)
  if event.operation == "query" then return end
  local seen = string.format("%s.%s %s old=%s new=%s", event.schema, event.table,
                             event.operation, tostring(event.old ~= nil),
                             tostring(event.new ~= nil))
  if event.table == "audit" then
    event.table = "audit_log"
    if event.table ~= "audit_log" then error("rename not seen: " .. event.table) end
    event.schema = "archive"
    if event.schema ~= "archive" then error("schema rename not seen") end
  end
  event.group = seen
end
""")
        # and again through a column rule, whose derived tables come and go
        for extra in ([], ["--exclude-column", "shop.subs.note"]):
            got = rows(stream(db, "--filter", f"capture={fields}", *extra))
            assert len(got) == 11, got
            for e in got:
                table = "audit" if e["table"] == "audit_log" else e["table"]
                schema = "shop" if e["table"] == "subs" else "archive"
                assert e["schema"] == schema, e
                want = (f"shop.{table} {e['operation']} old={str('old' in e).lower()} "
                        f"new={str('new' in e).lower()}")
                assert e["group"] == want, (e["group"], want)
                if extra and e["table"] == "subs":
                    assert "note" not in e["columns"], e
            assert [e["table"] for e in got].count("audit_log") == 4


def test_publish_runs_after_capture():
    with MariaDB() as db, tempfile.TemporaryDirectory() as tmp:
        db.sql(ROWS)
        cap = script(tmp, "cap.lua",
                     "function before_write(e) if e.table == 'subs' and e.new then e.new.card = 'c' end end")
        pub = script(tmp, "pub.lua", "function after_read(e) if e.table == 'subs' and e.new "
                     "and e.new.card ~= 'c' then error('order') end end")
        got = rows(stream(db, "--filter", f"capture={cap}", "--filter", f"publish={pub}"))
        assert all(e["new"]["card"] == "c" for e in got if e["table"] == "subs" and e.get("new"))
        assert any(e["table"] == "subs" and e.get("new") for e in got)


def test_rules_without_a_script():
    with MariaDB() as db:
        db.sql(ROWS)
        got = rows(stream(db, "--include", "shop.sub*", "--exclude-column", "shop.subs.card",
                          "--operations", "insert,delete"))
        assert {e["table"] for e in got} == {"subs"}
        assert [e["operation"] for e in got] == ["insert"] * 4 + ["delete"]
        assert all("card" not in (e.get("new") or e["old"]) and "card" not in e["columns"] for e in got)
        got = rows(stream(db, "--exclude", "/shop\\.(subs|x)/"))
        assert {e["table"] for e in got} == {"audit"}
        r = stream(db, "--operations", "insert,upsert")
        assert r.returncode == 2 and "unknown operation 'upsert'" in r.stderr, str(r)


def test_sandbox_and_failing_scripts_stop_the_stream():
    with MariaDB() as db, tempfile.TemporaryDirectory() as tmp:
        db.sql(ROWS)
        cases = {
            "io.lua": ("function filter(e) local f = io.open('/etc/passwd') end", ":1:"),
            "exec.lua": ("function filter(e) os.execute('true') end", ":1:"),
            "req.lua": ("function filter(e) require('socket') end", "require"),
            "loop.lua": ("function filter(e) while true do end end", "budget"),
            "hog.lua": ("function filter(e) local t = {} while true do "
                        "t[#t+1] = string.rep('x', 1e6) end end", "MiB"),
            "err.lua": ("function filter(e)\n  if e.table == 'audit' then\n"
                        "    error('no audit')\n  end\nend", "err.lua:3: no audit"),
        }
        for name, (text, needle) in cases.items():
            path = script(tmp, name, text)
            r = stream(db, "--filter", f"capture={path}")
            assert r.returncode == 2, f"{name}: {r}"
            line = r.stderr.strip().splitlines()[-1]
            assert line.startswith("rowcast: ") and needle in line, f"{name}: {line}"
            assert "(event at mysql-bin.000001:" in line, f"{name}: {line}"
        # the events before the failing one are written
        r = stream(db, "--filter", f"capture={os.path.join(tmp, 'err.lua')}")
        assert len(rows_before_error(r)) == 4

        bad = script(tmp, "syntax.lua", "function filter(e)\n  return e.table ==\nend\n")
        r = stream(db, "--filter", f"capture={bad}")
        assert r.returncode == 2 and "syntax.lua:3:" in r.stderr and r.stdout == "", str(r)


def rows_before_error(r):
    return [json.loads(l) for l in r.stdout.splitlines() if '"operation":"insert"' in l]


def test_a_failed_script_loses_nothing_after_a_restart():
    """The checkpoint stays before the event the script failed on; the
    stream restarted with a fixed script delivers it."""
    with MariaDB() as db, tempfile.TemporaryDirectory() as tmp:
        db.sql(ROWS)
        cp = os.path.join(tmp, "cp.json")
        bad = script(tmp, "bad.lua", "function filter(e) if e.table == 'audit' then error('x') end end")
        first = stream(db, "--checkpoint", cp, "--filter", f"capture={bad}")
        assert first.returncode == 2, str(first)
        ok = script(tmp, "ok.lua", "function filter(e) end")
        second = stream(db, "--checkpoint", cp, "--filter", f"capture={ok}")
        assert second.returncode == 0, str(second)
        tables = [json.loads(l).get("table") for l in (first.stdout + second.stdout).splitlines()]
        assert "audit" in tables
