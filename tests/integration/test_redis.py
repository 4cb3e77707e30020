"""The Redis sink (docs/sinks.md, "Redis") against a real redis-server and a
real MariaDB: pub/sub to two subscribers, streams with a durable consumer
that is restarted, a Redis outage in the middle of a stream, and the
key-value mirror of the seed README's second sample client."""

import collections
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness import Skip, timeout
from harness.mariadb import MariaDB
from harness.redis import Redis
from harness.rowcast import loads, rowcast_binary, run_rowcast


def needs_subscribe():
    r = run_rowcast("--help")
    if "subscribe" not in r.stdout + r.stderr:
        raise Skip("this rowcast has no `subscribe` command yet")


def reference(db):
    """Every event in the binlog, as `rowcast stream` writes it to stdout."""
    r = run_rowcast("stream", "--source", db.url(), "--start", "beginning", "--stop-at-end")
    assert r.returncode == 0, r
    return r.events()


def stream_to(db, url, *extra):
    r = run_rowcast("stream", "--source", db.url(), "--start", "beginning", "--stop-at-end",
                    "--sink", url, *extra, timeout=120)
    assert r.returncode == 0, r
    return r


def start_subscriber(path, *args):
    with open(path, "wb") as out, open(path + ".err", "wb") as err:
        return subprocess.Popen([rowcast_binary(), "subscribe", *args], stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)


def lines_in(path):
    with open(path, "rb") as f:
        return f.read().count(b"\n")


def wait_lines(path, count, timeout_s=60):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if lines_in(path) >= count:
            return
        time.sleep(0.05)
    with open(path + ".err", encoding="utf-8", errors="replace") as f:
        err = f.read()
    raise AssertionError(f"{path}: {lines_in(path)} of {count} events after {timeout_s}s\n{err}")


def read_events(path):
    with open(path, encoding="utf-8") as f:
        return [loads(line) for line in f if line.strip()]


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    return proc.wait(30)


def stream_entries(redis, key="replication"):
    """[(id field, event)] of every entry of the stream, oldest first."""
    out = []
    for _entry_id, fields in redis.cmd("XRANGE", key, "-", "+") or []:
        f = dict(zip(fields[::2], fields[1::2]))
        out.append((f.get("id"), loads(f["event"])))
    return out


MIXED = """
CREATE DATABASE shop;
CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(40), qty INT);
CREATE TABLE shop.users (id INT PRIMARY KEY, name VARCHAR(40));
INSERT INTO shop.orders VALUES (1, 'apple', 3), (2, 'pear', 1), (3, 'plum', 7);
INSERT INTO shop.users VALUES (1, 'ann'), (2, 'bob');
UPDATE shop.orders SET qty = qty + 1 WHERE id <= 2;
BEGIN; DELETE FROM shop.orders WHERE id = 3; UPDATE shop.users SET name = 'bo' WHERE id = 2;
INSERT INTO shop.users VALUES (3, 'cy'); COMMIT;
UPDATE shop.users SET id = 30 WHERE id = 3;
DELETE FROM shop.users WHERE id = 1;
"""


def per_table(events):
    out = collections.defaultdict(list)
    for e in events:
        out[(e.get("schema"), e.get("table"))].append(e)
    return out


@timeout(180)
def test_pubsub_two_subscribers_get_every_event_once_in_order():
    needs_subscribe()
    with MariaDB() as db, Redis() as redis:
        db.sql(MIXED)
        want = reference(db)
        paths = [os.path.join(redis.dir, f"sub{i}.jsonl") for i in (1, 2)]
        subs = [start_subscriber(p, redis.url()) for p in paths]
        try:
            # pub/sub keeps nothing for a late subscriber: wait for both
            deadline = time.monotonic() + 30
            while redis.cmd("PUBSUB", "NUMSUB", "replication")[1] < 2:
                assert time.monotonic() < deadline, "subscribers did not subscribe"
                time.sleep(0.05)
            stream_to(db, redis.url("mode=pubsub"))
            for p in paths:
                wait_lines(p, len(want))
            time.sleep(0.5)  # a duplicate would arrive by now
        finally:
            codes = [stop(s) for s in subs]
        assert codes == [0, 0], codes
        for p in paths:
            got = read_events(p)
            assert len(got) == len(want), (len(got), len(want))
            assert per_table(got) == per_table(want)
            assert got == want  # one channel: the binlog's order overall too


@timeout(180)
def test_stream_holds_every_event_once_and_durable_consumer_resumes():
    needs_subscribe()
    with MariaDB() as db, Redis() as redis:
        url = redis.url("mode=stream")
        live = subprocess.Popen([rowcast_binary(), "stream", "--source", db.url(), "--start",
                                 "beginning", "--sink", url], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        try:
            db.sql(MIXED)
            first = len(reference(db))
            path1 = os.path.join(redis.dir, "d1.jsonl")
            sub = start_subscriber(path1, url, "--durable", "app")
            wait_lines(path1, first)
            assert stop(sub) == 0
            # more changes while the consumer is away
            db.sql("".join(f"INSERT INTO shop.orders VALUES ({i}, 'x{i}', {i});"
                           for i in range(100, 160)) +
                   "UPDATE shop.orders SET qty = 0 WHERE id >= 100;")
            want = reference(db)
            deadline = time.monotonic() + 60
            while redis.cmd("XLEN", "replication") < len(want):
                assert time.monotonic() < deadline, redis.cmd("XLEN", "replication")
                time.sleep(0.1)
            path2 = os.path.join(redis.dir, "d2.jsonl")
            sub = start_subscriber(path2, url, "--durable", "app")
            wait_lines(path2, len(want) - first)
            time.sleep(0.5)
            assert stop(sub) == 0
        finally:
            live.send_signal(signal.SIGTERM)
            live.wait(30)
        entries = stream_entries(redis)
        assert [e for _, e in entries] == want
        ids = [i for i, _ in entries]
        assert len(set(ids)) == len(ids), "an id twice"
        for i, e in entries:
            assert i.startswith(e["position"] + ":"), (i, e["position"])
        # the restarted consumer went on where the first stopped: no gap, no repeat
        assert read_events(path1) + read_events(path2) == want
        # and a reader without a group gets the whole stream from the start
        path3 = os.path.join(redis.dir, "all.jsonl")
        sub = start_subscriber(path3, url)
        wait_lines(path3, len(want))
        assert stop(sub) == 0
        assert read_events(path3) == want


@timeout(240)
def test_stream_survives_a_redis_outage():
    with MariaDB() as db, Redis(appendonly=True) as redis:
        db.sql("CREATE DATABASE o; CREATE TABLE o.t (id INT PRIMARY KEY, v VARCHAR(20));")
        err_path = os.path.join(redis.dir, "stream.err")
        with open(err_path, "wb") as err:
            live = subprocess.Popen([rowcast_binary(), "stream", "--source", db.url(),
                                     "--start", "beginning", "--no-queries", "--sink",
                                     redis.url("mode=stream&timeout=2")],
                                    stdout=subprocess.DEVNULL, stderr=err,
                                    stdin=subprocess.DEVNULL)
        done = threading.Event()

        def writer():
            for i in range(1, 401):
                db.sql(f"INSERT INTO o.t VALUES ({i}, 'v{i}');"
                       + (f"UPDATE o.t SET v = 'u{i}' WHERE id = {i - 1};" if i > 1 else ""))
                time.sleep(0.03)
            done.set()

        t = threading.Thread(target=writer)
        t.start()
        try:
            time.sleep(3)
            redis.stop()  # mid-stream: rowcast keeps the changes and retries
            time.sleep(10)
            redis.start()
            t.join(120)
            assert done.is_set()
            want = reference(db)
            want = [e for e in want if e["operation"] != "query"]
            deadline = time.monotonic() + 60
            while len({i for i, _ in stream_entries(redis)}) < len(want):
                assert time.monotonic() < deadline, "changes missing after the outage"
                time.sleep(0.2)
        finally:
            live.send_signal(signal.SIGTERM)
            rc = live.wait(30)
        with open(err_path, encoding="utf-8", errors="replace") as f:
            stderr = f.read()
        assert rc == 0, stderr
        assert "unreachable" in stderr, stderr
        entries = stream_entries(redis)
        first = {}
        for i, e in entries:
            # a command that Redis applied but whose reply the outage ate is
            # sent again: same id, same event (consumers drop it by id)
            assert first.setdefault(i, e) == e, i
        assert list(first.values()) == want  # every change once, in order


def kv_rows(redis, prefix):
    """{key suffix: row} of every key under PREFIX."""
    out, cursor = {}, "0"
    while True:
        cursor, keys = redis.cmd("SCAN", cursor, "MATCH", prefix + "*", "COUNT", 1000)
        for k in keys:
            out[k[len(prefix):]] = json.loads(redis.cmd("GET", k))
        if cursor == "0":
            return out


def as_text(v):
    return None if v is None else str(v)


@timeout(180)
def test_kv_mirror_holds_exactly_the_source_rows():
    rnd = random.Random(7)
    with MariaDB() as db, Redis() as redis:
        db.sql("CREATE DATABASE m;"
               "CREATE TABLE m.a (id INT PRIMARY KEY, v VARCHAR(20), n INT);"
               "CREATE TABLE m.b (r VARCHAR(10), id INT, v VARCHAR(20), PRIMARY KEY (r, id));"
               "CREATE TABLE m.nokey (x INT, y VARCHAR(10));")
        sql = []
        a, b = set(), set()
        for step in range(600):
            op = rnd.random()
            if op < 0.45:
                i = rnd.randrange(1, 200)
                if i not in a:
                    a.add(i)
                    sql.append(f"INSERT INTO m.a VALUES ({i}, 'a{step}', {step});")
                r, j = rnd.choice("xyz"), rnd.randrange(1, 50)
                if (r, j) not in b:
                    b.add((r, j))
                    sql.append(f"INSERT INTO m.b VALUES ('{r}', {j}, 'b{step}');")
            elif op < 0.65 and a:
                i = rnd.choice(sorted(a))
                sql.append(f"UPDATE m.a SET v = 'u{step}', n = NULL WHERE id = {i};")
            elif op < 0.80 and a:
                # primary key changes: the row moves to another key
                i, k = rnd.choice(sorted(a)), rnd.randrange(200, 400)
                if k not in a:
                    a.discard(i)
                    a.add(k)
                    sql.append(f"UPDATE m.a SET id = {k} WHERE id = {i};")
                if b:
                    r, j = rnd.choice(sorted(b))
                    r2 = rnd.choice("xyz")
                    if (r2, j + 100) not in b:
                        b.discard((r, j))
                        b.add((r2, j + 100))
                        sql.append(f"UPDATE m.b SET r = '{r2}', id = {j + 100} "
                                   f"WHERE r = '{r}' AND id = {j};")
            elif a:
                i = rnd.choice(sorted(a))
                a.discard(i)
                sql.append(f"DELETE FROM m.a WHERE id = {i};")
                if b:
                    r, j = rnd.choice(sorted(b))
                    b.discard((r, j))
                    sql.append(f"DELETE FROM m.b WHERE r = '{r}' AND id = {j};")
            if step % 50 == 0:
                sql.append(f"INSERT INTO m.nokey VALUES ({step}, 'n');")
        sql.append("UPDATE m.a SET n = id WHERE id % 3 = 0;")  # a multi-row update
        db.sql("".join(sql))
        r = stream_to(db, redis.url("mode=kv"))
        assert r.stderr.count("m.nokey") == 1, r.stderr  # skipped, said once

        got_a = kv_rows(redis, "replication:m.a:")
        want_a = {json.dumps([int(row["id"])]): row for row in db.query("SELECT * FROM m.a")}
        assert set(got_a) == set(want_a), (sorted(set(got_a) ^ set(want_a)))
        for k, row in want_a.items():
            assert {c: as_text(v) for c, v in got_a[k].items()} == row, k

        got_b = kv_rows(redis, "replication:m.b:")
        want_b = {json.dumps([row["r"], int(row["id"])], separators=(",", ":")): row
                  for row in db.query("SELECT * FROM m.b")}
        assert set(got_b) == set(want_b), (sorted(set(got_b) ^ set(want_b)))
        for k, row in want_b.items():
            assert {c: as_text(v) for c, v in got_b[k].items()} == row, k
        assert not kv_rows(redis, "replication:m.nokey")

        # running the same binlog again changes nothing: the mirror is idempotent
        stream_to(db, redis.url("mode=kv"))
        assert kv_rows(redis, "replication:m.a:") == got_a
        assert kv_rows(redis, "replication:m.b:") == got_b


def test_kv_mode_cannot_be_subscribed_and_bad_settings_are_refused():
    needs_subscribe()
    with Redis() as redis:
        r = run_rowcast("subscribe", redis.url("mode=kv"), timeout=20)
        assert r.returncode != 0 and "kv mode cannot be subscribed" in r.error_line(), r
        r = run_rowcast("subscribe", redis.url("mode=bogus"), timeout=20)
        assert r.returncode == 2 and "bad mode" in r.error_line(), r
