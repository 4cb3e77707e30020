"""The server goes away in the middle of a stream and comes back on the same
port: rowcast says so on stderr, reconnects with backoff, and continues from
where it was, with no change lost and none repeated."""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness.mariadb import MariaDB
from harness.rowcast import loads, rowcast_binary


def restart_same_port(db):
    """Stops mariadbd by pid (TERM) and starts it again on the same port
    and data directory, as a server restart would."""
    db.proc.send_signal(signal.SIGTERM)
    db.proc.wait(60)
    time.sleep(1.5)  # rowcast notices and starts backing off meanwhile
    db._spawn()
    assert db._wait_ready(), db.error_log()[-2000:]


def wait_for(path, count, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path, "rb") as f:
            if f.read().count(b"\n") >= count:
                return
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} events in {path} after {timeout}s")


def test_reconnects_after_server_restart():
    with MariaDB() as db:
        db.sql("CREATE DATABASE r; CREATE TABLE r.t (id INT PRIMARY KEY, v VARCHAR(20));")
        db.sql("".join(f"INSERT INTO r.t VALUES ({i}, 'a{i}');" for i in range(1, 101)))
        out = os.path.join(db.dir, "out.jsonl")
        err = os.path.join(db.dir, "err.txt")
        with open(out, "wb") as fo, open(err, "wb") as fe:
            p = subprocess.Popen([rowcast_binary(), "stream", "--source", db.url(),
                                  "--start", "beginning", "--heartbeat", "1", "--no-queries"],
                                 stdout=fo, stderr=fe)
        try:
            wait_for(out, 100)
            restart_same_port(db)
            # a multi-row transaction and single ones after the restart
            db.sql("BEGIN;" + "".join(f"INSERT INTO r.t VALUES ({i}, 'b{i}');"
                                      for i in range(101, 151)) + "COMMIT;")
            db.sql("".join(f"UPDATE r.t SET v = 'c{i}' WHERE id = {i};" for i in range(1, 51)))
            wait_for(out, 200)
        finally:
            p.send_signal(signal.SIGTERM)
            rc = p.wait(30)
        with open(out, encoding="utf-8") as f:
            events = [loads(line) for line in f]
        with open(err, encoding="utf-8") as f:
            stderr = f.read()
        assert rc == 0, f"exit {rc}: {stderr}"
        assert "reconnecting" in stderr, stderr
        inserts = [e["new"]["id"] for e in events if e["operation"] == "insert"]
        updates = [e["new"]["id"] for e in events if e["operation"] == "update"]
        assert inserts == list(range(1, 151)), inserts
        assert updates == list(range(1, 51)), updates
        assert len(events) == 200


def test_connection_lost_inside_a_transaction_repeats_nothing():
    """The dump connection is killed while rowcast is in the middle of a large
    transaction: it reconnects, asks again from the transaction's start and
    skips what it had written, before the filters, so a counting capture
    script sees each change exactly once."""
    rows = 200000
    with MariaDB() as db:
        db.sql("CREATE DATABASE r; CREATE TABLE r.t (id INT PRIMARY KEY, v VARCHAR(40));")
        start = db.position()
        db.sql(f"INSERT INTO r.t SELECT seq, CONCAT('value number ', seq) FROM seq_1_to_{rows};",
               database="r")
        db.sql("INSERT INTO r.t VALUES (0, 'after');")
        script = os.path.join(db.dir, "count.lua")
        with open(script, "w") as f:
            f.write("n = 0\nfunction filter(event)\n  n = n + 1\n  event.group = 'n' .. n\nend\n")
        err = os.path.join(db.dir, "err.txt")
        with open(err, "wb") as fe:
            # stdout is a pipe nobody reads yet: rowcast blocks in the middle
            # of the transaction once the pipe is full
            p = subprocess.Popen([rowcast_binary(), "stream", "--source", db.url(), "--start",
                                  start, "--heartbeat", "1", "--no-queries", "--filter",
                                  f"capture={script}"], stdout=subprocess.PIPE, stderr=fe)
        try:
            deadline = time.monotonic() + 30
            dump = []
            while not dump and time.monotonic() < deadline:
                dump = [r for r in db.query("SHOW PROCESSLIST")
                        if r["Command"] == "Binlog Dump"]
                time.sleep(0.1)
            assert dump, "rowcast's dump connection never appeared"
            time.sleep(1.0)  # let it fill the pipe and block mid-transaction
            db.sql(f"KILL CONNECTION {dump[0]['Id']}")
            lines = []
            for line in p.stdout:
                lines.append(line)
                if len(lines) == rows + 1:
                    break
        finally:
            p.send_signal(signal.SIGTERM)
            p.stdout.close()
            rc = p.wait(30)
        with open(err, encoding="utf-8") as f:
            stderr = f.read()
        assert rc == 0, f"exit {rc}: {stderr}"
        assert "reconnecting" in stderr, stderr
        events = [loads(x) for x in lines]
        ids = [e["new"]["id"] for e in events]
        assert ids == list(range(1, rows + 1)) + [0], "changes lost or repeated"
        groups = [e["group"] for e in events]
        bad = [(i, g) for i, g in enumerate(groups) if g != f"n{i + 1}"]
        assert not bad, f"the script saw changes again: first at {bad[:3]}"
        # the reconnect happened inside the big transaction, not after it
        assert events[rows - 1]["commit"] is True and not events[0]["commit"]
