"""`rowcast apply --relay-log DIR` (src/apply/rc_relay.c): events are written
to a local, fsynced relay log as they arrive and applied from it, as a MySQL
replica's IO and SQL threads do.

  - Fig. 4 (row format) with a relay log on each replica.
  - crash: the appliers are SIGKILLed again and again during a random
    workload, and now and then a torn record (half of a write) is left at the
    end of the newest segment; each target ends with exactly its share, and
    the torn records were cut.
  - segments: with 4 KiB segments the relay log rolls over many times and
    the applied segments are removed.
  - a damaged record in the middle of the relay log: one clear error line on
    stderr, exit status 5, the file left as it is.
  - what the relay log holds is applied after a crash although the transport
    has acknowledged it and gives it no more (the target hung meanwhile).
  - bad --workers / --relay-log values: one error line each.
"""

import glob
import importlib.util
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

import harness

_spec = importlib.util.spec_from_file_location("apply_base", os.path.join(HERE, "test_apply.py"))
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)


def segments(relay_dir):
    """The relay log's segment files, oldest first."""
    return sorted(glob.glob(os.path.join(relay_dir, "relay.[0-9]*")))


def torn_record():
    """The first 60 bytes of a 400-byte record, with a sound header: what a
    crash in the middle of the write() of a record leaves."""
    payload = bytes([1]) + b"\x00" * 399
    head = struct.pack("<II", len(payload), zlib.crc32(payload))
    return (head + struct.pack("<I", zlib.crc32(head)) + payload)[:60]


@harness.timeout(180)
def test_fig4_row_format_through_relay_logs():
    d = tempfile.mkdtemp(prefix="rc-relay-")
    odd = base.write_script(d, "odd_rows.lua", base.ROW_SCRIPT % 0)
    even = base.write_script(d, "even_rows.lua", base.ROW_SCRIPT % 1)
    base.fig4(False, ["--filter", "apply=" + odd, "--relay-log", os.path.join(d, "odd")],
              ["--filter", "apply=" + even, "--relay-log", os.path.join(d, "even")])
    for tag in ("odd", "even"):
        segs = segments(os.path.join(d, tag))
        assert segs and os.path.getsize(segs[-1]) > 8, segs  # the events went through it


@harness.timeout(300)
def test_relay_log_appliers_killed_repeatedly_with_torn_records():
    torn = {"n": 0}

    def tear(tag, d, rnd):
        if rnd.random() < 0.5:
            segs = segments(os.path.join(d, "relay-" + tag))
            if segs:
                with open(segs[-1], "ab") as f:
                    f.write(torn_record())
                torn["n"] += 1

    logs = base.partitioned_crash(
        lambda tag, d: ["--relay-log", os.path.join(d, "relay-" + tag),
                        "--relay-log-size", "8192"],
        after_kill=tear, bulk=True, keys=400)
    cut = sum(logs[t].count("cut a torn last record") for t in logs)
    assert torn["n"] >= 2 and cut == torn["n"], (torn, cut)


@harness.timeout(180)
def test_relay_log_segments_roll_over_and_applied_ones_are_removed():
    with base.master_target_stream("rc.segs", "SEGS") as (master, target, url, stream):
        d = master.dir
        relay = os.path.join(d, "relay")
        p = base.apply_proc(d, "t", url, target, "--durable", "t", "--relay-log", relay,
                            "--relay-log-size", "4096")
        try:
            master.sql(base.SCHEMA_SQL)
            for i in range(20):
                master.sql("INSERT INTO clusterdb.subs1 (sub_id, code) SELECT seq, %d "
                           "FROM seq_%d_to_%d" % (i, 10 * i + 1, 10 * i + 10), database="clusterdb")
            want = master.query("SELECT * FROM clusterdb.subs1 ORDER BY sub_id")
            assert len(want) == 200
            sql = "SELECT * FROM clusterdb.subs1 ORDER BY sub_id"
            base.wait_rows(target, sql, want, [p, stream])
            # Applied: only the segment being written stays, and it is not
            # the first (200 events of ~300 bytes in 4 KiB segments).
            deadline = 30
            while len(segments(relay)) > 1 and deadline > 0:
                base.time.sleep(0.2)
                deadline -= 0.2
            segs = segments(relay)
            assert len(segs) == 1, segs
            assert int(segs[0].rsplit(".", 1)[1]) >= 10, segs
        finally:
            code = base.stop(p)
            base.stop(stream)
        assert code == 0, base.err_text(d, "t")


@harness.timeout(180)
def test_relay_log_damaged_record_in_the_middle_is_one_error_line():
    with base.master_target_stream("rc.bad", "BAD") as (master, target, url, stream):
        d = master.dir
        relay = os.path.join(d, "relay")
        try:
            master.sql(base.SCHEMA_SQL + base.DATA_SQL)
            p = base.apply_proc(d, "t", url, target, "--durable", "t", "--relay-log", relay)
            sql = "SELECT * FROM clusterdb.subs1 ORDER BY sub_id"
            base.wait_rows(target, sql, master.query(sql), [p, stream])
            assert base.stop(p) == 0
        finally:
            base.stop(stream)
        segs = segments(relay)
        assert len(segs) == 1, segs
        # One byte in the middle of the segment: inside a record that is
        # neither the first nor the last (10 records of ~300 bytes).
        with open(segs[0], "r+b") as f:
            data = bytearray(f.read())
            middle = len(data) // 2
            data[middle] ^= 0x01
            f.seek(0)
            f.write(data)
        r = subprocess.run([base.rowcast_binary(), "apply", "--from", url, "--target",
                            target.url(), "--durable", "t", "--relay-log", relay],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        err = r.stderr.decode("utf-8", "replace")
        lines = [line for line in err.split("\n") if line.strip()]
        assert r.returncode == 5, (r.returncode, err)
        assert len(lines) == 1, err
        assert lines[0].startswith("rowcast: relay log " + segs[0] + ": record at offset "), err
        assert "is damaged" in lines[0], err
        with open(segs[0], "rb") as f:
            assert f.read() == bytes(data)  # nothing cut, nothing rewritten


def test_bad_relay_and_worker_options_are_one_error_line():
    """Bad values stop rowcast apply before it connects anywhere: one line on
    stderr, exit status 2 (usage) or 1 (a relay log directory it cannot
    make), and no relay log written."""
    from harness.rowcast import run_rowcast
    d = tempfile.mkdtemp(prefix="rc-relay-opts-")
    common = ["apply", "--from", "nats://127.0.0.1:9/x", "--target", "mysql://root@127.0.0.1:9"]
    cases = [
        (["--workers", "0"], 2, "--workers '0': a number from 1 to 64"),
        (["--workers", "many"], 2, "--workers 'many': a number from 1 to 64"),
        (["--relay-log", d, "--relay-log-size", "12"], 2,
         "--relay-log-size '12': a number of bytes, 4096 or more"),
        (["--relay-log", d, "--relay-log-segments", "1"], 2,
         "--relay-log-segments '1': a number, 2 or more"),
        (["--relay-log", "/proc/no/such/dir"], 1, "relay log /proc/no/such/dir: mkdir: "),
    ]
    for extra, status, text in cases:
        r = run_rowcast(*(common + extra), timeout=30)
        line = r.error_line()
        assert r.returncode == status, (extra, str(r))
        assert line.startswith("rowcast: ") and text in line, (extra, line)
    assert segments(d) == []
    # A relay log file that is not one: refused, left alone.
    with open(os.path.join(d, "relay.000001"), "wb") as f:
        f.write(b"not a relay log")
    r = run_rowcast(*(common + ["--relay-log", d]), timeout=30)
    assert r.returncode == 5, str(r)
    assert r.error_line() == (f"rowcast: relay log {d}/relay.000001: not a rowcast relay log "
                              "segment"), str(r)
    with open(os.path.join(d, "relay.000001"), "rb") as f:
        assert f.read() == b"not a relay log"


def relay_records(relay_dir):
    """The records of a relay log, read here by its documented format (not by
    rowcast): [(flags, position), ...]."""
    out = []
    for seg in segments(relay_dir):
        with open(seg, "rb") as f:
            data = f.read()
        assert data[:8] == b"RCRELAY1", seg
        off = 8
        while off + 12 <= len(data):
            n, crc, hcrc = struct.unpack_from("<III", data, off)
            payload = data[off + 12:off + 12 + n]
            if len(payload) < n or zlib.crc32(data[off:off + 8]) != hcrc:
                break
            assert zlib.crc32(payload) == crc, (seg, off)
            plen = struct.unpack_from("<H", payload, 1)[0]
            out.append((payload[0], payload[3:3 + plen].decode()))
            off += 12 + n
    return out


@harness.timeout(180)
def test_relay_log_content_is_applied_after_a_crash_without_the_transport():
    """The target hangs (SIGSTOP) while events arrive: the relay log takes
    them all and the transport is acknowledged; the applier is SIGKILLed.
    The transport has nothing more to give, yet after a restart the target
    gets every row: from the relay log."""
    with base.master_target_stream("rc.held", "HELD") as (master, target, url, stream):
        d = master.dir
        relay = os.path.join(d, "relay")
        master.sql(base.SCHEMA_SQL)
        p = base.apply_proc(d, "h1", url, target, "--durable", "h", "--relay-log", relay)
        sql = "SELECT * FROM clusterdb.subs1 ORDER BY sub_id"
        base.wait_rows(target, "SHOW TABLES FROM clusterdb", [{"Tables_in_clusterdb": "subs1"},
                                                              {"Tables_in_clusterdb": "sys1"}],
                       [p, stream])
        os.kill(target.proc.pid, signal.SIGSTOP)
        try:
            for i in range(10):
                master.sql("INSERT INTO clusterdb.subs1 (sub_id, code) SELECT seq, %d FROM "
                           "seq_%d_to_%d" % (i, 20 * i + 1, 20 * i + 20), database="clusterdb")
            deadline = time.monotonic() + 60
            while len(relay_records(relay)) < 3 + 200:  # the statements and the rows
                assert time.monotonic() < deadline, relay_records(relay)[-3:]
                time.sleep(0.1)
            time.sleep(0.5)  # the acknowledgements go out after the fsync
            p.send_signal(signal.SIGKILL)
            p.wait()
        finally:
            os.kill(target.proc.pid, signal.SIGCONT)
        assert base.rows(target, sql) in (None, []), "the target got rows while stopped"
        p = base.apply_proc(d, "h2", url, target, "--durable", "h", "--relay-log", relay)
        base.wait_rows(target, sql, master.query(sql), [p, stream])
        assert base.stop(p) == 0
        log = base.err_text(d, "h2")
        assert "the relay log " + relay + " holds events up to " in log, log
        # The rows came from the relay log: the transport had (nearly) all of
        # them acknowledged, and gives back at most its last batch.
        m = re.search(r"apply: (\d+) events received, (\d+) applied", log)
        assert m and int(m.group(2)) >= 200 and int(m.group(1)) < 200, log
