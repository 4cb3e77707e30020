"""ALTER TABLE between row events (add, drop, reorder and rename columns).

With binlog_row_metadata=FULL every event maps to the columns of its own
time. Without it rowcast takes names from information_schema; when the
stream is behind a later ALTER it must stop with an error that says so and
how to set FULL, and never print a row under the wrong column names."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness.mariadb import MariaDB
from harness.rowcast import loads, rowcast_binary, run_rowcast

# (statement, the insert's expected new image afterwards)
STEPS = [
    ("CREATE TABLE sc.t (a INT PRIMARY KEY, b VARCHAR(10))", None),
    ("INSERT INTO sc.t VALUES (1, 'x')", {"a": 1, "b": "x"}),
    ("ALTER TABLE sc.t ADD COLUMN c INT", None),
    ("INSERT INTO sc.t VALUES (2, 'y', 20)", {"a": 2, "b": "y", "c": 20}),
    ("ALTER TABLE sc.t DROP COLUMN b", None),
    ("INSERT INTO sc.t VALUES (3, 30)", {"a": 3, "c": 30}),
    ("ALTER TABLE sc.t ADD COLUMN d INT FIRST", None),
    ("INSERT INTO sc.t VALUES (400, 4, 40)", {"d": 400, "a": 4, "c": 40}),
    # a swap of two INT columns: same count, same types
    ("ALTER TABLE sc.t MODIFY c INT FIRST", None),
    ("INSERT INTO sc.t VALUES (50, 500, 5)", {"c": 50, "d": 500, "a": 5}),
    ("ALTER TABLE sc.t RENAME COLUMN c TO e", None),
    ("INSERT INTO sc.t VALUES (60, 600, 6)", {"e": 60, "d": 600, "a": 6}),
]


def run_steps(db, pause=0.0):
    db.sql("CREATE DATABASE sc")
    for stmt, _ in STEPS:
        db.sql(stmt + ";")
        if pause:
            time.sleep(pause)


def expected_inserts():
    return [image for _, image in STEPS if image is not None]


def inserts(events):
    return [e for e in events if e["operation"] == "insert"]


def test_full_metadata_maps_each_event_to_its_time():
    with MariaDB() as db:
        run_steps(db)
        r = run_rowcast("stream", "--source", db.url(), "--start", "beginning", "--stop-at-end")
        assert r.returncode == 0, str(r)
        got = inserts(r.events())
        assert [e["new"] for e in got] == expected_inserts()
        for e in got:
            assert e["columns"] == list(e["new"]), e


def test_without_full_metadata_behind_an_alter_stops():
    with MariaDB(options=["--binlog-row-metadata=MINIMAL"]) as db:
        run_steps(db)
        # the table's definition is from the last ALTER: every earlier row
        # event is behind it
        r = run_rowcast("stream", "--source", db.url(), "--start", "beginning", "--stop-at-end")
        assert r.returncode != 0, str(r)
        line = r.stderr.strip().splitlines()[-1]
        assert "binlog_row_metadata=FULL" in line and "sc.t" in line, line
        assert "ALTER" in line or "altered" in line, line
        for e in inserts(r.events()):
            assert e["new"] in expected_inserts(), f"wrong mapping: {e['new']}"


def test_without_full_metadata_live_follows_each_alter():
    """Streaming live, each ALTER passes through the stream before the rows
    written after it, so each row is mapped with the definition of its time.
    The next ALTER runs only once rowcast has written the row before it (not
    after a fixed pause, which a loaded machine can outrun)."""
    with MariaDB(options=["--binlog-row-metadata=MINIMAL"]) as db:
        start = db.position()
        out = os.path.join(db.dir, "live.jsonl")
        with open(out, "wb") as f:
            p = subprocess.Popen([rowcast_binary(), "stream", "--source", db.url(),
                                  "--start", start, "--heartbeat", "1", "--no-queries"],
                                 stdout=f, stderr=subprocess.PIPE)

        def wait_lines(n):
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and p.poll() is None:
                with open(out, "rb") as f:
                    if f.read().count(b"\n") >= n:
                        return
                time.sleep(0.05)

        try:
            db.sql("CREATE DATABASE sc")
            written = 0
            for stmt, image in STEPS:
                db.sql(stmt + ";")
                if image is not None:
                    written += 1
                    wait_lines(written)
        finally:
            if p.poll() is None:
                p.terminate()
            _, err = p.communicate(timeout=30)
        with open(out, encoding="utf-8") as f:
            got = [loads(line) for line in f]
        assert [e["new"] for e in inserts(got)] == expected_inserts(), err.decode()
