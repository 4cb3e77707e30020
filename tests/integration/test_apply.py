"""`rowcast apply` (src/apply/rc_apply.c): the seed article's partitioned
replicas (Fig. 3/4) rebuilt with rowcast, and exactly-once across crashes.

  - Fig. 4, row format: a master and two target MariaDBs; `rowcast stream`
    publishes the master's binlog to JetStream; two `rowcast apply`, one
    with a row script keeping odd sub_ids, one keeping even ones. The odd
    target's subs1 holds exactly 401 and 981, the even one's 402 and 976,
    and both sys1 hold 33 France and 44 UK.
  - Fig. 4, statement format: the same statements written with
    binlog_format=STATEMENT and the article's two scripts verbatim
    (tests/unit/lua/seed_odd.lua, seed_even.lua) at the apply point.
  - crash: the appliers are SIGKILLed again and again during a random
    workload; each target ends with exactly its share of the master's rows.
"""

import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import harness
from harness.mariadb import MariaDB
from harness.nats import NatsServer
from harness.redis import Redis
from harness.rowcast import REPO, rowcast_binary, start_rowcast

LUA = os.path.join(REPO, "tests", "unit", "lua")

# The article's statements, with the column named `code` throughout.
SCHEMA_SQL = """
CREATE DATABASE clusterdb;
USE clusterdb;
CREATE TABLE sys1 (code INT NOT NULL PRIMARY KEY, country VARCHAR (30)) engine=innodb;
CREATE TABLE subs1 (sub_id INT NOT NULL PRIMARY KEY, code INT) engine=innodb;
"""
DATA_SQL = """
REPLACE INTO sys1 SET code=33, country="France";
REPLACE INTO sys1 SET code=44, country="UK";
REPLACE INTO subs1 SET sub_id=401, code=44;
REPLACE INTO subs1 SET sub_id=402, code=33;
REPLACE INTO subs1 SET sub_id=976, code=33;
REPLACE INTO subs1 SET sub_id=981, code=44;
"""

# The row-format counterpart of the article's scripts: discard the subs1
# rows of the other parity (REMAINDER is 0 for the odd replica).
ROW_SCRIPT = """
function filter(event)
  if event.table ~= "subs1" then return false end
  local row = event.new or event.old
  return row.sub_id %% 2 == %d
end
"""

SYS1 = [{"code": "33", "country": "France"}, {"code": "44", "country": "UK"}]
ODD = [{"sub_id": "401", "code": "44"}, {"sub_id": "981", "code": "44"}]
EVEN = [{"sub_id": "402", "code": "33"}, {"sub_id": "976", "code": "33"}]


def apply_proc(workdir, tag, url, target, *args):
    path = os.path.join(workdir, f"apply-{tag}.err")
    cmd = [rowcast_binary(), "apply", "--from", url, "--target", target.url()] + list(args)
    with open(path, "ab") as err:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    p.err_path = path
    return p


def stop(proc, timeout=30):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout)


def err_text(workdir, tag):
    with open(os.path.join(workdir, f"apply-{tag}.err"), errors="replace") as f:
        return f.read()


def rows(db, sql):
    try:
        return db.query(sql)
    except Exception:  # the database or table is not there yet
        return None


def wait_rows(db, sql, want, procs, timeout=60):
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        got = rows(db, sql)
        if got == want:
            return
        for p in procs:
            if p.poll() is not None:
                log = ""
                if hasattr(p, "err_path"):
                    with open(p.err_path, errors="replace") as f:
                        log = f.read()[-2000:]
                elif p.stderr:
                    log = p.stderr.read().decode(errors="replace")[-2000:]
                raise AssertionError(f"{p.args[:3]} exited with {p.returncode}: {log}")
        time.sleep(0.2)
    raise AssertionError(f"{sql}: {got}, expected {want}")


def stream_into_jetstream(master, nats, subject, stream):
    """rowcast stream from the master's current end into the JetStream stream
    STREAM: (its URL, the process), once the stream exists."""
    url = nats.url(subject, scheme="jetstream", stream=stream)
    proc = start_rowcast("stream", "--source", master.url(), "--start", master.position(),
                         "--sink", url, stdout=subprocess.DEVNULL)
    nats.wait_stream(stream)
    return url, proc


@contextlib.contextmanager
def master_target_stream(subject, stream_name):
    """A master, a target and a nats-server, and rowcast stream from the
    master's end into the JetStream stream STREAM_NAME (stopped on the way
    out). Yields (master, target, url, the stream's process)."""
    with MariaDB(name="master") as master, MariaDB(server_id=2, name="target") as target, \
            NatsServer() as nats:
        url, stream = stream_into_jetstream(master, nats, subject, stream_name)
        try:
            yield master, target, url, stream
        finally:
            stop(stream)


def fig4(statement_format, odd_args, even_args, broker=None):
    with MariaDB(name="master") as master, MariaDB(server_id=2, name="odd") as odd, \
            MariaDB(server_id=3, name="even") as even, (broker or NatsServer)() as b:
        if broker:  # Redis, as a stream (a consumer group per applier)
            url = b.url("mode=stream&group=rc.fig4")
        else:
            url = b.url("rc.fig4", scheme="jetstream", stream="FIG4")
        start = master.position()
        stream = start_rowcast("stream", "--source", master.url(), "--start", start,
                               "--sink", url, stdout=subprocess.DEVNULL)
        if not broker:
            b.wait_stream("FIG4")
        appliers = [apply_proc(master.dir, "odd", url, odd, "--durable", "odd", *odd_args),
                    apply_proc(master.dir, "even", url, even, "--durable", "even", *even_args)]
        try:
            session = "SET SESSION binlog_format=STATEMENT;\n" if statement_format else ""
            master.sql(session + SCHEMA_SQL + DATA_SQL)
            for db, share in ((odd, ODD), (even, EVEN)):
                wait_rows(db, "SELECT * FROM clusterdb.subs1 ORDER BY sub_id", share,
                          appliers + [stream])
                wait_rows(db, "SELECT * FROM clusterdb.sys1 ORDER BY code", SYS1,
                          appliers + [stream])
            time.sleep(1.0)  # nothing more arrives
            for db, share in ((odd, ODD), (even, EVEN)):
                assert db.query("SELECT * FROM clusterdb.subs1 ORDER BY sub_id") == share
                assert db.query("SELECT * FROM clusterdb.sys1 ORDER BY code") == SYS1
                pos = db.query("SELECT name, position FROM rowcast.apply_position")
                assert len(pos) == 1 and pos[0]["position"], pos
        finally:
            codes = [stop(p) for p in appliers]
            stop(stream)
        assert codes == [0, 0], (codes, err_text(master.dir, "odd"), err_text(master.dir, "even"))


def write_script(workdir, name, text):
    path = os.path.join(workdir, name)
    with open(path, "w") as f:
        f.write(text)
    return path


@harness.timeout(180)
def test_fig4_row_format_with_row_scripts():
    d = tempfile.mkdtemp(prefix="rc-apply-")
    odd = write_script(d, "odd_rows.lua", ROW_SCRIPT % 0)
    even = write_script(d, "even_rows.lua", ROW_SCRIPT % 1)
    fig4(False, ["--filter", "apply=" + odd], ["--filter", "apply=" + even])


@harness.timeout(180)
def test_fig4_row_format_over_redis_streams():
    d = tempfile.mkdtemp(prefix="rc-apply-")
    odd = write_script(d, "odd_rows.lua", ROW_SCRIPT % 0)
    even = write_script(d, "even_rows.lua", ROW_SCRIPT % 1)
    fig4(False, ["--filter", "apply=" + odd], ["--filter", "apply=" + even], broker=Redis)


@harness.timeout(180)
def test_fig4_statement_format_with_the_articles_scripts():
    fig4(True, ["--filter", "apply=" + os.path.join(LUA, "seed_odd.lua")],
         ["--filter", "apply=" + os.path.join(LUA, "seed_even.lua")])


def workload_round(rnd, round_, ids, keys, bulk):
    """One random source transaction: REPLACE, UPDATE and DELETE of random
    sub_ids (repeatedly the same ones), with BULK a multi-row UPDATE or
    INSERT ... SELECT too, and a sys1 change that both replicas get."""
    stmts = ["BEGIN"]
    if bulk and rnd.random() < 0.4:
        lo = rnd.randint(1, keys - 50)
        if rnd.random() < 0.5:
            stmts.append(f"INSERT INTO subs1 (sub_id, code) SELECT seq, {round_} FROM "
                         f"seq_{lo}_to_{lo + 49} ON DUPLICATE KEY UPDATE code = code + 1")
            ids.update(range(lo, lo + 50))
        else:
            stmts.append(f"UPDATE subs1 SET code = code + 7 WHERE sub_id BETWEEN {lo} AND {lo + 49}")
    for _ in range(rnd.randint(1, 8)):
        k = rnd.randint(1, keys)
        r = rnd.random()
        if r < 0.5 or k not in ids:
            stmts.append(f"REPLACE INTO subs1 SET sub_id={k}, code={rnd.randint(1, 99)}")
            ids.add(k)
        elif r < 0.8:
            stmts.append(f"UPDATE subs1 SET code=code+1 WHERE sub_id={k}")
        else:
            stmts.append(f"DELETE FROM subs1 WHERE sub_id={k}")
            ids.discard(k)
    stmts.append(f"REPLACE INTO sys1 SET code={round_ % 7}, country='c{round_}'")
    stmts.append("COMMIT")
    return ";\n".join(stmts) + ";"


def partitioned_crash(args_for, after_kill=None, rounds=40, keys=300, bulk=False, seed=7):
    """The seed's odd/even replicas under a random workload while the
    appliers are SIGKILLed again and again: each target must end with exactly
    its share of the master's rows. args_for(tag, workdir) gives each
    applier's extra options; after_kill(tag, workdir, rnd) runs between a
    kill and the restart. Returns the appliers' stderr texts."""
    rnd = random.Random(seed)
    with MariaDB(name="master") as master, MariaDB(server_id=2, name="odd") as odd, \
            MariaDB(server_id=3, name="even") as even, NatsServer() as nats:
        url = nats.url("rc.crash", scheme="jetstream", stream="CRASH")
        start = master.position()
        d = master.dir
        odd_lua = write_script(d, "odd_rows.lua", ROW_SCRIPT % 0)
        even_lua = write_script(d, "even_rows.lua", ROW_SCRIPT % 1)
        stream = start_rowcast("stream", "--source", master.url(), "--start", start,
                               "--sink", url, stdout=subprocess.DEVNULL)
        master.sql(SCHEMA_SQL)
        nats.wait_stream("CRASH")
        spec = {"odd": (odd, odd_lua), "even": (even, even_lua)}

        def launch(tag):
            db, lua = spec[tag]
            return apply_proc(d, tag, url, db, "--durable", tag, "--filter", "apply=" + lua,
                              *args_for(tag, d))

        procs = {t: launch(t) for t in spec}
        try:
            # A random workload in multi-row transactions, while the appliers
            # are killed and restarted.
            ids = set()
            for round_ in range(rounds):
                master.sql(workload_round(rnd, round_, ids, keys, bulk), database="clusterdb")
                if round_ % 4 == 3:
                    for t, p in list(procs.items()):
                        if rnd.random() < 0.7:
                            p.send_signal(signal.SIGKILL)
                            p.wait()
                            if after_kill:
                                after_kill(t, d, rnd)
                            procs[t] = launch(t)
                time.sleep(rnd.random() * 0.1)
            subs = master.query("SELECT * FROM clusterdb.subs1 ORDER BY sub_id")
            sys1 = master.query("SELECT * FROM clusterdb.sys1 ORDER BY code")
            want = {"odd": [r for r in subs if int(r["sub_id"]) % 2 == 1],
                    "even": [r for r in subs if int(r["sub_id"]) % 2 == 0]}
            for t, (db, _) in spec.items():
                wait_rows(db, "SELECT * FROM clusterdb.subs1 ORDER BY sub_id", want[t],
                          list(procs.values()) + [stream], timeout=120)
                wait_rows(db, "SELECT * FROM clusterdb.sys1 ORDER BY code", sys1,
                          list(procs.values()) + [stream], timeout=120)
        finally:
            codes = {t: stop(p) for t, p in procs.items()}
            stop(stream)
        logs = {t: err_text(d, t) for t in spec}
        assert codes == {"odd": 0, "even": 0}, (codes, logs)
        # The kills did happen, and each restart continued from the target.
        restarts = sum(logs[t].count("resuming after") for t in spec)
        assert restarts >= 4, restarts
        return logs


@harness.timeout(300)
def test_appliers_killed_repeatedly_apply_exactly_once():
    partitioned_crash(lambda tag, d: [])


TYPES_SQL = r"""
CREATE DATABASE t;
CREATE TABLE t.ty (id INT PRIMARY KEY, b VARBINARY(10), bl BLOB, d DECIMAL(10,2), f DOUBLE,
  dt DATETIME(3), tm TIME, j JSON, s VARCHAR(40), n INT NULL, u BIGINT UNSIGNED,
  e ENUM('a','b'), g POINT) ENGINE=InnoDB;
CREATE TABLE t.nopk (a INT, b VARCHAR(5)) ENGINE=InnoDB;
INSERT INTO t.ty VALUES
  (1, X'00FF27', X'5C0A00', 1.50, 0.1, '2026-01-02 03:04:05.678', '-838:59:59', '{"a":[1,2]}',
   'it''s "q" \\ é', NULL, 18446744073709551615, 'b', ST_GeomFromText('POINT(1 2)')),
  (2, '', NULL, -0.01, 1e300, NULL, '00:00:01', NULL, '', 5, 0, 'a', NULL),
  (3, NULL, '', 0, -2.5, '1999-12-31 23:59:59', NULL, '[]', 'x', -7, 1, NULL, NULL);
UPDATE t.ty SET s = 'changed', b = X'01' WHERE id = 2;
UPDATE t.ty SET id = 4 WHERE id = 3;
INSERT INTO t.nopk VALUES (1, 'x'), (1, 'x'), (2, NULL);
DELETE FROM t.nopk WHERE a = 1 LIMIT 1;
UPDATE t.nopk SET b = 'y' WHERE a = 2;
"""
TY = ("SELECT id, HEX(b) b, HEX(bl) bl, d, f, dt, tm, j, s, n, u, e, ST_AsText(g) g "
      "FROM t.ty ORDER BY id")
NOPK = "SELECT a, b FROM t.nopk ORDER BY a, b"


@harness.timeout(240)
def test_column_types_keyless_tables_and_conflict_policies():
    with master_target_stream("rc.types", "TYPES") as (master, target, url, stream):
        d = master.dir
        try:
            master.sql(TYPES_SQL)
            p = apply_proc(d, "t", url, target, "--durable", "t")
            wait_rows(target, TY, master.query(TY), [p, stream])
            wait_rows(target, NOPK, master.query(NOPK), [p, stream])
            assert stop(p) == 0

            # stop (the default): an update of a row the target lacks.
            target.sql("DELETE FROM t.ty WHERE id = 2")
            master.sql("UPDATE t.ty SET s = 'again' WHERE id = 2")
            p = apply_proc(d, "stop", url, target, "--durable", "t")
            assert p.wait(60) == 1
            log = err_text(d, "stop")
            assert "rowcast: apply: t.ty row [2] at " in log, log
            assert ": not there (--on-conflict stop)" in log, log
            # overwrite: the missing row is inserted with the new image.
            p = apply_proc(d, "over", url, target, "--durable", "t", "--on-conflict", "overwrite")
            wait_rows(target, TY, master.query(TY), [p, stream])
            assert stop(p) == 0
            # skip: the change is left out with a warning, the rest goes on.
            target.sql("DELETE FROM t.ty WHERE id = 4")
            master.sql("UPDATE t.ty SET s = 'skipped' WHERE id = 4; "
                       "UPDATE t.ty SET s = 'after' WHERE id = 1")
            p = apply_proc(d, "skip", url, target, "--durable", "t", "--on-conflict", "skip")
            want = [r for r in master.query(TY) if r["id"] != "4"]
            wait_rows(target, TY, want, [p, stream])
            assert stop(p) == 0
            assert "t.ty row [4]" in err_text(d, "skip")
        finally:
            stop(stream)
