"""`rowcast apply --workers N` (src/apply/rc_workers.c), a target that goes
away, and DDL cut off by a crash (src/apply/rc_target.c).

  - workers: the odd/even replicas with --workers 4 (the even one also with
    a relay log) under a random workload of many keys, multi-row
    transactions and repeated updates of the same keys, SIGKILLed again and
    again; each target ends with exactly its share, row by row.
  - reconnect: both target servers are restarted while events arrive; the
    appliers say so on stderr, reconnect, and end with every row once.
  - DDL: the state a crash between a CREATE TABLE and its position leaves
    (the marker names the statement, the position is before it) is
    recognised on restart; without the marker the same state stops the
    applier with the server's error, as docs/apply.md says.
"""

import importlib.util
import os
import random
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


@harness.timeout(360)
def test_workers_killed_repeatedly_apply_exactly_once():
    def args(tag, d):
        if tag == "odd":
            return ["--workers", "4"]
        return ["--workers", "4", "--relay-log", os.path.join(d, "relay-even"),
                "--relay-log-size", "16384"]

    base.partitioned_crash(args, rounds=60, keys=2000, bulk=True, seed=11)


@harness.timeout(300)
def test_target_restarted_mid_stream_reconnects():
    rnd = random.Random(5)
    with MariaDB(name="master") as master, MariaDB(server_id=2, name="t1") as t1, \
            MariaDB(server_id=3, name="t2") as t2, NatsServer() as nats:
        url, stream = base.stream_into_jetstream(master, nats, "rc.reconnect", "RECONNECT")
        d = master.dir
        master.sql(base.SCHEMA_SQL)
        procs = [base.apply_proc(d, "t1", url, t1, "--durable", "t1"),
                 base.apply_proc(d, "t2", url, t2, "--durable", "t2", "--workers", "3",
                                 "--relay-log", os.path.join(d, "relay-t2"))]
        try:
            ids = set()
            sql = "SELECT * FROM clusterdb.subs1 ORDER BY sub_id"
            for round_ in range(30):
                master.sql(base.workload_round(rnd, round_, ids, 500, True), database="clusterdb")
                if round_ == 10:
                    t1.restart()
                if round_ == 18:
                    t2.restart()
                time.sleep(0.05)
            want = master.query(sql)
            sys1 = master.query("SELECT * FROM clusterdb.sys1 ORDER BY code")
            for db in (t1, t2):
                base.wait_rows(db, sql, want, procs + [stream], timeout=120)
                base.wait_rows(db, "SELECT * FROM clusterdb.sys1 ORDER BY code", sys1,
                               procs + [stream], timeout=60)
        finally:
            codes = [base.stop(p) for p in procs]
            base.stop(stream)
        logs = [base.err_text(d, "t1"), base.err_text(d, "t2")]
        assert codes == [0, 0], (codes, logs)
        for log in logs:
            assert "; reconnecting" in log and "apply: reconnected to 127.0.0.1:" in log, log


@harness.timeout(240)
def test_ddl_cut_off_by_a_crash_is_recognised_by_its_marker():
    with base.master_target_stream("rc.ddl", "DDL") as (master, target, url, stream):
        d = master.dir
        pos_sql = "SELECT position, ddl_pending FROM rowcast.apply_position WHERE name = 'd'"
        try:
            master.sql("CREATE DATABASE d; CREATE TABLE d.a (id INT PRIMARY KEY); "
                       "INSERT INTO d.a VALUES (1)")
            p = base.apply_proc(d, "d1", url, target, "--durable", "d")
            base.wait_rows(target, "SELECT * FROM d.a", [{"id": "1"}], [p, stream])
            before = target.query(pos_sql)[0]["position"]
            master.sql("CREATE TABLE d.b (id INT PRIMARY KEY)")
            deadline = time.monotonic() + 30
            while target.query(pos_sql)[0]["position"] == before:
                assert time.monotonic() < deadline, "the CREATE TABLE was not applied"
                time.sleep(0.1)
            ddl = target.query(pos_sql)[0]
            assert ddl["ddl_pending"] is None, ddl
            assert base.stop(p) == 0
            master.sql("INSERT INTO d.b VALUES (7)")

            # The crash window: the table is there, the position is before it.
            # A new applier name (a new JetStream consumer, which reads the
            # stream from its start) with the row as the crash left it.
            target.sql(f"INSERT INTO rowcast.apply_position (name, position) "
                       f"VALUES ('e', '{before}')")
            p = base.apply_proc(d, "d2", url, target, "--durable", "e")
            assert p.wait(60) == 1
            log = base.err_text(d, "d2")
            assert "CREATE TABLE d.b" in log and "server error 1050" in log, log
            row = target.query("SELECT position, ddl_pending FROM rowcast.apply_position "
                               "WHERE name = 'e'")[0]
            assert row == {"position": before, "ddl_pending": None}, row

            # The same with the marker the applier commits before running DDL.
            target.sql(f"UPDATE rowcast.apply_position SET ddl_pending = '{ddl['position']}' "
                       f"WHERE name = 'e'")
            p = base.apply_proc(d, "d3", url, target, "--durable", "e")
            base.wait_rows(target, "SELECT * FROM d.b", [{"id": "7"}], [p, stream])
            assert base.stop(p) == 0
            log = base.err_text(d, "d3")
            assert "was cut off by a crash before its position was stored" in log, log
            assert target.query("SELECT ddl_pending FROM rowcast.apply_position "
                                "WHERE name = 'e'") == [{"ddl_pending": None}]
        finally:
            base.stop(stream)
