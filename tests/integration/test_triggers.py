"""Trigger capture (`rowcast triggers` and `rowcast stream --source
mysql-outbox://...`, docs/triggers.md) against a real MariaDB and nats-server:

  - the seed README's walk-through: its `test` table, the generated DDL piped
    into the real `mariadb` client, its INSERT, UPDATE and DELETE, and a
    subscriber on the group that receives the three events with every field
    of the seed's example message;
  - a random workload over tables of mixed types: trigger capture and binlog
    capture of the same workload carry the same rows;
  - odd names (reserved words, quotes, backquotes, backslashes, semicolons,
    non-ASCII, 64-character names), composite keys, no key, every column
    type of SPEC.md §2: the DDL installs and the events match binlog capture;
  - commit order: a row is not published while a writer with a lower outbox
    id is open; a rolled-back id does not stop the stream; concurrent
    sessions that commit out of id order lose nothing; ids in steps of two;
  - the reader across a server restart; Redis stream and key-value mirror;
    filters and group routing on outbox events;
  - the reader SIGKILLed several times mid-stream: JetStream holds every
    event exactly once;
  - errors: one line on stderr and a non-zero exit.
"""

import json
import os
import random
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import harness
from harness.mariadb import MariaDB
from harness.nats import NatsServer
from harness.demo import SEED_STATEMENTS, SEED_TABLE
from harness.rowcast import Number, loads, rowcast_binary, run_rowcast, start_rowcast
from integration.test_nats import PROBE, Writer, check_writer_changes, lines_of, stop, wait_lines

TS_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


def triggers_ddl(db, schema, *args):
    """`rowcast triggers` for schema on db; asserts success, returns the DDL."""
    r = run_rowcast("triggers", "-h", "127.0.0.1", "-P", db.port, "-u", "root", "-s", schema,
                    *args)
    assert r.returncode == 0, r
    return r.stdout


def pipe_into_client(db, ddl, database=None):
    """The DDL through the real mariadb client, as the seed pipes it into mysql."""
    done = subprocess.run(db.client_command(database), input=ddl, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, encoding="utf-8", timeout=120)
    assert done.returncode == 0, f"mariadb client refused the DDL: {done.stderr}\n{ddl[:3000]}"


def outbox_url(db, schema, user="root", password=None, **params):
    cred = user + (f":{password}" if password is not None else "")
    query = ("?" + "&".join(f"{k}={v}" for k, v in params.items())) if params else ""
    return f"mysql-outbox://{cred}@127.0.0.1:{db.port}/{schema}{query}"


def outbox_events(db, schema, *args):
    """Every event in the outbox, as `rowcast stream --stop-at-end` prints it."""
    r = run_rowcast("stream", "--source", outbox_url(db, schema), "--stop-at-end", *args,
                    timeout=120)
    assert r.returncode == 0, r
    return r.events()


def binlog_events(db, start, schema):
    """The row events of schema in the binlog from start, outbox rows left out."""
    r = run_rowcast("stream", "--source", db.url(), "--start", start, "--stop-at-end",
                    "--no-queries", "--include", f"`{schema.replace('`', '``')}`",
                    "--exclude", f"`{schema.replace('`', '``')}`.rowcast_outbox", timeout=120)
    assert r.returncode == 0, r
    return r.events()






def background(args, out):
    with open(out, "wb") as fo, open(out + ".err", "wb") as fe:
        return subprocess.Popen([rowcast_binary()] + [str(a) for a in args],
                                stdin=subprocess.DEVNULL, stdout=fo, stderr=fe)




def subscriber(nats, subject, out, probe_subject):
    """`rowcast subscribe` on subject, returned once it is surely listening
    (it printed a probe published to probe_subject)."""
    sub = background(["subscribe", f"nats://127.0.0.1:{nats.port}/{subject}"], out)
    deadline = time.monotonic() + 30
    while not lines_of(out):
        if time.monotonic() > deadline:
            stop(sub)
            raise AssertionError("subscriber did not start")
        nats.publish(probe_subject, PROBE)
        time.sleep(0.1)
    return sub


def with_reader(db, schema, tables_sql):
    """Creates schema with tables_sql, installs the triggers, and starts a
    reader of its outbox to a file; returns (the file, the reader)."""
    db.sql(f"CREATE DATABASE {schema};" + tables_sql)
    pipe_into_client(db, triggers_ddl(db, schema))
    out = os.path.join(db.dir, f"reader-{schema}.jsonl")
    return out, background(["stream", "--source", outbox_url(db, schema)], out)


def err_of(out):
    with open(out + ".err", errors="replace") as f:
        return f.read()


# -- comparing trigger capture with binlog capture ---------------------------

def _num(v):
    return float(v.text) if isinstance(v, Number) else float(v)


def same_value(a, b, kind):
    """a (binlog) and b (trigger) are the same value. The normalisation, and
    why (docs/triggers.md lists these differences):
      - FLOAT: the server prints 6 significant digits, binlog capture the
        shortest text of the float: equal within 1e-5 relative;
      - DOUBLE: the server prints 15 significant digits, binlog capture up to
        17: equal within 1e-13 relative.
    Everything else must be identical, number texts included (DECIMAL)."""
    if a is None or b is None:
        return a is None and b is None
    if kind in ("float", "double"):
        x, y = _num(a), _num(b)
        tol = 1e-5 if kind == "float" else 1e-13
        return x == y or abs(x - y) <= tol * max(abs(x), abs(y))
    return a == b and type(a) is type(b)


def column_kinds(db, schema):
    rows = db.query("SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "
                    f"WHERE TABLE_SCHEMA = '{schema}'")
    return {(r["TABLE_NAME"], r["COLUMN_NAME"]): r["DATA_TYPE"] for r in rows}


def assert_same_rows(binlog, trig, kinds):
    """The two captures carry the same changes, in the same order."""
    assert len(binlog) == len(trig), f"{len(binlog)} binlog events, {len(trig)} trigger events"
    assert binlog, "the workload made no events"
    for n, (a, b) in enumerate(zip(binlog, trig)):
        where = f"event {n}: binlog {a}\ntrigger {b}"
        for k in ("schema", "table", "operation", "primary", "keys", "columns"):
            assert a[k] == b[k], f"{k} differs; {where}"
        assert TS_RE.match(b["timestamp"]), where
        for image in ("new", "old"):
            assert (image in a) == (image in b), f"{image} present in one only; {where}"
            if image not in a:
                continue
            assert list(a[image]) == list(b[image]), f"{image} columns differ; {where}"
            for col, va in a[image].items():
                kind = kinds[(a["table"], col)]
                assert same_value(va, b[image][col], kind), (
                    f"{image}.{col} ({kind}): binlog {va!r}, trigger {b[image][col]!r}; {where}")
        assert b["position"] is None and b["gtid"] is None and b["xid"] is None, where


# -- the seed -----------------------------------------------------------------

def test_seed_walkthrough_over_nats():
    with MariaDB() as db, NatsServer() as nats:
        db.sql("CREATE DATABASE test")
        db.sql(SEED_TABLE, database="test")
        # The seed's command line, flag for flag (`--table`, `--group`).
        ddl = triggers_ddl(db, "test", "--table=test", "--group=replication")
        pipe_into_client(db, ddl, "test")
        sub_out = os.path.join(db.dir, "sub.jsonl")
        sub = subscriber(nats, "replication", sub_out, "replication")
        reader = None
        try:
            reader_out = os.path.join(db.dir, "reader.out")
            reader = background(["stream", "--source", outbox_url(db, "test"), "--sink",
                                 f"nats://127.0.0.1:{nats.port}"], reader_out)
            for stmt in SEED_STATEMENTS:
                db.sql(stmt, database="test")
            probes = lines_of(sub_out).count(PROBE)
            wait_lines(sub_out, probes + 3, proc=reader)
            time.sleep(0.5)
            assert stop(reader) == 0, err_of(reader_out)
        finally:
            stop(sub)
            if reader:
                stop(reader)
        events = [loads(x) for x in lines_of(sub_out) if x != PROBE]
        assert [e["operation"] for e in events] == ["insert", "update", "delete"], events
        row_new = {"test_id": 1, "name": "foo", "value": "bar"}
        row_old = {"test_id": 1, "name": "shizzle", "value": "nizzle"}
        for e in events:
            # Every field of the seed's example message, with its meaning.
            assert e["schema"] == "test" and e["table"] == "test", e
            assert TS_RE.match(e["timestamp"]), e
            assert e["primary"] == "test_id", e
            assert e["keys"] == ["test_id", "name"], e
            assert e["columns"] == ["test_id", "name", "value", "modified"], e
            for image in ("new", "old"):
                if image in e:
                    assert list(e[image]) == e["columns"], e
                    assert TS_RE.match(e[image]["modified"]), e
        ins, upd, dele = events
        assert "old" not in ins and {k: ins["new"][k] for k in row_old} == row_old, ins
        assert {k: upd["new"][k] for k in row_new} == row_new, upd
        assert {k: upd["old"][k] for k in row_old} == row_old, upd
        assert "new" not in dele and {k: dele["old"][k] for k in row_new} == row_new, dele
        # `modified` (DEFAULT CURRENT_TIMESTAMP) is the insert's statement
        # time in UTC, as is the event's timestamp.
        assert ins["new"]["modified"] == ins["timestamp"], ins
        assert db.scalar("SELECT COUNT(*) FROM test.rowcast_outbox") == "0"


# -- the same workload, two captures ------------------------------------------

MIXED = """
CREATE TABLE w.people (id INT PRIMARY KEY, name VARCHAR(40) CHARACTER SET utf8mb4,
  note TEXT CHARACTER SET latin1, born DATE, seen TIMESTAMP(2) NULL, t TIME(1),
  score DECIMAL(8,2), ratio FLOAT, big DOUBLE, flags BIT(12), y YEAR,
  kind ENUM('a','b','c'), tags SET('x','y','z'), UNIQUE KEY (name));
CREATE TABLE w.blobs (a INT, b VARCHAR(8), raw VARBINARY(32), fixed BINARY(4), data BLOB,
  doc JSON, at DATETIME(3), u BIGINT UNSIGNED, PRIMARY KEY (a, b));
CREATE TABLE w.loose (x INT, y VARCHAR(10), p POINT, g GEOMETRY);
"""


def random_value(rng, kind):
    if rng.random() < 0.1 and kind not in ("pk",):
        return "NULL"
    if kind == "name":
        return "'" + rng.choice(["ä", "b", "€", "😀", "x''y", "z\\\\q"]) + str(rng.randrange(10 ** 6)) + "'"
    if kind == "latin1":
        return "'" + rng.choice(["ä", "b", "é", "x''y", "z\\\\q"]) + str(rng.randrange(10 ** 6)) + "'"
    if kind == "date":
        return f"'{rng.randrange(1000, 9999)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}'"
    if kind == "ts":
        return f"FROM_UNIXTIME({rng.randrange(1, 2 ** 31 - 1)}.{rng.randrange(100):02d})"
    if kind == "time":
        return f"'{rng.choice('-+')}{rng.randrange(839)}:{rng.randrange(60):02d}:{rng.randrange(60):02d}.{rng.randrange(10)}'"
    if kind == "dec":
        return f"{rng.randrange(-999999, 999999)}.{rng.randrange(100):02d}"
    if kind == "float":
        return repr(rng.uniform(-1e6, 1e6))
    if kind == "double":
        return repr(rng.choice([rng.uniform(-1, 1), rng.uniform(-1e300, 1e300), 0.1 + 0.2]))
    if kind == "bits":
        return f"b'{rng.randrange(4096):b}'"
    if kind == "year":
        return str(rng.randrange(1901, 2156))
    if kind == "enum":
        return "'" + rng.choice("abc") + "'"
    if kind == "set":
        return "'" + ",".join(sorted(rng.sample("xyz", rng.randrange(4)))) + "'"
    if kind == "bytes":
        return "0x" + os.urandom(rng.randrange(1, 30)).hex()
    if kind == "json":
        return "'" + json.dumps({"k": rng.randrange(100), "l": [1, "two"]}) + "'"
    if kind == "dt":
        return f"'2024-05-06 07:08:09.{rng.randrange(1000):03d}'"
    if kind == "u64":
        return str(rng.choice([0, 18446744073709551615, rng.randrange(2 ** 64)]))
    if kind == "point":
        return f"POINT({rng.randrange(100)}, {rng.randrange(100)})"
    if kind == "geom":
        return rng.choice(["ST_GeomFromText('LINESTRING(0 0,1 1,2 3)')",
                           "ST_GeomFromText('POLYGON((0 0,1 0,0 1,0 0))')"])
    return str(rng.randrange(-1000, 1000))


PEOPLE = [("name", "name"), ("note", "latin1"), ("born", "date"), ("seen", "ts"), ("t", "time"),
          ("score", "dec"), ("ratio", "float"), ("big", "double"), ("flags", "bits"),
          ("y", "year"), ("kind", "enum"), ("tags", "set")]
BLOBS = [("raw", "bytes"), ("fixed", "bytes4"), ("data", "bytes"), ("doc", "json"), ("at", "dt"),
         ("u", "u64")]


def workload(rng, n):
    """SQL of n random changes in a session whose time zone is not UTC (so
    TIMESTAMP values must be converted), in small transactions."""
    out = ["SET time_zone = '+05:30';"]
    people, blobs, loose = set(), set(), 0
    for i in range(n):
        stmts = []
        r = rng.random()
        if r < 0.45:
            pid = rng.randrange(1, 60)
            vals = ", ".join(random_value(rng, k) for _, k in PEOPLE)
            if pid in people:
                stmts.append(f"UPDATE w.people SET " + ", ".join(
                    f"{c} = {random_value(rng, k)}" for c, k in rng.sample(PEOPLE, 3))
                    + f" WHERE id = {pid};")
            else:
                people.add(pid)
                stmts.append(f"INSERT IGNORE INTO w.people (id, {', '.join(c for c, _ in PEOPLE)}) "
                             f"VALUES ({pid}, {vals});")
        elif r < 0.55 and people:
            pid = rng.choice(sorted(people))
            people.discard(pid)
            stmts.append(f"DELETE FROM w.people WHERE id = {pid};")
        elif r < 0.8:
            key = (rng.randrange(5), rng.choice(["k", "k'2", "ß"]))
            vals = []
            for _, k in BLOBS:
                vals.append("0x" + os.urandom(rng.randrange(1, 5)).hex() if k == "bytes4"
                            else random_value(rng, k))
            if key in blobs and rng.random() < 0.5:
                stmts.append(f"DELETE FROM w.blobs WHERE a = {key[0]} AND b = '{key[1].replace(chr(39), chr(39) * 2)}';")
                blobs.discard(key)
            else:
                blobs.add(key)
                stmts.append(f"REPLACE INTO w.blobs VALUES ({key[0]}, '{key[1].replace(chr(39), chr(39) * 2)}', {', '.join(vals)});")
        else:
            loose += 1
            stmts.append(f"INSERT INTO w.loose VALUES ({rng.randrange(5)}, 'v{loose}', "
                         f"{random_value(rng, 'point')}, {random_value(rng, 'geom')});")
            if rng.random() < 0.3:
                stmts.append(f"UPDATE w.loose SET y = 'u{loose}' WHERE x = {rng.randrange(5)};")
        if rng.random() < 0.3:
            out.append("BEGIN; " + " ".join(stmts) + " COMMIT;")
        else:
            out.extend(stmts)
    return "\n".join(out)


@harness.timeout(180)
def test_random_workload_matches_binlog_capture():
    seed = int(os.environ.get("ROWCAST_TRIGGERS_SEED", random.randrange(1 << 30)))
    print(f"seed {seed} (ROWCAST_TRIGGERS_SEED={seed} repeats it)")
    rng = random.Random(seed)
    with MariaDB() as db:
        db.sql("CREATE DATABASE w;" + MIXED)
        pipe_into_client(db, triggers_ddl(db, "w"))
        start = db.position()
        db.sql(workload(rng, 300))
        binlog = binlog_events(db, start, "w")
        trig = outbox_events(db, "w")
        assert_same_rows(binlog, trig, column_kinds(db, "w"))
        assert db.scalar("SELECT COUNT(*) FROM w.rowcast_outbox") == "0"


# -- odd names, keys and every type --------------------------------------------

ODD_SCHEMA = "odd`db ü"
ODD_TABLES = """
CREATE TABLE `order` (`select` INT, `from` VARCHAR(10), `a``b` INT, `x'y` INT, `c\\d` INT,
  `semi;colon` INT, `--dash` INT, `sp ace` INT, `ünï` VARCHAR(5), PRIMARY KEY (`select`, `from`));
CREATE TABLE `we``ird'na\\me;--` (`k` INT NOT NULL, `v` TEXT, UNIQUE KEY (`k`));
CREATE TABLE `t_0123456789_0123456789_0123456789_0123456789_0123456789_012` (id INT PRIMARY KEY);
CREATE TABLE `t_0123456789_0123456789_0123456789_0123456789_0123456789_013` (id INT PRIMARY KEY);
CREATE TABLE `loose` (x INT, y BLOB);
CREATE TABLE `types` (id INT AUTO_INCREMENT PRIMARY KEY,
  ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, i INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED,
  y YEAR, b1 BIT(1), b64 BIT(64), d DECIMAL(30,10), d0 DECIMAL(5,0), f FLOAT, db DOUBLE,
  da DATE, dt DATETIME, dt6 DATETIME(6), ts TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL,
  tm TIME, tm6 TIME(6), c CHAR(5), vc VARCHAR(20), tt TINYTEXT, tx TEXT, mt MEDIUMTEXT,
  lt LONGTEXT, l1 VARCHAR(10) CHARACTER SET latin1, gb VARCHAR(10) CHARACTER SET gbk,
  e ENUM('one','two'), st SET('r','g','b'), bn BINARY(3), vb VARBINARY(10), tb TINYBLOB,
  bl BLOB, mb MEDIUMBLOB, lb LONGBLOB, j JSON, g GEOMETRY, pt POINT, ls LINESTRING,
  pg POLYGON, mp MULTIPOINT, ml MULTILINESTRING, mpg MULTIPOLYGON, gc GEOMETRYCOLLECTION);
"""
TYPES_ROW = """(NULL, -128, 65535, -8388608, 4294967295, -9223372036854775808,
  18446744073709551615, 2155, b'1', b'1111111111111111111111111111111111111111111111111111111111111111',
  '12345678901234567890.0123456789', 42, 3.4e38, -1.7976931348623157e308,
  '1000-01-01', '9999-12-31 23:59:59', '2024-02-29 12:34:56.789012',
  '2038-01-19 03:14:07', '1970-01-01 00:00:01.001', '-838:59:59', '838:59:58.999999',
  'ab', 'ü€😀', 'tiny', 'text', 'medium', '{"a": [1, 2.50, "x"]}', 'caf\xe9', '中文',
  'two', 'g,r', 0x0102, 0x00ff, X'', 0xdeadbeef, REPEAT(0xab, 100), REPEAT(0x00, 3),
  '{"k": "v"}', ST_GeomFromText('POINT(1.5 -2)'), POINT(0, 0),
  ST_GeomFromText('LINESTRING(0 0,1 1)'), ST_GeomFromText('POLYGON((0 0,1 0,0 1,0 0))'),
  ST_GeomFromText('MULTIPOINT(0 0,1 1)'), ST_GeomFromText('MULTILINESTRING((0 0,1 1),(2 2,3 3))'),
  ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,0 1,0 0)))'),
  ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))'))"""


@harness.timeout(180)
def test_odd_names_keys_and_every_type():
    q = "`" + ODD_SCHEMA.replace("`", "``") + "`"
    with MariaDB() as db:
        db.sql(f"CREATE DATABASE {q}; USE {q};" + ODD_TABLES)
        ddl = triggers_ddl(db, ODD_SCHEMA, "-g", "odd.group")
        pipe_into_client(db, ddl)
        names = db.query("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS "
                         f"WHERE TRIGGER_SCHEMA = '{ODD_SCHEMA.replace(chr(39), chr(39) * 2)}'")
        assert len(names) == 18, names  # 6 tables, 3 each, all distinct
        assert all(len(n["TRIGGER_NAME"]) <= 64 for n in names), names
        start = db.position()
        db.sql(f"USE {q}; SET sql_mode = '';"
               "INSERT INTO `order` VALUES (1, 'a', 2, 3, 4, 5, 6, 7, 'é'), (1, 'b', 0, 0, 0, 0, 0, 0, NULL);"
               "UPDATE `order` SET `a``b` = 9, `from` = 'c' WHERE `from` = 'a';"
               "DELETE FROM `order` WHERE `from` = 'b';"
               "INSERT INTO `we``ird'na\\me;--` VALUES (1, 'x'), (2, NULL);"
               "UPDATE `we``ird'na\\me;--` SET v = 'y';"
               "DELETE FROM `we``ird'na\\me;--` WHERE k = 1;"
               "INSERT INTO `t_0123456789_0123456789_0123456789_0123456789_0123456789_012` VALUES (1);"
               "INSERT INTO `t_0123456789_0123456789_0123456789_0123456789_0123456789_013` VALUES (2);"
               "INSERT INTO loose VALUES (1, 0x00), (1, 0x00); UPDATE loose SET y = NULL;"
               f"INSERT INTO types VALUES {TYPES_ROW};"
               "INSERT INTO types (id) VALUES (NULL);"
               "INSERT INTO types (id, da, dt, ts, ts3) VALUES (NULL, '0000-00-00', '0000-00-00 00:00:00', "
               "'0000-00-00 00:00:00', '0000-00-00 00:00:00');"
               "SET time_zone = '-07:00'; UPDATE types SET ts = '2001-02-03 04:05:06', tm = '-01:02:03' WHERE id = 2;"
               "DELETE FROM types WHERE id = 1;")
        binlog = binlog_events(db, start, ODD_SCHEMA)
        trig = outbox_events(db, ODD_SCHEMA)
        assert_same_rows(binlog, trig, column_kinds(db, ODD_SCHEMA.replace("'", "''")))
        # Composite and missing keys, as binlog capture names them.
        by_table = {e["table"]: e for e in trig}
        assert by_table["order"]["primary"] == ["select", "from"]
        # No PRIMARY KEY: the server's implicit one (first UNIQUE NOT NULL).
        assert by_table["we`ird'na\\me;--"]["primary"] == "k"
        assert by_table["we`ird'na\\me;--"]["keys"] == ["k"]
        assert by_table["loose"]["primary"] is None and by_table["loose"]["keys"] == []
        rows = {e["new"]["id"]: e["new"] for e in trig
                if e["table"] == "types" and e["operation"] == "insert"}
        assert rows[1]["b64"] == 18446744073709551615 and rows[1]["d"] == Number(
            "12345678901234567890.0123456789")
        assert rows[1]["ts"] == "2038-01-19 03:14:07" and rows[1]["tm"] == "-838:59:59"
        assert rows[1]["lb"] == "AAAA" and rows[1]["pt"] == "POINT(0 0)"
        assert rows[3]["ts3"] == "0000-00-00 00:00:00.000"


def test_groups_route_events_and_drop_removes_the_triggers():
    """-g sets the group each event goes to: a sink without group= uses it
    (here a file, whose lines are checked for it via a {group} template)."""
    with MariaDB() as db:
        db.sql("CREATE DATABASE g; CREATE TABLE g.a (id INT PRIMARY KEY); "
               "CREATE TABLE g.b (id INT PRIMARY KEY);")
        pipe_into_client(db, triggers_ddl(db, "g", "-t", "a b", "-g", "grp.one"))
        assert db.scalar("SELECT COUNT(*) FROM information_schema.TRIGGERS "
                         "WHERE TRIGGER_SCHEMA = 'g'") == "6"
        db.sql("INSERT INTO g.a VALUES (1); INSERT INTO g.b VALUES (2);")
        assert db.scalar("SELECT GROUP_CONCAT(DISTINCT grp) FROM g.rowcast_outbox") == "grp.one"
        # --drop, over the server's Unix socket this time
        r = run_rowcast("triggers", "--socket", db.socket, "-u", "root", "-s", "g", "-t", "a b",
                        "--drop")
        assert r.returncode == 0, r
        assert "DROP TABLE" not in r.stdout.replace("-- DROP TABLE", ""), r.stdout
        pipe_into_client(db, r.stdout)
        assert db.scalar("SELECT COUNT(*) FROM information_schema.TRIGGERS "
                         "WHERE TRIGGER_SCHEMA = 'g'") == "0"
        db.sql("INSERT INTO g.a VALUES (3);")
        events = outbox_events(db, "g")
        assert [(e["table"], e["new"]["id"]) for e in events] == [("a", 1), ("b", 2)]


# -- commit order -------------------------------------------------------------

class Session:
    """One mariadb client session fed statement by statement."""

    def __init__(self, db):
        self.p = subprocess.Popen(db.client_command("o", extra=["--batch", "--unbuffered"]),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)

    def run(self, sql):
        """Sends sql and waits until the server has done it."""
        self.p.stdin.write(sql + "\nSELECT 'done' AS marker;\n")
        self.p.stdin.flush()
        while True:
            line = self.p.stdout.readline()
            assert line, self.p.stderr.read()
            if line.strip() == "done":
                return

    def close(self):
        self.p.stdin.close()
        assert self.p.wait(30) == 0, self.p.stderr.read()


def test_open_writer_holds_back_later_rows_and_rollback_does_not_block():
    with MariaDB() as db:
        out, reader = with_reader(db, "o", "CREATE TABLE o.t (id INT PRIMARY KEY, v VARCHAR(10));")
        a, b = Session(db), Session(db)
        try:
            db.sql("INSERT INTO o.t VALUES (1, 'first');")
            wait_lines(out, 1, proc=reader)
            a.run("BEGIN; INSERT INTO o.t VALUES (2, 'open');")   # outbox id 2, not committed
            b.run("INSERT INTO o.t VALUES (3, 'later');")         # outbox id 3, committed
            time.sleep(1.5)
            assert len(lines_of(out)) == 1, "a row was published past an open writer"
            a.run("COMMIT;")
            wait_lines(out, 3, proc=reader)
            # A rolled-back id leaves a gap that must not stop the stream.
            a.run("BEGIN; INSERT INTO o.t VALUES (4, 'gone'); ROLLBACK;")
            b.run("INSERT INTO o.t VALUES (5, 'after');")
            wait_lines(out, 4, timeout=10, proc=reader)
            time.sleep(0.5)
        finally:
            a.close()
            b.close()
            assert stop(reader) == 0, err_of(out)
        got = [loads(x)["new"]["id"] for x in lines_of(out)]
        assert got == [1, 2, 3, 5], got
        assert db.scalar("SELECT COUNT(*) FROM o.rowcast_outbox") == "0"


# -- crash ----------------------------------------------------------------------



@harness.timeout(240)
def test_reader_killed_repeatedly_jetstream_gets_each_event_once():
    seed = int(os.environ.get("ROWCAST_TRIGGERS_SEED", random.randrange(1 << 30)))
    print(f"seed {seed} (ROWCAST_TRIGGERS_SEED={seed} repeats it)")
    rng = random.Random(seed)
    with MariaDB() as db, NatsServer() as nats:
        # test_nats' writer: rows into w.t, every third with an update
        db.sql("CREATE DATABASE w; CREATE TABLE w.t (id INT PRIMARY KEY, v VARCHAR(20));")
        pipe_into_client(db, triggers_ddl(db, "w"))
        url = nats.url("replication", scheme="jetstream", stream="TRIG")
        err = os.path.join(db.dir, "reader.err")
        writer = Writer(db, delay=0.003)
        writer.start()
        kills = 0
        try:
            for _ in range(6):
                with open(err, "ab") as fe:
                    p = start_rowcast("stream", "--source", outbox_url(db, "w"), "--sink", url,
                                      stdout=subprocess.DEVNULL, stderr=fe)
                time.sleep(rng.uniform(0.4, 2.0))
                p.kill()  # SIGKILL: no flush, no delete of what was confirmed last
                p.wait()
                kills += 1
        finally:
            writer.finish()
        r = run_rowcast("stream", "--source", outbox_url(db, "w"), "--sink", url,
                        "--stop-at-end", timeout=120)
        assert r.returncode == 0, r
        assert db.scalar("SELECT COUNT(*) FROM w.rowcast_outbox") == "0"
        want = writer.inserted + writer.inserted // 3
        got = run_rowcast("subscribe", url, "--count", want, timeout=60)
        assert got.returncode == 0, got
        events = got.events()
        # Nothing more than that: a consumer asking for one more gets none.
        extra = run_rowcast("subscribe", url, "--count", want + 1, timeout=5)
        assert len(extra.lines()) == want, f"the stream holds more than {want} events"
        check_writer_changes(events, writer.inserted)
        ins = [e["new"]["id"] for e in events if e["operation"] == "insert"]
        assert ins == sorted(ins), "inserts out of order"
        assert kills == 6 and writer.inserted > 100, writer.inserted


# -- errors ---------------------------------------------------------------------

def test_errors_are_one_line_and_non_zero():
    with MariaDB() as db:
        db.sql("CREATE DATABASE e; CREATE TABLE e.t (id INT PRIMARY KEY);")
        pipe_into_client(db, triggers_ddl(db, "e"))
        db.create_user("sel", "pw", grants=())
        db.sql("GRANT SELECT ON e.* TO 'sel'@'%';")
        db.create_user("ok", "pw", grants=())
        db.sql("GRANT SELECT, DELETE ON e.rowcast_outbox TO 'ok'@'%';")
        db.sql("INSERT INTO e.t VALUES (1);")
        cases = [
            (["stream", "--source", f"mysql-outbox://root@127.0.0.1:{db.port}"], 2, "SCHEMA"),
            (["stream", "--source", "mysql-outbox://127.0.0.1/e"], 2, "URL"),
            (["stream", "--source", outbox_url(db, "e", "root", "wrong")], 3, "login refused"),
            (["stream", "--source", outbox_url(db, "mysql")], 3, "does not exist"),
            (["stream", "--source", outbox_url(db, "e", table="nope")], 3, "does not exist"),
            (["stream", "--source", outbox_url(db, "e", "sel", "pw")], 3, "DELETE"),
            (["stream", "--source", outbox_url(db, "e"), "--start", "now"], 2, "--start"),
            (["stream", "--source", outbox_url(db, "e"), "--format", "maxwell"], 2, "seed"),
            (["triggers", "-P", db.port, "-h", "127.0.0.1", "-u", "root"], 2, "--schema"),
            (["triggers", "-P", db.port, "-h", "127.0.0.1", "-u", "root", "-s", "nope"], 2,
             "does not exist"),
            (["triggers", "-P", db.port, "-h", "127.0.0.1", "-u", "root", "-s", "e", "-t", "x"],
             2, "does not exist"),
            (["triggers", "-P", db.port, "-h", "127.0.0.1", "-u", "root", "-p", "bad", "-s", "e"],
             3, "login refused"),
        ]
        for args, status, text in cases:
            r = run_rowcast(*args)
            assert r.returncode == status, r
            line = r.error_line()
            assert text in line and "wrong" not in line, r
            assert not r.stdout, r
        # SELECT and DELETE on the outbox are all the reader needs.
        r = run_rowcast("stream", "--source", outbox_url(db, "e", "ok", "pw"), "--stop-at-end")
        assert r.returncode == 0, r
        assert [e["new"]["id"] for e in r.events()] == [1]


def test_filters_run_on_outbox_events_and_route_groups():
    """Capture rules and publish scripts see the outbox's JSON events: a
    script masks a column, drops deletes and routes by table; --exclude
    drops a table. A subscriber on the routed subject gets what is left."""
    with MariaDB() as db, NatsServer() as nats:
        db.sql("CREATE DATABASE f; CREATE TABLE f.a (id INT PRIMARY KEY, secret VARCHAR(9)); "
               "CREATE TABLE f.b (id INT PRIMARY KEY); CREATE TABLE f.skip (id INT PRIMARY KEY);")
        pipe_into_client(db, triggers_ddl(db, "f"))
        script = os.path.join(db.dir, "pub.lua")
        with open(script, "w") as fo:
            fo.write("function filter(event)\n"
                     "  if event.operation == 'delete' then return true end\n"
                     "  if event.new and event.new.secret then event.new.secret = 'xxx' end\n"
                     "  event.group = 'routed.' .. event.table\n"
                     "end\n")
        db.sql("INSERT INTO f.a VALUES (1, 'hush'); INSERT INTO f.b VALUES (2); "
               "INSERT INTO f.skip VALUES (3); DELETE FROM f.a; UPDATE f.b SET id = 4;")
        out = os.path.join(db.dir, "sub.jsonl")
        sub = subscriber(nats, "routed.*", out, "routed.probe")
        try:
            r = run_rowcast("stream", "--source", outbox_url(db, "f"), "--stop-at-end",
                            "--exclude", "f.skip", "--filter", f"publish={script}", "--sink",
                            f"nats://127.0.0.1:{nats.port}", timeout=60)
            assert r.returncode == 0, r
            wait_lines(out, lines_of(out).count(PROBE) + 3)
            time.sleep(0.5)
        finally:
            stop(sub)
        got = [loads(x) for x in lines_of(out) if x != PROBE]
        assert [(e["table"], e["operation"]) for e in got] == [
            ("a", "insert"), ("b", "insert"), ("b", "update")], got
        assert got[0]["new"] == {"id": 1, "secret": "xxx"}
        assert "group" not in got[0], "the group routes the event and is not part of it"
        assert db.scalar("SELECT COUNT(*) FROM f.rowcast_outbox") == "0"


def test_ids_in_steps_of_two_pass_without_a_wait_per_row():
    """With auto_increment_increment=2 every id is a gap; the reader waits
    once per read for them to settle, not once per row."""
    with MariaDB(options=["auto_increment_increment=2"]) as db:
        db.sql("CREATE DATABASE s; CREATE TABLE s.t (id INT PRIMARY KEY);")
        pipe_into_client(db, triggers_ddl(db, "s"))
        db.sql("\n".join(f"INSERT INTO s.t VALUES ({i});" for i in range(1, 301)))
        assert db.scalar("SELECT MAX(id) - MIN(id) FROM s.rowcast_outbox") == "598"
        t0 = time.monotonic()
        events = outbox_events(db, "s")
        took = time.monotonic() - t0
        assert [e["new"]["id"] for e in events] == list(range(1, 301))
        assert took < 10, f"{took:.1f}s for 300 rows: a wait per gap"


def test_reader_survives_a_server_restart():
    with MariaDB() as db:
        out, reader = with_reader(db, "r", "CREATE TABLE r.t (id INT PRIMARY KEY);")
        try:
            db.sql("\n".join(f"INSERT INTO r.t VALUES ({i});" for i in range(1, 51)))
            wait_lines(out, 50, proc=reader)
            db.restart()
            db.sql("\n".join(f"INSERT INTO r.t VALUES ({i});" for i in range(51, 101)))
            wait_lines(out, 100, timeout=90, proc=reader)
            time.sleep(0.5)
        finally:
            assert stop(reader) == 0, err_of(out)
        assert [loads(x)["new"]["id"] for x in lines_of(out)] == list(range(1, 101))
        assert "reconnecting" in err_of(out), err_of(out)
        assert db.scalar("SELECT COUNT(*) FROM r.rowcast_outbox") == "0"


def test_redis_stream_and_kv_mirror_from_the_outbox():
    """Redis sinks take outbox events: a stream holds each once with its
    message id, and the key-value mirror ends with exactly the table's rows
    (primary-key changes move a row, keyless tables are skipped)."""
    from harness.redis import Redis
    from integration.test_redis import as_text, kv_rows
    rng = random.Random(11)
    with MariaDB() as db, Redis() as redis:
        db.sql("CREATE DATABASE m; CREATE TABLE m.a (id INT PRIMARY KEY, v VARCHAR(20));"
               "CREATE TABLE m.b (r VARCHAR(10), id INT, v VARCHAR(20), PRIMARY KEY (r, id));"
               "CREATE TABLE m.nokey (x INT);")
        pipe_into_client(db, triggers_ddl(db, "m"))
        sql, a = [], set()
        for step in range(300):
            i = rng.randrange(1, 80)
            if i not in a:
                a.add(i)
                sql.append(f"INSERT INTO m.a VALUES ({i}, 'a{step}');"
                           f"INSERT IGNORE INTO m.b VALUES ('{rng.choice('xyz')}', {i}, 'é{step}');")
            elif rng.random() < 0.3 and i + 100 not in a:
                a.discard(i)
                a.add(i + 100)
                sql.append(f"UPDATE m.a SET id = {i + 100} WHERE id = {i};")
            elif rng.random() < 0.5:
                a.discard(i)
                sql.append(f"DELETE FROM m.a WHERE id = {i}; DELETE FROM m.b WHERE id = {i};")
            else:
                sql.append(f"UPDATE m.a SET v = 'u{step}' WHERE id = {i};")
            if step % 60 == 0:
                sql.append(f"INSERT INTO m.nokey VALUES ({step});")
        db.sql("\n".join(sql))
        total = int(db.scalar("SELECT COUNT(*) FROM m.rowcast_outbox"))
        r = run_rowcast("stream", "--source", outbox_url(db, "m"), "--stop-at-end",
                        "--sink", redis.url("mode=kv"), "--sink", redis.url("mode=stream"),
                        timeout=120)
        assert r.returncode == 0, r
        assert r.stderr.count("m.nokey") == 1, r.stderr  # skipped, said once
        got_a = kv_rows(redis, "replication:m.a:")
        want_a = {json.dumps([int(row["id"])]): row for row in db.query("SELECT * FROM m.a")}
        assert set(got_a) == set(want_a), sorted(set(got_a) ^ set(want_a))
        for k, row in want_a.items():
            assert {c: as_text(v) for c, v in got_a[k].items()} == row, k
        got_b = kv_rows(redis, "replication:m.b:")
        want_b = {json.dumps([row["r"], int(row["id"])], separators=(",", ":")): row
                  for row in db.query("SELECT * FROM m.b")}
        assert set(got_b) == set(want_b), sorted(set(got_b) ^ set(want_b))
        entries = redis.cmd("XRANGE", "replication", "-", "+")
        ids = [dict(zip(e[1][::2], e[1][1::2]))["id"] for e in entries]
        assert len(ids) == total and len(set(ids)) == total, (len(ids), total)
        assert ids[0] == "m.rowcast_outbox:1", ids[:3]


@harness.timeout(180)
def test_concurrent_writers_commit_out_of_id_order_and_nothing_is_lost():
    """Four sessions write transactions that sleep between their changes, so
    they take outbox ids in one order and commit in another, while the
    reader runs. Every change arrives once; each session's changes arrive in
    the order it made them; two changes of one row in the order they
    committed."""
    with MariaDB() as db:
        out, reader = with_reader(
            db, "o", "CREATE TABLE o.t (id INT PRIMARY KEY, n INT);"
            "CREATE TABLE o.hot (k INT PRIMARY KEY, n INT); INSERT INTO o.hot VALUES (1, 0);")
        rng = random.Random(5)
        scripts = []
        for w in range(4):
            stmts = []
            for k in range(25):
                i = w * 1000 + k
                stmts.append(f"BEGIN; INSERT INTO t VALUES ({i}, 0); SELECT SLEEP({rng.uniform(0, 0.04):.3f});"
                             f" UPDATE t SET n = 1 WHERE id = {i}; UPDATE hot SET n = n + 1; COMMIT;")
            scripts.append("\n".join(stmts))
        try:
            procs = [subprocess.Popen(db.client_command("o", extra=["--batch"]), stdin=subprocess.PIPE,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                     for _ in scripts]
            for p, text in zip(procs, scripts):
                p.stdin.write(text)
                p.stdin.close()
            for p in procs:
                assert p.wait(120) == 0, p.stderr.read()
            wait_lines(out, 4 * 25 * 3, proc=reader)
            time.sleep(0.5)
        finally:
            assert stop(reader) == 0, err_of(out)
        events = [loads(x) for x in lines_of(out)]
        assert len(events) == 300, len(events)
        rows = [(e["table"], e["operation"], (e.get("new") or e["old"]).get("id")) for e in events
                if e["table"] == "t"]
        assert len(set(rows)) == len(rows) == 200
        for w in range(4):
            mine = [r for r in rows if r[2] // 1000 == w]
            want = []
            for k in range(25):
                want += [("t", "insert", w * 1000 + k), ("t", "update", w * 1000 + k)]
            assert mine == want, (w, mine[:6])
        # The hot row: each update saw the one before it committed.
        hot = [e["new"]["n"] for e in events if e["table"] == "hot"]
        assert hot == list(range(1, 101)), hot
