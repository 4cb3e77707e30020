"""`rowcast apply` without scripts reads events in C (src/apply/rc_jfast.c)
instead of as Lua tables; the SQL it builds must be the Lua reading's, byte
for byte. With ROWCAST_APPLY_CROSSCHECK=1 the applier builds every event
both ways and stops with an error at the first difference (statements,
conflict alternatives, row descriptions, worker keys, outcome), and says
at exit how many events it compared.

  - a captured workload of every column type, keyless and multi-column-key
    tables, unicode, escapes and a DDL statement, through rowcast stream;
  - hand-written events (\\u escapes, surrogate pairs, -0, floats that
    print in exponent form, a JSON array and a JSON object column, a
    statement event), published straight into JetStream;
  - a malformed event, refused by both readings with the Lua reading's
    error.
"""

import importlib.util
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import harness
from harness.mariadb import MariaDB
from harness.nats import NatsServer

_spec = importlib.util.spec_from_file_location("apply_base", os.path.join(HERE, "test_apply.py"))
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)


def crosscheck():
    """Turns the check on for the appliers this test starts (each test runs
    in a process of its own; set at import, it would reach every test)."""
    os.environ["ROWCAST_APPLY_CROSSCHECK"] = "1"

WORKLOAD = base.TYPES_SQL + r"""
CREATE TABLE t.mk (a INT, b VARCHAR(10), c TEXT, PRIMARY KEY (a, b)) ENGINE=InnoDB
  DEFAULT CHARSET=utf8mb4;
INSERT INTO t.mk VALUES (1, 'é', 'tab	and
newline'), (1, 'x', '😀 \' " \\'), (-2, '', NULL);
UPDATE t.mk SET c = CONCAT(c, '!') WHERE a = 1;
DELETE FROM t.mk WHERE a = -2;
ALTER TABLE t.mk ADD COLUMN d DOUBLE;
UPDATE t.mk SET d = 0.00001 WHERE b = 'x';
"""
MK = "SELECT a, b, c, d FROM t.mk ORDER BY a, b"


def compared(log):
    """(events built both ways, events read the Lua way only) from the
    applier's closing line."""
    m = re.search(r"crosscheck: (\d+) events built both ways, the same; (\d+) read the Lua way",
                  log)
    assert m, log
    return int(m.group(1)), int(m.group(2))


@harness.timeout(180)
def test_captured_events_build_the_same_sql_both_ways():
    crosscheck()
    with base.master_target_stream("rc.fast", "FAST") as (master, target, url, stream):
        d = master.dir
        master.sql(WORKLOAD)
        p = base.apply_proc(d, "fast", url, target, "--durable", "fast", "--on-conflict",
                            "overwrite", "--workers", "2")
        base.wait_rows(target, MK, master.query(MK), [p, stream])
        base.wait_rows(target, base.TY, master.query(base.TY), [p, stream])
        base.wait_rows(target, base.NOPK, master.query(base.NOPK), [p, stream])
        assert base.stop(p) == 0, base.err_text(d, "fast")
        both, lua_only = compared(base.err_text(d, "fast"))
        # Every row event but those with a JSON object value went both ways.
        assert both >= 15, (both, lua_only)


def event(pos, op, table, **kw):
    e = {"schema": "hand", "table": table, "operation": op}
    e.update(kw)
    e["position"] = f"hand-bin.000001:{pos}"
    e["commit"] = True
    return e


# Raw JSON texts: escapes that json.dumps would not write.
HAND = [
    '{"schema":"hand","table":"t","operation":"insert","primary":["a","b"],'
    '"columns":["a","b","s","j","f","d"],"new":{"a":1,"b":"k\\u0031",'
    '"s":"\\ud83d\\ude00 \\u00e9 \\"q\\" \\\\ \\/ \\n\\t","j":[1,"x\\u00e9",null,-0,1.50,{"z":1}],'
    '"f":0.00001,"d":1.50},"position":"hand-bin.000001:100","commit":true}',
    '{"schema":"hand","table":"t","operation":"insert","primary":["a","b"],'
    '"columns":["a","b","s","j","f","d"],"new":{"b":"k2","a":-0,"s":null,"j":[],"f":1e2,'
    '"d":-0.000001},"position":"hand-bin.000001:200","commit":true}',
    json.dumps(event(300, "update", "t", primary=["a", "b"],
                     columns=["a", "b", "s", "j", "f", "d"],
                     new={"a": 1, "b": "k1", "s": "changé", "j": None, "f": -2.5, "d": 12345678901234.5},
                     old={"a": 1, "b": "k1", "s": "x", "j": None, "f": 0.00001, "d": 1.5})),
    json.dumps(event(400, "insert", "nk", columns=["x", "y"], new={"x": 1, "y": "a'b"})),
    json.dumps(event(500, "insert", "nk", columns=["x", "y"], new={"x": 1, "y": "a'b"})),
    json.dumps(event(600, "delete", "nk", columns=["x", "y"], old={"x": 1, "y": "a'b"})),
    json.dumps({"schema": "hand", "operation": "query", "query": "CREATE TABLE hand.q (i BIGINT)",
                "position": "hand-bin.000001:700", "commit": True}),
    json.dumps(event(800, "insert", "q", columns=["i"], new={"i": 18446744073709551615 // 2})),
    # A JSON object as a column value: read the Lua way only.
    json.dumps(event(900, "insert", "t", primary=["a", "b"], columns=["a", "b", "j"],
                     new={"a": 3, "b": "o", "j": {"k": [1, 2]}})),
]


@harness.timeout(180)
def test_hand_written_events_build_the_same_sql_both_ways():
    crosscheck()
    with MariaDB(name="target") as target, NatsServer() as nats:
        target.sql("CREATE DATABASE hand; "
                   "CREATE TABLE hand.t (a INT, b VARCHAR(10), s VARCHAR(40), j JSON, f DOUBLE, "
                   "d DECIMAL(30,6), PRIMARY KEY (a, b)) DEFAULT CHARSET=utf8mb4; "
                   "CREATE TABLE hand.nk (x INT, y VARCHAR(10))")
        nats.request("$JS.API.STREAM.CREATE.HAND",
                     json.dumps({"name": "HAND", "subjects": ["rc.hand"]}))
        for text in HAND:
            nats.publish("rc.hand", text)
        url = nats.url("rc.hand", scheme="jetstream", stream="HAND")
        p = base.apply_proc(target.dir, "hand", url, target, "--durable", "hand")
        base.wait_rows(target, "SELECT i FROM hand.q", [{"i": str(18446744073709551615 // 2)}],
                       [p])
        base.wait_rows(target, "SELECT a, b FROM hand.t WHERE a = 3", [{"a": "3", "b": "o"}], [p])
        rows = target.query("SELECT a, b, s, j, f, d FROM hand.t ORDER BY a, b")
        assert rows == [
            {"a": "0", "b": "k2", "s": None, "j": "[]", "f": "100", "d": "-0.000001"},
            {"a": "1", "b": "k1", "s": "changé", "j": None, "f": "-2.5",
             "d": "12345678901234.500000"},
            {"a": "3", "b": "o", "s": None, "j": rows[2]["j"], "f": None, "d": None},
        ], rows
        assert json.loads(rows[2]["j"]) == {"k": [1, 2]}
        assert target.query("SELECT COUNT(*) n FROM hand.nk") == [{"n": "1"}]
        assert base.stop(p) == 0, base.err_text(target.dir, "hand")
        assert compared(base.err_text(target.dir, "hand")) == (len(HAND) - 1, 1)

        # A malformed event stops the applier with the Lua reading's error.
        nats.publish("rc.hand", '{"schema":"hand","table":"nk","operation":"insert",'
                     '"columns":["x"],"new":{"x":1,"x":2},"position":"hand-bin.000001:1000",'
                     '"commit":true}')
        p = base.apply_proc(target.dir, "bad", url, target, "--durable", "hand")
        code = p.wait(60)
        log = base.err_text(target.dir, "bad")
        assert code != 0, (code, log)
        assert "received a bad JSON event: column " in log and "duplicate key" in log, log
