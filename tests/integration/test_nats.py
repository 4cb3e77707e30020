"""The NATS transports (src/sink/sink_nats.c) against a real nats-server.

  - core NATS: two `rowcast subscribe nats://...` started before the stream
    each print every event once, in binlog order;
  - JetStream: the stream holds every event once; a durable subscriber that
    stops halfway continues where it stopped;
  - outage: nats-server is stopped for 10 s while a writer keeps changing rows
    and rowcast streams; afterwards the stream holds every change exactly once;
  - crash: rowcast is SIGKILLed several times and restarted from its
    checkpoint; the repeated events are dropped by JetStream's duplicate
    window (Nats-Msg-Id), so the stream again holds every change once.

The reference for "every event" is always a plain `rowcast stream
--stop-at-end` of the same binlog to stdout.
"""

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

import harness
from harness.mariadb import MariaDB
from harness.nats import NatsServer
from harness.rowcast import loads, run_rowcast, rowcast_binary, start_rowcast

PROBE = '{"probe":true}'


def reference(db):
    """Every row change in db's binlog, as rowcast prints it to stdout."""
    r = run_rowcast("stream", "--source", db.url(), "--start", "beginning", "--stop-at-end",
                    "--no-queries", timeout=120)
    assert r.returncode == 0, r
    return r.lines()


def lines_of(path):
    """The complete lines written to path so far."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    return text[:text.rfind("\n") + 1].split("\n")[:-1] if "\n" in text else []


def wait_lines(path, count, timeout=60, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(lines_of(path)) >= count:
            return
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"{len(lines_of(path))} of {count} lines in {path}")


def subscribe(url, out, *args):
    """`rowcast subscribe URL ARGS...` in the background, stdout to out."""
    with open(out, "wb") as fo, open(out + ".err", "wb") as fe:
        return subprocess.Popen([rowcast_binary(), "subscribe", url] + list(args),
                                stdin=subprocess.DEVNULL, stdout=fo, stderr=fe)


def stop(proc, timeout=30):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout)


def read_stream(url, workdir, expected, settle=3.0, durable=None, tag="read"):
    """Everything a fresh consumer of the JetStream stream behind url gets:
    waits for `expected` messages, then `settle` seconds more for extras."""
    out = os.path.join(workdir, f"{tag}.jsonl")
    args = ["--durable", durable] if durable else []
    p = subscribe(url, out, *args)
    try:
        wait_lines(out, expected, timeout=120, proc=p)
        time.sleep(settle)
    finally:
        stop(p)
    return lines_of(out)


def assert_same_events(got, want, what):
    """got holds exactly the events of want, each once (order aside)."""
    g, w = collections.Counter(got), collections.Counter(want)
    missing = w - g
    extra = g - w
    assert not missing and not extra, (
        f"{what}: {len(got)} events for {len(want)} expected; "
        f"{sum(missing.values())} missing, e.g. {list(missing)[:2]}; "
        f"{sum(extra.values())} extra, e.g. {list(extra)[:2]}")


def mixed_workload(db):
    db.sql("CREATE DATABASE n; CREATE TABLE n.a (id INT PRIMARY KEY, v VARCHAR(20)); "
           "CREATE TABLE n.b (k VARCHAR(10) PRIMARY KEY, x DOUBLE, j JSON);")
    stmts = []
    for i in range(1, 121):
        stmts.append(f"INSERT INTO n.a VALUES ({i}, 'a{i}');")
        if i % 3 == 0:
            stmts.append(f"INSERT INTO n.b VALUES ('k{i}', {i}.5, '{{\"i\": {i}}}');")
        if i % 5 == 0:
            stmts.append(f"BEGIN; UPDATE n.a SET v = 'u{i}' WHERE id = {i - 1}; "
                         f"DELETE FROM n.a WHERE id = {i - 2}; COMMIT;")
    stmts.append("UPDATE n.b SET x = x * 2;")
    stmts.append("DELETE FROM n.b WHERE x > 200;")
    db.sql("\n".join(stmts))


class Writer(threading.Thread):
    """Inserts rows (and updates every third) through one mariadb client until
    stopped; ids are consecutive from 1."""

    def __init__(self, db, delay=0.005):
        super().__init__(daemon=True)
        self.delay = delay
        self.stop_event = threading.Event()
        self.client = subprocess.Popen(db.client_command("w", extra=["--batch"]),
                                       stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, text=True)
        self.inserted = 0

    def run(self):
        while not self.stop_event.is_set():
            i = self.inserted + 1
            text = f"INSERT INTO t VALUES ({i}, 'r{i}');"
            if i % 3 == 0:
                text = f"BEGIN; {text} UPDATE t SET v = 'u{i}' WHERE id = {i - 1}; COMMIT;"
            self.client.stdin.write(text + "\n")
            self.client.stdin.flush()
            self.inserted = i
            time.sleep(self.delay)

    def finish(self):
        self.stop_event.set()
        self.join()
        self.client.stdin.close()
        err = self.client.stderr.read()
        assert self.client.wait(60) == 0, f"the writer's client failed: {err}"


def check_writer_changes(events, inserted):
    """Each insert by id once, each update once."""
    ins = collections.Counter(e["new"]["id"] for e in events if e["operation"] == "insert")
    upd = collections.Counter(e["new"]["id"] for e in events if e["operation"] == "update")
    assert sorted(ins) == list(range(1, inserted + 1)), f"inserts: {len(ins)} of {inserted}"
    assert all(n == 1 for n in ins.values()), [i for i, n in ins.items() if n > 1][:10]
    assert sorted(upd) == [i - 1 for i in range(3, inserted + 1, 3)], f"updates: {len(upd)}"
    assert all(n == 1 for n in upd.values()), [i for i, n in upd.items() if n > 1][:10]


def test_two_subscribers_get_every_event_in_order():
    with MariaDB() as db, NatsServer() as nats:
        mixed_workload(db)
        want = reference(db)
        url = nats.url("rc.events")
        outs = [os.path.join(db.dir, f"sub{k}.jsonl") for k in (1, 2)]
        subs = [subscribe(url, out) for out in outs]
        try:
            # Probes until both print one: then both are surely subscribed.
            deadline = time.monotonic() + 30
            while not all(lines_of(o) for o in outs):
                assert time.monotonic() < deadline, "subscribers did not start"
                nats.publish("rc.events", PROBE)
                time.sleep(0.1)
            r = run_rowcast("stream", "--source", db.url(), "--start", "beginning",
                            "--stop-at-end", "--no-queries", "--sink", url)
            assert r.returncode == 0, r
            for out in outs:
                n_probe = lines_of(out).count(PROBE)
                wait_lines(out, n_probe + len(want))
            time.sleep(1)  # nothing more may come
        finally:
            for p in subs:
                stop(p)
        for out in outs:
            got = [line for line in lines_of(out) if line != PROBE]
            # One connection publishes in order, so each subscriber sees the
            # binlog's order, which is each table's order too.
            assert got == want, f"{out}: {len(got)} events, {len(want)} expected"


def test_jetstream_holds_every_event_once_and_durable_resumes():
    with MariaDB() as db, NatsServer() as nats:
        mixed_workload(db)
        want = reference(db)
        url = nats.url("rc.js", scheme="jetstream", stream="RC")
        for _ in range(2):  # a second full run: every message is a duplicate
            r = run_rowcast("stream", "--source", db.url(), "--start", "beginning",
                            "--stop-at-end", "--no-queries", "--sink", url)
            assert r.returncode == 0, r
        got = read_stream(url, db.dir, len(want))
        assert got == want, f"{len(got)} events in the stream, {len(want)} expected"
        # A durable consumer that stops halfway continues where it stopped.
        half = len(want) // 2
        first = run_rowcast("subscribe", url, "--durable", "d1", "--count", half)
        assert first.returncode == 0, first
        rest = run_rowcast("subscribe", url, "--durable", "d1", "--count", len(want) - half)
        assert rest.returncode == 0, rest
        assert first.lines() + rest.lines() == want


@harness.timeout(180)
def test_jetstream_outage_loses_and_repeats_nothing():
    with MariaDB() as db, NatsServer() as nats:
        db.sql("CREATE DATABASE w; CREATE TABLE w.t (id INT PRIMARY KEY, v VARCHAR(20));")
        url = nats.url("rc.out", scheme="jetstream", stream="OUT")
        err = os.path.join(db.dir, "stream.err")
        writer = Writer(db)
        writer.start()
        with open(err, "wb") as fe:
            p = start_rowcast("stream", "--source", db.url(), "--start", "beginning",
                              "--no-queries", "--heartbeat", "1", "--sink", url,
                              stdout=subprocess.DEVNULL, stderr=fe)
        try:
            time.sleep(4)
            nats.pause()
            time.sleep(10)
            nats.restart()
            time.sleep(4)
            writer.finish()
            want = [line for line in reference(db)]
            # rowcast catches up once the broker is back; then stop it cleanly.
            got = read_stream(url, db.dir, len(want), settle=2)
        finally:
            rc = stop(p)
        with open(err, encoding="utf-8", errors="replace") as f:
            stderr = f.read()
        assert rc == 0, f"exit {rc}: {stderr[-2000:]}"
        assert "unreachable" in stderr, stderr[-2000:]
        check_writer_changes([loads(line) for line in got], writer.inserted)
        assert_same_events(got, want, "after the outage")


@harness.timeout(240)
def test_jetstream_crash_restart_exactly_once():
    seed = int(os.environ.get("ROWCAST_NATS_SEED", random.randrange(1 << 30)))
    print(f"seed {seed} (ROWCAST_NATS_SEED={seed} repeats it)")
    rng = random.Random(seed)
    with MariaDB(options=["max_binlog_size=65536"]) as db, NatsServer() as nats:
        db.sql("CREATE DATABASE w; CREATE TABLE w.t (id INT PRIMARY KEY, v VARCHAR(20));")
        url = nats.url("rc.crash", scheme="jetstream", stream="CRASH")
        cp = os.path.join(db.dir, "checkpoint.json")
        err = os.path.join(db.dir, "stream.err")
        writer = Writer(db, delay=0.002)
        writer.start()
        try:
            for _ in range(5):
                with open(err, "ab") as fe:
                    p = start_rowcast("stream", "--source", db.url(), "--start", "beginning",
                                      "--checkpoint", cp, "--no-queries", "--sink", url,
                                      stdout=subprocess.DEVNULL, stderr=fe)
                time.sleep(rng.uniform(0.5, 2.5))
                p.kill()  # SIGKILL: no flush, no last checkpoint
                p.wait()
        finally:
            writer.finish()
        r = run_rowcast("stream", "--source", db.url(), "--start", "beginning",
                        "--checkpoint", cp, "--stop-at-end", "--no-queries", "--sink", url,
                        timeout=120)
        assert r.returncode == 0, r
        want = reference(db)
        got = read_stream(url, db.dir, len(want))
        check_writer_changes([loads(line) for line in got], writer.inserted)
        assert_same_events(got, want, "after SIGKILLs")


def test_subject_template_and_wildcard_subscribers():
    """A subject template routes each table to its own subject; subscribe
    takes wildcards (a template's placeholders count as '*')."""
    with MariaDB() as db, NatsServer() as nats:
        mixed_workload(db)
        want = reference(db)
        want_a = [line for line in want if loads(line)["table"] == "a"]
        outs = {k: os.path.join(db.dir, f"{k}.jsonl") for k in ("all", "a")}
        subs = {"all": subscribe(nats.url("rc.{schema}.{table}"), outs["all"]),
                "a": subscribe(nats.url("rc.n.a"), outs["a"])}
        try:
            deadline = time.monotonic() + 30
            while not all(lines_of(o) for o in outs.values()):
                assert time.monotonic() < deadline, "subscribers did not start"
                nats.publish("rc.n.a", PROBE)
                time.sleep(0.1)
            r = run_rowcast("stream", "--source", db.url(), "--start", "beginning",
                            "--stop-at-end", "--no-queries", "--sink",
                            nats.url("rc.{schema}.{table}"))
            assert r.returncode == 0, r
            for k, expect in (("all", want), ("a", want_a)):
                wait_lines(outs[k], lines_of(outs[k]).count(PROBE) + len(expect))
            time.sleep(1)
        finally:
            for p in subs.values():
                stop(p)
        got = {k: [line for line in lines_of(o) if line != PROBE] for k, o in outs.items()}
        assert got["all"] == want
        assert got["a"] == want_a


def test_nats_login():
    with MariaDB() as db, NatsServer(user="rc", password="s3cr:t@x") as nats:
        db.sql("CREATE DATABASE n; CREATE TABLE n.a (id INT PRIMARY KEY); "
               "INSERT INTO n.a VALUES (1), (2);")
        r = run_rowcast("stream", "--source", db.url(), "--start", "beginning",
                        "--stop-at-end", "--no-queries", "--sink",
                        nats.url("x", scheme="jetstream", stream="X"))
        assert r.returncode == 0, r
        got = run_rowcast("subscribe", nats.url("x", scheme="jetstream", stream="X"),
                          "--count", 2)
        assert got.returncode == 0, got
        assert [loads(line)["new"]["id"] for line in got.lines()] == [1, 2]
        wrong = f"nats://rc:nope@127.0.0.1:{nats.port}/x"
        r = run_rowcast("subscribe", wrong)
        assert r.returncode == 3, r
        line = r.error_line()
        assert "login refused" in line and "nope" not in line, r


def test_subject_outside_the_stream_stops_rowcast():
    with MariaDB() as db, NatsServer() as nats:
        db.sql("CREATE DATABASE n; CREATE TABLE n.a (id INT PRIMARY KEY); "
               "INSERT INTO n.a VALUES (1);")
        args = ("stream", "--source", db.url(), "--start", "beginning", "--stop-at-end",
                "--no-queries", "--sink")
        r = run_rowcast(*args, nats.url("in", scheme="jetstream", stream="S"))
        assert r.returncode == 0, r
        r = run_rowcast(*args, nats.url("out", scheme="jetstream", stream="S"), timeout=30)
        assert not r.timed_out and r.returncode != 0, r
        assert "no stream takes subject 'out'" in r.stderr, r


def test_bad_nats_urls():
    with NatsServer() as nats:
        r = run_rowcast("subscribe", f"jetstream://127.0.0.1:{nats.port}/x?stream=NOPE")
        assert r.returncode != 0 and "NOPE" in r.error_line(), r
    r = run_rowcast("stream", "--source", "mysql://root@127.0.0.1:1", "--sink",
                    "nats://127.0.0.1:1/x")
    assert r.returncode != 0, r
    assert len([l for l in r.stderr.split("\n") if l.strip()]) == 1, r
