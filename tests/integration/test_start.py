"""--start: a file and offset, a MariaDB GTID list, and `now` each start the
stream exactly there: the changes after it, none before."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness.mariadb import MariaDB
from harness.rowcast import run_rowcast


def _ids(r):
    assert r.returncode == 0, str(r)
    return [e["new"]["id"] for e in r.events() if e["operation"] == "insert"]


def test_start_positions():
    with MariaDB() as db:
        db.sql("CREATE DATABASE s; CREATE TABLE s.t (id INT PRIMARY KEY);")
        db.sql("".join(f"INSERT INTO s.t VALUES ({i});" for i in range(1, 4)))
        st = db.master_status()
        file, pos = st["file"], st["pos"]
        gtid = db.scalar("SELECT @@gtid_binlog_pos")
        db.sql("".join(f"INSERT INTO s.t VALUES ({i});" for i in range(4, 7)))

        r = run_rowcast("stream", "--source", db.url(), "--start", f"{file}:{pos}", "--stop-at-end")
        assert _ids(r) == [4, 5, 6]
        r = run_rowcast("stream", "--source", db.url(), "--start", f"gtid:{gtid}", "--stop-at-end")
        assert _ids(r) == [4, 5, 6]
        first = r.events()[0]
        assert first["gtid"].startswith("0-1-"), first
        r = run_rowcast("stream", "--source", db.url(), "--start", "beginning", "--stop-at-end")
        assert _ids(r) == [1, 2, 3, 4, 5, 6]
        r = run_rowcast("stream", "--source", db.url(), "--start", "now", "--stop-at-end")
        assert r.returncode == 0 and r.stdout == "", str(r)
