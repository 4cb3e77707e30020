"""Every error a user can cause ends rowcast with one line on stderr that
starts "rowcast: " and says what is wrong, and an exit status that tells the
kind (SPEC §5): 2 usage, 3 connection/login/privilege/server configuration,
4 start position not on the server, 5 corrupt input."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness.mariadb import MariaDB, free_port
from harness.rowcast import FIXTURES, run_rowcast

USAGE, SERVER, POSITION, CORRUPT = 2, 3, 4, 5


def expect_error(result, status, *phrases, one_line=True):
    """RESULT exited with STATUS and its stderr line holds every PHRASE."""
    assert not result.timed_out, f"rowcast hung:\n{result}"
    assert result.returncode == status, f"expected exit status {status}:\n{result}"
    if one_line:
        line = result.error_line()
    else:
        line = result.stderr.strip().split("\n")[0]
    assert line.startswith("rowcast: "), f"stderr does not start with 'rowcast: ':\n{result}"
    for phrase in phrases:
        assert phrase in line, f"stderr does not say {phrase!r}:\n{result}"
    return line


def stream(db_url, *more):
    return run_rowcast("stream", "--source", db_url, "--start", "beginning", "--stop-at-end",
                       *more, timeout=30)


# -- usage ----------------------------------------------------------------------

def test_usage_errors():
    # No arguments at all: the usage text, and the status of a usage error.
    r = run_rowcast(timeout=10)
    assert r.returncode == USAGE and "stream" in r.stderr and r.stdout == "", str(r)
    for args in (["frobnicate"], ["stream"],
                 ["stream", "--source", "mysql://root@127.0.0.1:1", "--start", "sideways"],
                 ["stream", "--source", "mysql://root@127.0.0.1:1", "--bogus-flag"]):
        r = run_rowcast(*args, timeout=10)
        assert r.returncode == USAGE, f"expected exit status {USAGE}:\n{r}"
        assert r.stderr.startswith("rowcast: "), f"stderr does not start with 'rowcast: ':\n{r}"
        assert r.stdout == "", f"nothing belongs on stdout:\n{r}"


def test_bad_source_url():
    r = run_rowcast("stream", "--source", "postgres://root@127.0.0.1:5432", timeout=10)
    expect_error(r, USAGE, "postgres://root@127.0.0.1:5432")


# -- the server -------------------------------------------------------------------

def test_unreachable_server():
    port = free_port()  # nothing listens there
    r = stream(f"mysql://root@127.0.0.1:{port}")
    expect_error(r, SERVER, f"cannot connect to 127.0.0.1:{port}")
    assert r.stdout == ""


def test_login_refused():
    with MariaDB() as db:
        db.create_user("alice", "right")
        r = stream(db.url("alice", "wrong"))
        expect_error(r, SERVER, "login refused for user 'alice'")
        assert "wrong" not in r.stderr, "the password must not be printed"


def test_without_replication_slave():
    with MariaDB() as db:
        db.create_user("watcher", "pw", grants=["REPLICATION CLIENT", "SELECT"])
        r = stream(db.url("watcher", "pw"))
        expect_error(r, SERVER, "lacks the REPLICATION SLAVE privilege")


def test_without_replication_client():
    with MariaDB() as db:
        db.create_user("replica", "pw", grants=["REPLICATION SLAVE", "SELECT"])
        r = stream(db.url("replica", "pw"))
        expect_error(r, SERVER, "lacks the REPLICATION CLIENT")


def test_binlog_off():
    with MariaDB(log_bin=False) as db:
        r = stream(db.url())
        expect_error(r, SERVER, "binary logging is off")


def test_binlog_format_statement():
    with MariaDB() as db:
        db.sql("SET GLOBAL binlog_format = 'STATEMENT'")
        r = stream(db.url())
        expect_error(r, SERVER, "binlog_format is STATEMENT")


def purged_server():
    """A server whose first two binlog files are purged: GTID 0-1-1 was in
    mysql-bin.000001, 0-1-2 in mysql-bin.000002; only mysql-bin.000003 is left."""
    db = MariaDB().start()
    try:
        db.sql("CREATE DATABASE d1")
        db.flush_logs()
        db.sql("CREATE DATABASE d2")
        db.flush_logs()
        assert db.purge_binary_logs_to("mysql-bin.000003") == ["mysql-bin.000003"]
    except BaseException:
        db.stop()
        raise
    return db


def stream_from(db, start):
    return run_rowcast("stream", "--source", db.url(), "--start", start, "--stop-at-end",
                       timeout=30)


def test_start_position_purged():
    with purged_server() as db:
        r = stream_from(db, "mysql-bin.000001:4")
        expect_error(r, POSITION, "mysql-bin.000001", "is not on the server")


def test_start_gtid_purged():
    with purged_server() as db:
        # What comes after 0-1-1 (that is 0-1-2) was in a purged file.
        r = stream_from(db, "gtid:0-1-1")
        expect_error(r, POSITION, "is not on the server")


def test_start_file_never_existed():
    with purged_server() as db:
        r = stream_from(db, "mysql-bin.000009:4")
        expect_error(r, POSITION, "mysql-bin.000009", "is not on the server")


# -- files ----------------------------------------------------------------------------
# The line names the file, then what is wrong and where: "FILE: ... offset N ...".

def read(name):
    return run_rowcast("read", os.path.join(FIXTURES, name), timeout=30)


def test_read_truncated_event_header():
    r = read("binlog_truncated_event.000001")
    expect_error(r, CORRUPT, "binlog_truncated_event.000001: ",
                 "truncated event header at offset 4")
    assert r.stdout == "", "the file holds no complete event"


def test_read_truncated_second_event():
    r = read("binlog_truncated_prev_gtid_event.000001")
    expect_error(r, CORRUPT, "binlog_truncated_prev_gtid_event.000001: ",
                 "truncated event header at offset 120")


def test_read_not_a_binlog():
    r = read("non-binlog")
    expect_error(r, CORRUPT, "non-binlog: ", "bad magic")
    assert r.stdout == ""


def test_read_corrupt_event():
    # Event 872 at offset 91204 is a QUERY event whose lengths run past its end
    # (EXPECTED.md §4); the events before it may be printed.
    r = read("corrupt-relay-bin.000624")
    expect_error(r, CORRUPT, "corrupt-relay-bin.000624: ", "offset 91204")


def test_read_missing_file():
    path = os.path.join(FIXTURES, "no-such-file.000001")
    r = run_rowcast("read", path, timeout=10)
    assert r.returncode != 0, f"expected a failure:\n{r}"
    line = r.error_line()
    assert line.startswith("rowcast: ") and "no-such-file.000001" in line, str(r)
