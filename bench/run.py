#!/usr/bin/env python3
"""rowcast's benchmark (`make bench`): rowcast against its peers, same data,
same run. Standard library only. See docs/bench.md.

It starts a throwaway MariaDB (tests/harness/mariadb.py), writes workloads
into it, each in a binlog file of its own, and measures:

  main     1,000,000 INSERT + 500,000 UPDATE + 200,000 DELETE row changes on
           a 9-column table (INT, VARCHAR, DECIMAL, INT, DOUBLE, DATETIME(6),
           ENUM, TEXT, BIGINT UNSIGNED), 1000 rows per transaction:
             rowcast read FILE > /dev/null            (pinned to one core)
             mariadb-binlog --base64-output=decode-rows --verbose FILE
                                                      (pinned to the same core)
             rowcast stream --start FILE:4 --stop-at-end > /dev/null
             node bench/zongji_count.js ...           (@vlasky/zongji)
  size     the same mix at 1/4 and 1/2 of the rows (time per change vs size)
  columns  100,000 INSERTs into tables of 10, 25, 50, 100 columns
  huge     one transaction of ~1 GiB (large TEXT values): rowcast stream's and
           rowcast read's peak RSS and speed
  profile  callgrind of rowcast read on 100,000 row changes; memcpy bandwidth
  sinks    rowcast stream of the main file (or a 1/4-size mix without `main`)
           into core NATS, JetStream, Redis pub/sub and Redis streams
           (throwaway nats-server / redis-server), next to stdout, same rounds
  apply    rowcast apply (one connection, --workers 4) from JetStream against a
           MariaDB replica (SQL thread, slave_parallel_threads=4) applying the
           same binlog (200,000 row changes in 4-row transactions) into the
           same kind of empty server
  latency  COMMIT -> NATS subscriber at 10,000 row changes/s: a node writer
           (bench/latency_writer.js), rowcast stream --start now --sink nats://,
           a Python subscriber (bench/latency_sub.py); median and 99th percentile

Every figure is the median of --runs runs (default 3), the commands of a
phase interleaved round by round so a noisy neighbour hits them alike. The
results go to bench/RESULTS.md (--out), rewritten after every phase.

    python3 bench/run.py             # the full run (several minutes)
    python3 bench/run.py --quick     # 1/10 of the rows, 100 MiB transaction
"""

import argparse
import json
import math
import os
import platform
import re
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from harness.mariadb import MariaDB  # noqa: E402
from harness.nats import NatsServer  # noqa: E402
from harness.redis import Redis  # noqa: E402

ROWCAST = os.path.join(ROOT, "build", "rowcast")
PEERS = os.path.join(HERE, "peers")
NODE_DIR = os.path.join(PEERS, "node")
ZONGJI_DIR = os.path.join(NODE_DIR, "node_modules", "@vlasky", "zongji")
ZONGJI_JS = os.path.join(HERE, "zongji_count.js")
MEMBW_C = os.path.join(HERE, "membw.c")
MEMBW = os.path.join(ROOT, "build", "bench", "membw")
RUNSTAT_C = os.path.join(HERE, "runstat.c")
RUNSTAT = os.path.join(ROOT, "build", "bench", "runstat")
LAT_WRITER = os.path.join(HERE, "latency_writer.js")
LAT_SUB = os.path.join(HERE, "latency_sub.py")
MIB = 1 << 20

SERVER_OPTIONS = [
    "max_binlog_size=1073741824",       # the 1.7M workload in one file
    "binlog_row_metadata=FULL",
    "innodb_buffer_pool_size=1G",
    "innodb_log_file_size=512M",
    "innodb_doublewrite=0",
    "max_allowed_packet=1G",
    "binlog_cache_size=4M",
]
BENCH_USER, BENCH_PASSWORD = "bench", "bench"


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# -- peers and tools ---------------------------------------------------------

def ensure_peers(skip_zongji):
    missing = [t for t in ("mariadb-binlog", "valgrind", "callgrind_annotate", "node")
               if not shutil.which(t)]
    if missing:
        log(f"{', '.join(missing)} missing: installing Debian packages (scripts/install-deps.sh)")
        subprocess.run(["bash", os.path.join(ROOT, "scripts", "install-deps.sh")], check=True)
    if skip_zongji:
        return
    if not os.path.exists(os.path.join(ZONGJI_DIR, "package.json")):
        if not (shutil.which("node") and shutil.which("npm")):
            raise SystemExit("bench: node and npm are needed for the zongji peer "
                             "(or pass --no-zongji)")
        log(f"installing @vlasky/zongji into {NODE_DIR} (npm)")
        os.makedirs(NODE_DIR, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", NODE_DIR,
                        "@vlasky/zongji"], check=True)


def build_tools():
    """bench/membw.c and bench/runstat.c into build/bench/."""
    os.makedirs(os.path.dirname(MEMBW), exist_ok=True)
    for src, exe in ((MEMBW_C, MEMBW), (RUNSTAT_C, RUNSTAT)):
        if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
            subprocess.run([os.environ.get("CC", "cc"), "-O2", "-o", exe, src], check=True)


def build_head():
    """Builds the committed tree (git archive HEAD) in build/bench/head."""
    d = os.path.join(ROOT, "build", "bench", "head")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    arc = subprocess.run(["git", "-C", ROOT, "archive", "HEAD"], stdout=subprocess.PIPE,
                         check=True).stdout
    subprocess.run(["tar", "-x", "-C", d], input=arc, check=True)
    log(f"building HEAD in {d}")
    subprocess.run(["make", "-C", d, "-j", str(os.cpu_count() or 2), "all"],
                   stdout=subprocess.DEVNULL, check=True)
    global HEAD_BUILD
    HEAD_BUILD = True
    return os.path.join(d, "build", "rowcast")


HEAD_BUILD = False


def cmd_out(args):
    try:
        return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              encoding="utf-8", errors="replace", timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"({e})"


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    distro = "?"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    distro = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": f"{os.cpu_count()} online ({len(os.sched_getaffinity(0))} usable)",
        "memory": mem,
        "kernel": platform.release(),
        "os": distro,
    }


def versions():
    v = {
        "rowcast": cmd_out([ROWCAST, "version"]) + f" (`{os.path.relpath(ROWCAST, ROOT)}`)",
        "rowcast commit": cmd_out(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
        + (" (committed tree, built by --head)" if HEAD_BUILD else
           " (working tree with uncommitted changes in src/)"
           if cmd_out(["git", "-C", ROOT, "status", "--porcelain", "--", "src"]) else ""),
        "MariaDB server": cmd_out(["mariadbd", "--version"]) if shutil.which("mariadbd")
        else cmd_out(["/usr/sbin/mariadbd", "--version"]),
        "mariadb-binlog": cmd_out(["mariadb-binlog", "--version"]),
        "mariadb-client (Debian)": cmd_out(["dpkg-query", "-W", "-f=${Version}",
                                            "mariadb-client"]),
        "cc": cmd_out([os.environ.get("CC", "cc"), "--version"]).splitlines()[0],
    }
    if shutil.which("node"):
        v["node"] = cmd_out(["node", "--version"])
    for name, exe in (("nats-server", "nats-server"), ("redis-server", "redis-server")):
        path = shutil.which(exe) or os.path.join("/usr/sbin", exe)
        if os.path.exists(path):
            v[name] = cmd_out([path, "--version"])
    for name, d in (("@vlasky/zongji", ZONGJI_DIR),
                    ("mysql2 (zongji's driver)", os.path.join(NODE_DIR, "node_modules", "mysql2"))):
        try:
            with open(os.path.join(d, "package.json")) as f:
                v[name] = json.load(f)["version"]
        except OSError:
            pass
    return v


# -- running one measured command -----------------------------------------

TASKSET = shutil.which("taskset")


def pinned(cmd, cpu=0):
    return ([TASKSET, "-c", str(cpu)] + cmd) if TASKSET else cmd


def measure(cmd, timeout=1800, stdout_path=os.devnull):
    """Runs CMD once under bench/runstat, stdout to /dev/null; returns wall
    seconds, CPU seconds (user+system) and peak RSS (KiB) of that child alone
    (runstat's wait4; taskset execs the command, so it is the program's)."""
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r") as stat:
        try:
            rc = subprocess.run([RUNSTAT, stat.name] + cmd, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"{' '.join(cmd)} did not finish in {timeout}s")
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        fields = stat.read().split()
    if rc != 0 or len(fields) != 4:
        raise RuntimeError(f"{' '.join(cmd)} exited {rc}:\n{stderr[-2000:]}")
    return {"wall": float(fields[0]), "cpu": float(fields[1]), "rss_kib": int(fields[2])}


def count_output(cmd, pattern=None):
    """Runs CMD once and counts its stdout: lines, bytes, and lines that
    start with PATTERN (bytes) if given. For validation, not timing."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    lines = nbytes = hits = 0
    carry = b"\n"  # from the last newline seen on; a line start is "\n" + text
    while True:
        chunk = p.stdout.read(1 << 20)
        if not chunk:
            break
        nbytes += len(chunk)
        lines += chunk.count(b"\n")
        if pattern:
            data = carry + chunk
            last = data.rfind(b"\n")
            head = data[:last]
            hits += sum(head.count(b"\n" + pat) for pat in pattern)
            carry = data[last:]
    stderr = p.stderr.read().decode("utf-8", "replace")
    if p.wait() != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{stderr[-2000:]}")
    return {"lines": lines, "bytes": nbytes, "hits": hits}


def rounds(commands, runs, after=None):
    """COMMANDS: {name: argv, or a function of the round number giving argv}.
    Runs each RUNS times, interleaved (the order rotates each round); AFTER:
    {name: function of the round number} called after that command's run
    (cleanup, untimed). Returns {name: [result, ...]}."""
    names = list(commands)
    res = {n: [] for n in names}
    for r in range(runs):
        order = names[r % len(names):] + names[:r % len(names)]
        for n in order:
            cmd = commands[n](r) if callable(commands[n]) else commands[n]
            m = measure(cmd)
            if after and n in after:
                after[n](r)
            res[n].append(m)
            log(f"  run {r + 1}/{runs} {n}: {m['wall']:.3f}s wall, {m['cpu']:.3f}s cpu, "
                f"{m['rss_kib'] / 1024:.1f} MiB RSS")
    return res


def med(results, key="wall"):
    return statistics.median(x[key] for x in results)


# -- workloads -------------------------------------------------------------

MAIN_COLUMNS = """id INT NOT NULL PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  price DECIMAL(12,2) NOT NULL,
  qty INT NOT NULL,
  score DOUBLE NOT NULL,
  created DATETIME(6) NOT NULL,
  status ENUM('new','paid','shipped','cancelled') NOT NULL,
  note TEXT,
  ref BIGINT UNSIGNED NOT NULL"""

MAIN_VALUES = ("seq, CONCAT('customer-', seq), (seq * 1.25) % 100000, seq % 1000, seq / 7, "
               "TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq SECOND "
               "+ INTERVAL (seq * 37) % 1000000 MICROSECOND, 1 + seq % 4, "
               "CONCAT('note for row ', seq, ': lorem ipsum dolor sit amet'), "
               "seq * 18446744073")

CHUNK = 1000


def new_binlog(db):
    """FLUSH BINARY LOGS; the name of the new (current) file."""
    return db.flush_logs()["file"]


def binlog_path(db, name):
    return os.path.join(db.datadir, name)


def gen_mix(db, table, inserts, updates, deletes):
    """The 9-column mix in a binlog file of its own: INSERTs of CHUNK rows per
    transaction, then UPDATEs of ids 1..updates, then DELETEs of the last
    `deletes` ids, CHUNK rows per statement (autocommit). Returns
    (file name, row changes)."""
    assert updates <= inserts and deletes <= inserts
    db.sql(f"CREATE TABLE bench.{table} (\n  {MAIN_COLUMNS}\n) ENGINE=InnoDB")
    name = new_binlog(db)
    stmts = []
    for a in range(1, inserts + 1, CHUNK):
        b = min(a + CHUNK - 1, inserts)
        stmts.append(f"INSERT INTO bench.{table} SELECT {MAIN_VALUES} FROM seq_{a}_to_{b};")
    for a in range(1, updates + 1, CHUNK):
        b = min(a + CHUNK - 1, updates)
        stmts.append(f"UPDATE bench.{table} SET qty = qty + 1, score = score * 1.5, "
                     f"status = 'paid', price = price + 1 WHERE id BETWEEN {a} AND {b};")
    first = inserts - deletes + 1
    for a in range(first, inserts + 1, CHUNK):
        b = min(a + CHUNK - 1, inserts)
        stmts.append(f"DELETE FROM bench.{table} WHERE id BETWEEN {a} AND {b};")
    db.sql("\n".join(stmts), database="bench", timeout=7200)
    new_binlog(db)
    return name, inserts + updates + deletes


WIDE_TYPES = [
    ("INT NOT NULL", "seq * {k} % 2000000000"),
    ("VARCHAR(32) NOT NULL", "CONCAT('v{k}-', seq)"),
    ("DECIMAL(12,2) NOT NULL", "(seq * {k} * 0.37) % 1000000"),
    ("INT NOT NULL", "seq + {k}"),
    ("DOUBLE NOT NULL", "seq / ({k} + 3)"),
    ("DATETIME(6) NOT NULL", "TIMESTAMP'2024-01-01 00:00:00' + INTERVAL (seq + {k}) SECOND"),
    ("ENUM('a','b','c','d') NOT NULL", "1 + (seq + {k}) % 4"),
    ("TEXT", "CONCAT('text {k} ', seq)"),
    ("BIGINT UNSIGNED NOT NULL", "seq * 1000003 * {k}"),
]


def gen_wide(db, ncols, rows):
    """ROWS inserts into a table of NCOLS columns (id + the 9 types in turn)."""
    table = f"wide{ncols}"
    cols = ["c1 INT NOT NULL PRIMARY KEY"]
    vals = ["seq"]
    for k in range(2, ncols + 1):
        typ, expr = WIDE_TYPES[(k - 2) % len(WIDE_TYPES)]
        cols.append(f"c{k} {typ}")
        vals.append(expr.format(k=k))
    db.sql(f"CREATE TABLE bench.{table} ({', '.join(cols)}) ENGINE=InnoDB")
    name = new_binlog(db)
    v = ", ".join(vals)
    stmts = []
    for a in range(1, rows + 1, CHUNK):
        b = min(a + CHUNK - 1, rows)
        stmts.append(f"INSERT INTO bench.{table} SELECT {v} FROM seq_{a}_to_{b};")
    db.sql("\n".join(stmts), database="bench", timeout=7200)
    new_binlog(db)
    return name, rows


HUGE_ROW = 64000  # bytes of TEXT per row


def gen_huge(db, nbytes):
    """One transaction inserting about NBYTES of row data (HUGE_ROW-byte TEXT
    values), written in chunks between one BEGIN and COMMIT."""
    db.sql("CREATE TABLE bench.huge (id INT NOT NULL PRIMARY KEY, n INT NOT NULL, "
           "body MEDIUMTEXT NOT NULL) ENGINE=InnoDB")
    name = new_binlog(db)
    rows = -(-nbytes // HUGE_ROW)
    stmts = ["BEGIN;"]
    step = 200
    for a in range(1, rows + 1, step):
        b = min(a + step - 1, rows)
        stmts.append("INSERT INTO bench.huge SELECT seq, seq * 7, "
                     f"RPAD(CONCAT('row ', seq, ': '), {HUGE_ROW}, 'lorem ipsum dolor sit amet ') "
                     f"FROM seq_{a}_to_{b};")
    stmts.append("COMMIT;")
    db.sql("\n".join(stmts), database="bench", timeout=7200)
    new_binlog(db)
    return name, rows


# -- commands ----------------------------------------------------------------

def read_cmd(path):
    return pinned([ROWCAST, "read", path])


def mdb_cmd(path):
    return pinned(["mariadb-binlog", "--no-defaults", "--base64-output=decode-rows",
                   "--verbose", path])


def stream_cmd(db, name):
    return [ROWCAST, "stream", "--source", db.url(), "--server-id", "4343",
            "--start", f"{name}:4", "--stop-at-end"]


FILTER_LUA = os.path.join(HERE, "filter_two_fields.lua")


def filtered(cmd):
    """cmd with the two-field capture filter (SPEC.md §4) added."""
    return cmd + ["--filter", f"capture={FILTER_LUA}"]


def zongji_cmd(db, name, rows):
    return ["node", ZONGJI_JS, db.host, str(db.port), BENCH_USER, BENCH_PASSWORD, name, str(rows)]


MDB_PATTERNS = [b"### INSERT INTO ", b"### UPDATE ", b"### DELETE FROM "]


def read_curve(points, key, runs):
    """rowcast read and mariadb-binlog on each (point, path, rows), all in the
    same rounds so that other work on the machine hits them alike; one entry
    per point, the point under KEY."""
    cmds = {}
    for point, path, _ in points:
        cmds[f"rowcast read {point}"] = read_cmd(path)
        cmds[f"mariadb-binlog {point}"] = mdb_cmd(path)
    got = rounds(cmds, runs)
    return [{key: point, "rows": rows, "size": os.path.getsize(path),
             "results": {"rowcast read": got[f"rowcast read {point}"],
                         "mariadb-binlog": got[f"mariadb-binlog {point}"]}}
            for point, path, rows in points]


def validate(label, path, rows, res, with_mdb=True):
    """Checks once (untimed) that rowcast read and mariadb-binlog each see
    ROWS row changes in PATH; keeps rowcast's output size."""
    rc = count_output([ROWCAST, "read", path])
    res.setdefault("validation", {})[label] = v = {"rowcast_lines": rc["lines"],
                                                   "rowcast_bytes": rc["bytes"], "expected": rows}
    if rc["lines"] != rows:
        log(f"WARNING {label}: rowcast read wrote {rc['lines']} lines, expected {rows}")
    if with_mdb:
        md = count_output(["mariadb-binlog", "--no-defaults", "--base64-output=decode-rows",
                           "--verbose", path], MDB_PATTERNS)
        v["mariadb_binlog_rows"] = md["hits"]
        v["mariadb_binlog_bytes"] = md["bytes"]
        if md["hits"] != rows:
            log(f"WARNING {label}: mariadb-binlog printed {md['hits']} row changes, expected {rows}")
    log(f"validated {label}: {v}")


# -- sinks and latency -------------------------------------------------------

def nats_request(nats, subject, payload=b"", timeout=60):
    """One request to JetStream's API ($JS.API.*), the reply decoded."""
    return nats.request(subject, payload, timeout)


def js_messages(nats, stream):
    info = nats_request(nats, f"$JS.API.STREAM.INFO.{stream}")
    return info.get("state", {}).get("messages")


def js_delete(nats, stream):
    r = nats_request(nats, f"$JS.API.STREAM.DELETE.{stream}")
    if not r.get("success"):
        log(f"WARNING jetstream: deleting stream {stream}: {r}")


SINK_SUBJECT = "bench.sink"
SINK_JS_SUBJECT = "bench.js"
SINK_REDIS_STREAM = "bench.stream"


def sink_phase(db, res, args, name, rows, desc):
    """rowcast stream of one binlog file into each sink, same rounds as the
    same stream to stdout (/dev/null). Throwaway brokers, no subscribers
    (core NATS and Redis pub/sub drop what nobody listens to: this is the
    cost of publishing)."""
    with NatsServer(name="bench-nats") as nats, Redis(name="bench-redis") as redis:
        base = stream_cmd(db, name)
        js = lambda stream: base + ["--sink", nats.url(SINK_JS_SUBJECT, scheme="jetstream",
                                                       stream=stream)]
        cmds = {
            "stdout (/dev/null)": base,
            "nats:// (core)": base + ["--sink", nats.url(SINK_SUBJECT)],
            "jetstream://": lambda r: js(f"BENCH{r}"),
            "redis:// pubsub": base + ["--sink", redis.url(f"mode=pubsub&group={SINK_SUBJECT}")],
            "redis:// stream": base + ["--sink",
                                       redis.url(f"mode=stream&group={SINK_REDIS_STREAM}")],
        }
        after = {"jetstream://": lambda r: js_delete(nats, f"BENCH{r}"),
                 "redis:// stream": lambda r: redis.cmd("UNLINK", SINK_REDIS_STREAM, timeout=60)}
        # Once, untimed: the durable sinks hold every change.
        check = {}
        measure(js("BENCHCHECK"))
        check["jetstream messages"] = js_messages(nats, "BENCHCHECK")
        js_delete(nats, "BENCHCHECK")
        measure(cmds["redis:// stream"])
        check["redis stream XLEN"] = redis.cmd("XLEN", SINK_REDIS_STREAM)
        redis.cmd("UNLINK", SINK_REDIS_STREAM, timeout=60)
        for k, v in check.items():
            if v != rows:
                log(f"WARNING sinks: {k} = {v}, expected {rows}")
        log(f"validated sinks: {check} (expected {rows})")
        log("measuring the sinks")
        res["sinks"] = {"rows": rows, "desc": desc, "check": check,
                        "results": rounds(cmds, args.runs, after)}


# -- apply: rowcast apply against a MariaDB replica -----------------------------

APPLY_SUBJECT = "bench.apply"
APPLY_WORKERS = 4
APPLY_TXNS = 50_000          # transactions of 4 row changes: 200,000 changes
# Both targets: the same fresh MariaDB, binary log off, the same InnoDB sizes.
APPLY_TARGET_OPTIONS = ["innodb_buffer_pool_size=256M", "innodb_log_file_size=128M"]

# Server-side, so that generating 50,000 small transactions takes seconds:
# each one inserts 2 new rows and updates 2 earlier ones (repeated keys).
APPLY_GEN = """DELIMITER //
CREATE PROCEDURE bench.apply_gen(n INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  WHILE i < n DO
    START TRANSACTION;
    INSERT INTO aplb.t VALUES (2 * i + 1, i, CONCAT('row-', i), i * 1.25, NOW(6)),
                              (2 * i + 2, i, CONCAT('row-', i), i * 0.5, NOW(6));
    UPDATE aplb.t SET a = a + 1, c = c + 1 WHERE id = 1 + (i * 7919) MOD (2 * i + 2);
    UPDATE aplb.t SET b = CONCAT('upd-', i) WHERE id = 1 + (i * 104729) MOD (2 * i + 2);
    COMMIT;
    SET i = i + 1;
  END WHILE;
END//
DELIMITER ;
"""
APPLY_SCHEMA = """CREATE DATABASE aplb;
CREATE TABLE aplb.t (id INT NOT NULL PRIMARY KEY, a INT NOT NULL, b VARCHAR(40),
  c DECIMAL(14,2), d DATETIME(6)) ENGINE=InnoDB;
CREATE TABLE aplb.done (id INT NOT NULL PRIMARY KEY) ENGINE=InnoDB;
"""
# On each target: waits (polling inside the server, no client per poll) until
# the workload's last transaction, a row in aplb.done, is there. Both appliers
# commit in source order, so then everything before it is there too.
APPLY_WAIT = """CREATE DATABASE benchwait;
DELIMITER //
CREATE PROCEDURE benchwait.until_done(maxs INT)
BEGIN
  DECLARE n INT DEFAULT 0;
  DECLARE t0 DOUBLE DEFAULT UNIX_TIMESTAMP(NOW(6));
  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION SET n = 0;
  WHILE n = 0 AND UNIX_TIMESTAMP(NOW(6)) - t0 < maxs DO
    SELECT COUNT(*) INTO n FROM aplb.done;
    IF n = 0 THEN DO SLEEP(0.005); END IF;
  END WHILE;
  SELECT n AS done;
END//
DELIMITER ;
"""
APPLY_SUM = "SELECT COUNT(*) n, SUM(CRC32(CONCAT_WS(',', id, a, b, c, d))) s FROM aplb.t"


def cpu_seconds(pid):
    """User+system CPU of a live process (all its threads) from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_done(db, limit=1800):
    if db.scalar(f"CALL benchwait.until_done({limit})") != "1":
        raise RuntimeError(f"{db.name}: the workload's last transaction did not arrive "
                           f"in {limit}s")


def apply_rowcast(tgt, url, durable, workers, errlog, relay=None):
    """One timed run of rowcast apply into an emptied target: from start until
    the last transaction is on the target. Returns wall/cpu figures."""
    tgt.sql("DROP DATABASE IF EXISTS aplb; DROP DATABASE IF EXISTS rowcast")
    cmd = [ROWCAST, "apply", "--from", url, "--target", tgt.url(), "--durable", durable]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    if relay:
        shutil.rmtree(relay, ignore_errors=True)
        cmd += ["--relay-log", relay]
    srv0 = cpu_seconds(tgt.proc.pid)
    with open(errlog, "ab") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=err)
        try:
            wait_done(tgt)
            wall = time.monotonic() - t0
            cpu = cpu_seconds(p.pid)
        finally:
            p.terminate()
            rc = p.wait(60)
    if rc != 0:
        raise RuntimeError(f"rowcast apply exited {rc}: see {errlog}")
    return {"wall": wall, "cpu": cpu, "server_cpu": cpu_seconds(tgt.proc.pid) - srv0}


def apply_replica(rep, master, start_file, end, threads):
    """One timed run of MariaDB's own replication: the IO thread fetches the
    whole workload first (untimed), then the SQL thread (or its parallel
    workers) applies it: timed from START SLAVE SQL_THREAD until the last
    transaction is on the replica."""
    rep.sql("STOP SLAVE; RESET SLAVE ALL; DROP DATABASE IF EXISTS aplb; "
            f"SET GLOBAL slave_parallel_threads = {threads}; "
            "SET GLOBAL slave_parallel_mode = 'optimistic'; "
            f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={master.port}, "
            f"MASTER_USER='{BENCH_USER}', MASTER_PASSWORD='{BENCH_PASSWORD}', "
            f"MASTER_LOG_FILE='{start_file}', MASTER_LOG_POS=4, MASTER_USE_GTID=no; "
            "START SLAVE IO_THREAD")
    deadline = time.monotonic() + 600
    while True:
        st = rep.query("SHOW SLAVE STATUS")[0]
        if st["Master_Log_File"] == end["file"] and int(st["Read_Master_Log_Pos"]) >= end["pos"]:
            break
        if st.get("Last_IO_Error"):
            raise RuntimeError(f"replica IO thread: {st['Last_IO_Error']}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"replica IO thread did not fetch the workload: {st}")
        time.sleep(0.1)
    srv0 = cpu_seconds(rep.proc.pid)
    t0 = time.monotonic()
    rep.sql("START SLAVE SQL_THREAD")
    wait_done(rep)
    wall = time.monotonic() - t0
    cpu = cpu_seconds(rep.proc.pid) - srv0
    st = rep.query("SHOW SLAVE STATUS")[0]
    rep.sql("STOP SLAVE")
    if st.get("Last_SQL_Error"):
        raise RuntimeError(f"replica SQL thread: {st['Last_SQL_Error']}")
    return {"wall": wall, "cpu": None, "server_cpu": cpu}


def apply_phase(db, res, args, outdir):
    """rowcast apply (one connection, and --workers) against a MariaDB replica
    (SQL thread, and slave_parallel_threads) applying the same binlog into the
    same kind of empty server, round by round."""
    f = 10 if args.quick else 1
    n = APPLY_TXNS // f
    rows = 4 * n + 1
    db.sql(APPLY_GEN)
    start_file = new_binlog(db)
    db.sql(APPLY_SCHEMA)
    log(f"generating the apply workload: {n} transactions of 4 row changes")
    t0 = time.monotonic()
    db.sql(f"CALL bench.apply_gen({n}); INSERT INTO aplb.done VALUES (1)", timeout=7200)
    log(f"  {start_file}: {os.path.getsize(binlog_path(db, start_file)) / MIB:.1f} MiB in "
        f"{time.monotonic() - t0:.0f}s")
    end = db.flush_logs()
    want = db.query(APPLY_SUM)[0]
    errlog = os.path.join(outdir, "apply.err")
    with NatsServer(name="bench-nats-apply") as nats, \
            MariaDB(log_bin=False, server_id=11, name="bench-target",
                    options=APPLY_TARGET_OPTIONS) as tgt, \
            MariaDB(log_bin=False, server_id=12, name="bench-replica",
                    options=APPLY_TARGET_OPTIONS) as rep:
        for server in (tgt, rep):
            server.sql(APPLY_WAIT)
        url = nats.url(APPLY_SUBJECT, scheme="jetstream", stream="APPLY")
        # Everything into JetStream first: the applier alone is timed.
        pub = measure(stream_cmd(db, start_file) + ["--sink", url])
        held = js_messages(nats, "APPLY")
        log(f"published {held} events to JetStream in {pub['wall']:.1f}s "
            f"({rows} row changes + 3 statements expected)")
        if held != rows + 3:
            log(f"WARNING apply: JetStream holds {held} events, expected {rows + 3}")
        cfgs = {
            "rowcast apply (one connection)":
                lambda r: apply_rowcast(tgt, url, f"b{r}w1", 1, errlog),
            f"rowcast apply --workers {APPLY_WORKERS}":
                lambda r: apply_rowcast(tgt, url, f"b{r}w{APPLY_WORKERS}", APPLY_WORKERS,
                                        errlog),
            f"rowcast apply --workers {APPLY_WORKERS} --relay-log":
                lambda r: apply_rowcast(tgt, url, f"b{r}r{APPLY_WORKERS}", APPLY_WORKERS,
                                        errlog, os.path.join(outdir, "relay")),
            "MariaDB replica (SQL thread)":
                lambda r: apply_replica(rep, db, start_file, end, 0),
            f"MariaDB replica (slave_parallel_threads={APPLY_WORKERS}, optimistic)":
                lambda r: apply_replica(rep, db, start_file, end, APPLY_WORKERS),
        }
        got = {k: [] for k in cfgs}
        checked = {}
        names = list(cfgs)
        for r in range(args.runs):
            for k in names[r % len(names):] + names[:r % len(names)]:
                m = cfgs[k](r)
                got[k].append(m)
                log(f"  run {r + 1}/{args.runs} {k}: {m['wall']:.2f}s, "
                    f"{rows / m['wall']:,.0f} row changes/s")
                if k not in checked:
                    # Once per applier: the target holds exactly the master's rows.
                    server = tgt if k.startswith("rowcast") else rep
                    checked[k] = server.query(APPLY_SUM)[0] == want
                    if not checked[k]:
                        log(f"WARNING apply: {k} left {server.query(APPLY_SUM)[0]}, "
                            f"the master has {want}")
        res["apply"] = {"rows": rows, "txns": n + 1, "published": held,
                        "publish_wall": pub["wall"], "checked": checked, "results": got,
                        "date": time.strftime("%Y-%m-%d %H:%M %Z"), "runs": args.runs,
                        "size": os.path.getsize(binlog_path(db, start_file))}


def apply_lines(res):
    """The report's section on the apply phase."""
    ap = res["apply"]
    rows, r = ap["rows"], ap["results"]
    L = [f"## Applying into another database: rowcast apply against a MariaDB replica\n"]
    L.append(f"Measured on {ap['date']} (median of {ap['runs']} runs, the appliers "
             "interleaved round by round; machine as above, load average "
             f"{ap.get('load', '?')}). The workload: {fmt_int(ap['txns'] - 1)} transactions of "
             f"4 row changes (2 INSERTs of new rows, 2 UPDATEs of earlier rows, keys repeating) "
             f"and one last marker transaction, {fmt_int(rows)} row changes in one binlog file "
             f"({ap['size'] / MIB:.1f} MiB), 5-column table. `rowcast stream` published it to "
             f"JetStream first ({fmt_int(ap['published'])} events in "
             f"{ap['publish_wall']:.1f} s, not part of the figures); then each applier ran "
             "alone into an emptied target: a fresh MariaDB 10.11, binary log off, "
             "`innodb_flush_log_at_trx_commit=2`, 256 MiB buffer pool, the same for both. "
             "rowcast apply is timed from its start until the marker row is on the target "
             "(a stored procedure polls inside the server); the MariaDB replica fetches the "
             "whole binlog with its IO thread first, untimed, then is timed from `START SLAVE "
             "SQL_THREAD` until the same row is there. Both commit in source order.\n")
    L.append("| applier | row changes/s | transactions/s | seconds | applier CPU s | "
             "target server CPU s | rows checked |\n|---|---:|---:|---:|---:|---:|---|")
    for k, xs in r.items():
        w = med(xs)
        cpu = med(xs, "cpu") if xs[0]["cpu"] is not None else None
        L.append(f"| {k} | {fmt_int(rows / w)} | {fmt_int(ap['txns'] / w)} | {w:.2f} | "
                 f"{'%.2f' % cpu if cpu is not None else 'in the server'} | "
                 f"{med(xs, 'server_cpu'):.2f} | "
                 f"{'equal to the master' if ap['checked'].get(k) else 'DIFFERENT'} |")
    L.append("")
    one = "rowcast apply (one connection)"
    par = [k for k in r if k.startswith("rowcast apply --workers")]
    sql = "MariaDB replica (SQL thread)"
    mpar = [k for k in r if k.startswith("MariaDB replica (slave_parallel")][0]
    L.append("Ratios (same run, medians of wall time; above 1: rowcast is faster):\n")
    L.append(f"- {one} / {sql}: **{med(r[sql]) / med(r[one]):.2f}×**")
    for k in par:
        L.append(f"- {k} / {mpar}: **{med(r[mpar]) / med(r[k]):.2f}×**")
    for k in par:
        L.append(f"- {k} / {one}: {med(r[one]) / med(r[k]):.2f}×")
    L.append("")
    return L


def splice_apply(res, args):
    """`--only apply`: the apply section replaces its old self in the
    report (or goes before the targets); the rest of the file stays as the
    last full run wrote it."""
    if not res.get("apply"):
        return
    res["apply"]["load"] = " → ".join(res.get("load", []))
    section = "\n".join(apply_lines(res)) + "\n"
    try:
        with open(args.out) as f:
            text = f.read()
    except FileNotFoundError:
        text = "# rowcast benchmark results\n\n## Targets\n"
    head = "## Applying into another database"
    if head in text:
        a = text.index(head)
        b = text.find("\n## ", a + 1)
        text = text[:a] + section + (text[b + 1:] if b >= 0 else "")
    elif "\n## Targets" in text:
        a = text.index("\n## Targets") + 1
        text = text[:a] + section + "\n" + text[a:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(args.out, "w") as f:
        f.write(text)


def pct(xs, q):
    """The q-quantile of sorted XS (nearest rank)."""
    return xs[min(len(xs) - 1, max(0, math.ceil(q * len(xs)) - 1))]


def vm_hwm_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


LAT_RATE = 10_000     # row changes per second
LAT_PER_TXN = 10      # rows per transaction: 1000 commits/s


def latency_phase(db, res, args, outdir):
    secs = 8 if args.quick else 25
    rate, per = LAT_RATE, LAT_PER_TXN
    ntx = round(rate * secs / per)
    expected = ntx * per
    db.sql("CREATE TABLE bench.lat (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
           "k INT NOT NULL, sent_us BIGINT NOT NULL, qty INT NOT NULL, "
           "note VARCHAR(64) NOT NULL) ENGINE=InnoDB")
    subf = os.path.join(outdir, "lat-sub.txt")
    wf = os.path.join(outdir, "lat-writer.txt")
    errf = os.path.join(outdir, "lat-stream.err")
    with NatsServer(jetstream=False, name="bench-nats-lat") as nats:
        sub = subprocess.Popen([sys.executable, LAT_SUB, nats.host, str(nats.port), "bench.lat",
                                str(expected), subf], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, encoding="utf-8")
        strm = None
        try:
            if sub.stdout.readline().strip() != "ready":
                raise RuntimeError("latency: the subscriber did not subscribe")
            with open(errf, "w") as err:
                strm = subprocess.Popen([ROWCAST, "stream", "--source", db.url(),
                                         "--server-id", "4344", "--start", "now",
                                         "--sink", nats.url("bench.lat")],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=err)
            # Probe rows (k = -1) until the subscriber has seen one: rowcast
            # is connected and publishing.
            for _ in range(100):
                db.sql("INSERT INTO bench.lat (k, sent_us, qty, note) VALUES (-1, 0, 0, 'probe')")
                if select.select([sub.stdout], [], [], 0.3)[0]:
                    if sub.stdout.readline().strip() == "first":
                        break
                if strm.poll() is not None:
                    with open(errf) as f:
                        raise RuntimeError(f"latency: rowcast stream exited {strm.returncode}: "
                                           f"{f.read()[-2000:]}")
            else:
                raise RuntimeError("latency: no event reached the subscriber in 30 s")
            log(f"latency: writing {expected} row changes at {rate}/s "
                f"({per} rows per transaction) for {secs} s")
            w = subprocess.run(["node", LAT_WRITER, db.host, str(db.port), "root", "",
                                str(rate), str(per), str(secs), wf], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8",
                               timeout=secs * 10 + 60)
            if w.returncode != 0:
                raise RuntimeError(f"latency writer exited {w.returncode}: {w.stderr[-2000:]}")
            log(f"  writer: {w.stdout.strip()}")
            out, _ = sub.communicate(timeout=120)
            log(f"  subscriber: {out.strip()}")
            rss = vm_hwm_kib(strm.pid)
        finally:
            if strm and strm.poll() is None:
                os.kill(strm.pid, signal.SIGTERM)
                try:
                    strm.wait(20)
                except subprocess.TimeoutExpired:
                    os.kill(strm.pid, signal.SIGKILL)
                    strm.wait()
            if sub.poll() is None:
                os.kill(sub.pid, signal.SIGTERM)
                sub.wait()
    commits = {}
    with open(wf) as f:
        for line in f:
            k, b, e = line.split()
            commits[int(k)] = (int(b), int(e))
    after, before, recv = [], [], []
    with open(subf) as f:
        for line in f:
            k, sent_us, t = (int(x) for x in line.split())
            b, e = commits[k]
            after.append((t - e) / 1e3)
            before.append((t - b) / 1e3)
            recv.append(t)
    after.sort()
    before.sort()
    ctime = sorted((e - b) / 1e3 for b, e in commits.values())
    first_b = min(b for b, e in commits.values())
    last_e = max(e for b, e in commits.values())

    def stats(xs):
        return {"median": pct(xs, 0.5), "p90": pct(xs, 0.9), "p99": pct(xs, 0.99),
                "p999": pct(xs, 0.999), "max": xs[-1], "min": xs[0]} if xs else None

    res["latency"] = {
        "rate": rate, "per_txn": per, "seconds": secs, "expected": expected,
        "received": len(after), "achieved_rate": ntx * per / ((last_e - first_b) / 1e9),
        "after_commit_us": stats(after), "before_begin_us": stats(before),
        "commit_us": stats(ctime), "negative": sum(1 for x in after if x < 0),
        "rowcast_rss_kib": rss, "writer": w.stdout.strip()}
    log(f"  latency after COMMIT: {res['latency']['after_commit_us']}")


# -- the report ------------------------------------------------------------

def fmt_int(x):
    return f"{x:,.0f}"


def rate_row(name, results, rows):
    w = med(results)
    c = med(results, "cpu")
    rss = max(x["rss_kib"] for x in results) / 1024
    walls = " · ".join(f"{x['wall']:.3f}" for x in results)
    return (f"| {name} | {fmt_int(rows / w)} | {fmt_int(rows / c)} | {w:.3f} ({walls}) | "
            f"{c:.3f} | {rss:.1f} |")


RATE_HEAD = ("| command | row changes/s (wall) | row changes/s per CPU-second | "
             "wall s, median (runs) | CPU s, median | peak RSS MiB (max) |\n"
             "|---|---:|---:|---|---:|---:|")


def verdict(ok):
    return "**met**" if ok else "**not met**"


def render(res, args):
    res.setdefault("load", []).append(f"{os.getloadavg()[0]:.2f}")
    if args.splice_apply:
        splice_apply(res, args)
        return
    L = []
    scale = "quick (1/10 of the rows, 100 MiB transaction)" if args.quick else "full"
    L.append("# rowcast benchmark results\n")
    L.append(f"Written by `make bench` (`python3 bench/run.py{' --quick' if args.quick else ''}`) "
             f"on {res['date']}; mode: {scale}; each figure is the median of {args.runs} runs "
             "(run order rotated each round), all in the same run on the same data. "
             "See [docs/bench.md](../docs/bench.md) for how to repeat it.\n")
    if res.get("incomplete"):
        L.append(f"**Incomplete run**: {res['incomplete']}\n")
    L.append("## Machine and versions\n")
    L.append("| | |\n|---|---|")
    for k, v in res["machine"].items():
        L.append(f"| {k} | {v} |")
    for k, v in res["versions"].items():
        L.append(f"| {k} | {v} |")
    L.append(f"| load average (1 min) | {' → '.join(res.get('load', []))} "
             "(at the start, then after each phase: other work on the machine) |")
    L.append("")
    L.append("`rowcast read` and `mariadb-binlog` run pinned to CPU 0 (`taskset -c 0`); "
             "the stream readers (rowcast stream, zongji) run unpinned next to the server "
             "on the same machine (127.0.0.1). Wall time is the whole process (start-up, "
             "connection, reading, exit); CPU time is the child's user+system time "
             "and peak RSS its ru_maxrss, both from wait4 in `bench/runstat.c`. Output goes to /dev/null.\n")

    targets = []
    m = res.get("main")
    if m:
        rows = m["rows"]
        L.append(f"## The 1.7M workload: {fmt_int(rows)} row changes in one binlog file\n")
        L.append(f"{m['desc']}. Binlog file: {m['size'] / MIB:.1f} MiB; rowcast's JSON output: "
                 f"{res['validation']['main']['rowcast_bytes'] / MIB:.1f} MiB.\n")
        L.append(RATE_HEAD)
        r = m["results"]
        for n in r:
            L.append(rate_row(n, r[n], rows))
        L.append("")
        read_rate = rows / med(r["rowcast read"])
        mdb_rate = rows / med(r["mariadb-binlog"])
        ratio_read = med(r["mariadb-binlog"]) / med(r["rowcast read"])
        L.append("Ratios (same run, medians of wall time):\n")
        L.append(f"- rowcast read / mariadb-binlog: **{ratio_read:.2f}×**")
        if "rowcast stream" in r:
            ratio_stream = None
            if "zongji" in r:
                ratio_stream = med(r["zongji"]) / med(r["rowcast stream"])
                L.append(f"- rowcast stream / zongji: **{ratio_stream:.2f}×**")
            L.append(f"- rowcast stream / rowcast read: "
                     f"{med(r['rowcast read']) / med(r['rowcast stream']):.2f}×")
        L.append("")
        targets.append(("`rowcast read` ≥ 3,000,000 row changes/s on one core",
                        read_rate >= 3e6, f"{fmt_int(read_rate)}/s (wall, pinned); "
                        f"{fmt_int(rows / med(r['rowcast read'], 'cpu'))}/s per CPU-second"))
        targets.append(("`rowcast read` ≥ 10× mariadb-binlog", ratio_read >= 10,
                        f"{ratio_read:.2f}× ({fmt_int(read_rate)}/s vs {fmt_int(mdb_rate)}/s)"))
        if "zongji" in r:
            targets.append(("`rowcast stream` ≥ 10× zongji", ratio_stream >= 10,
                            f"{ratio_stream:.2f}× ({fmt_int(rows / med(r['rowcast stream']))}/s "
                            f"vs {fmt_int(rows / med(r['zongji']))}/s)"))
        if "rowcast stream" in r:
            rss = max(x["rss_kib"] for x in r["rowcast stream"]) / 1024
            targets.append(("`rowcast stream` peak RSS < 64 MiB over the 1.7M-change stream",
                            rss < 64, f"{rss:.1f} MiB"))

    s = res.get("size")
    if s:
        L.append("## Time per row change against binlog size (9-column mix)\n")
        L.append("CPU time (user+system, median) per row change, pinned to one core; "
                 "the whole process, start-up included.\n")
        L.append("| fraction | row changes | binlog MiB | rowcast read ns/change | "
                 "mariadb-binlog ns/change | ratio |\n|---|---:|---:|---:|---:|---:|")
        for p in s:
            a = med(p["results"]["rowcast read"], "cpu") / p["rows"] * 1e9
            b = med(p["results"]["mariadb-binlog"], "cpu") / p["rows"] * 1e9
            L.append(f"| {p['label']} | {fmt_int(p['rows'])} | {p['size'] / MIB:.1f} | "
                     f"{a:.0f} | {b:.0f} | {b / a:.2f}× |")
        L.append("")
        ns = [med(p["results"]["rowcast read"], "cpu") / p["rows"] * 1e9 for p in s]
        growth = ns[-1] / ns[0]
        targets.append(("time per change does not grow with binlog size "
                        "(ns/change of the largest file ≤ 1.15× that of the smallest)",
                        growth <= 1.15, f"{growth:.2f}× ({', '.join(f'{x:.0f}' for x in ns)} ns "
                        f"for {', '.join(p['label'] for p in s)})"))

    if m and "rowcast stream + filter" in m["results"]:
        r, rows = m["results"], m["rows"]
        L.append("## A two-field row filter (Lua, capture point)\n")
        L.append("`bench/filter_two_fields.lua` reads `event.table` and one column of every "
                 "row change and discards half of them (the odd/even split). Same rounds as "
                 "above.\n")
        L.append("| | without | with the filter | cost per event | throughput kept |")
        L.append("|---|---:|---:|---:|---:|")
        for base in ("rowcast read", "rowcast stream"):
            w0, w1 = med(r[base]), med(r[base + " + filter"])
            cost = (w1 - w0) / rows * 1e9
            kept = w0 / w1
            L.append(f"| {base} | {fmt_int(rows / w0)}/s | {fmt_int(rows / w1)}/s | "
                     f"{cost:.0f} ns | {kept * 100:.0f}% |")
            if base == "rowcast stream":
                targets.append(("stream with a two-field filter ≥ 70% of the stream without",
                                kept >= 0.70, f"{kept * 100:.0f}%"))
        L.append("")

    c = res.get("columns")
    if c:
        L.append(f"## Time per row change against the number of columns "
                 f"({fmt_int(c[0]['rows'])} INSERTs each)\n")
        L.append("CPU time (user+system, median) per row change, pinned to one core; "
                 "the whole process, start-up included.\n")
        L.append("| columns | binlog MiB | rowcast read ns/change | ns/change/column | "
                 "mariadb-binlog ns/change | ratio | rowcast RSS MiB |\n"
                 "|---:|---:|---:|---:|---:|---:|---:|")
        per_col = []
        for p in c:
            a = med(p["results"]["rowcast read"], "cpu") / p["rows"] * 1e9
            b = med(p["results"]["mariadb-binlog"], "cpu") / p["rows"] * 1e9
            rss = max(x["rss_kib"] for x in p["results"]["rowcast read"]) / 1024
            per_col.append(a / p["ncols"])
            L.append(f"| {p['ncols']} | {p['size'] / MIB:.1f} | {a:.0f} | {a / p['ncols']:.1f} | "
                     f"{b:.0f} | {b / a:.2f}× | {rss:.1f} |")
        L.append("")
        worst = max(per_col[1:]) / per_col[0] if len(per_col) > 1 else 1.0
        targets.append(("time per change at most linear in columns "
                        "(ns/change/column never > 1.15× that of the narrowest table)",
                        worst <= 1.15, "ns/change/column: " + ", ".join(
                            f"{p['ncols']} cols {x:.1f}" for p, x in zip(c, per_col))))

    h = res.get("huge")
    if h:
        L.append(f"## One transaction of {h['size'] / MIB:.0f} MiB "
                 f"({fmt_int(h['rows'])} rows of {HUGE_ROW:,}-byte TEXT)\n")
        L.append(RATE_HEAD)
        for n in h["results"]:
            L.append(rate_row(n, h["results"][n], h["rows"]))
        L.append("")
        for n in h["results"]:
            w = med(h["results"][n])
            L.append(f"- {n}: {h['size'] / w / MIB:.0f} MiB/s of binlog")
        L.append("")
        if "rowcast stream" in h["results"]:
            rss = max(x["rss_kib"] for x in h["results"]["rowcast stream"]) / 1024
            targets.append((f"`rowcast stream` peak RSS < 64 MiB while streaming the "
                            f"{h['size'] / MIB:.0f} MiB transaction", rss < 64, f"{rss:.1f} MiB"))

    p = res.get("profile")
    if p:
        L.append("## Where the time goes\n")
        L.append(p["text"])
        L.append("")
    bw = res.get("bandwidth")
    if bw:
        L.append("## The gap to memory bandwidth\n")
        L.append(bw)
        L.append("")

    sk = res.get("sinks")
    if sk:
        rows, r = sk["rows"], sk["results"]
        L.append(f"## Into the sinks: {fmt_int(rows)} row changes ({sk['desc']})\n")
        L.append("`rowcast stream --start FILE:4 --stop-at-end --sink URL` from the live server "
                 "into a throwaway nats-server (JetStream on, file storage) and redis-server (no "
                 "persistence) on the same machine, with no subscribers (core NATS and Redis "
                 "pub/sub drop what nobody listens to: this is the cost of publishing, "
                 "confirmations included). The stdout line is the same stream to /dev/null, in "
                 "the same rounds. JetStream gets a new stream each run (`BENCH0`, `BENCH1`, "
                 "...; deleted after the run) and the Redis stream key is deleted after each "
                 "run, so every run starts empty. Checked once before timing: "
                 + ", ".join(f"{k} {fmt_int(v) if isinstance(v, int) else v}"
                             for k, v in sk["check"].items())
                 + f" (expected {fmt_int(rows)}).\n")
        L.append("| sink | row changes/s (wall) | row changes/s per CPU-second | "
                 "wall s, median (runs) | CPU s, median | peak RSS MiB (max) | vs stdout |\n"
                 "|---|---:|---:|---|---:|---:|---:|")
        base = med(r["stdout (/dev/null)"]) if "stdout (/dev/null)" in r else None
        for n in r:
            ratio = f"{base / med(r[n]) * 100:.0f}%" if base else ""
            L.append(rate_row(n, r[n], rows) + f" {ratio} |")
        L.append("")
        L.append("\"vs stdout\": the sink's rate as a share of the stdout rate (medians of "
                 "wall time). CPU time and RSS are rowcast's alone; the broker's work is on the "
                 "other core.\n")

    lt = res.get("latency")
    if lt:
        a, b, c = lt["after_commit_us"], lt["before_begin_us"], lt["commit_us"]
        L.append(f"## Latency from COMMIT to a NATS subscriber at {fmt_int(lt['rate'])} "
                 "row changes/s\n")
        L.append(f"A writer (`bench/latency_writer.js`, node + mysql2, one connection) commits "
                 f"a {lt['per_txn']}-row INSERT every {1000 * lt['per_txn'] / lt['rate']:g} ms "
                 f"({fmt_int(lt['rate'] / lt['per_txn'])} transactions/s) for {lt['seconds']} s "
                 f"on a fixed schedule ({fmt_int(lt['achieved_rate'])} row changes/s achieved; "
                 f"{lt['writer']}); `rowcast stream --start now --sink nats://.../bench.lat` "
                 "publishes to a throwaway nats-server; a subscriber (`bench/latency_sub.py`: "
                 "core NATS over a socket in Python, no pipe) takes CLOCK_MONOTONIC as each "
                 "message is read. The writer takes the same clock right after the INSERT's "
                 "OK (the commit) returns, and before sending it. Received "
                 f"{fmt_int(lt['received'])} of {fmt_int(lt['expected'])} row changes. "
                 "Everything runs on this machine (2 cores shared by the server, rowcast, "
                 "nats-server, the writer and the subscriber).\n")
        L.append("| microseconds | median | 90th | 99th | 99.9th | max | min |\n"
                 "|---|---:|---:|---:|---:|---:|---:|")
        for label, x in (("**COMMIT returned → received**", a),
                         ("before the INSERT was sent → received", b),
                         ("the writer's INSERT+COMMIT round trip", c)):
            L.append(f"| {label} | {x['median']:,.0f} | {x['p90']:,.0f} | {x['p99']:,.0f} | "
                     f"{x['p999']:,.0f} | {x['max']:,.0f} | {x['min']:,.0f} |")
        L.append("")
        L.append(f"{fmt_int(lt['negative'])} row changes arrived before the writer had the "
                 "COMMIT's reply (negative latency: the binlog is written at commit, before the "
                 "server's OK reaches the client). rowcast stream's peak RSS: "
                 + (f"{lt['rowcast_rss_kib'] / 1024:.1f} MiB." if lt['rowcast_rss_kib'] else "?")
                 + "\n")
        targets.append((f"latency COMMIT → NATS subscriber at {fmt_int(lt['rate'])} changes/s: "
                        "median under 1 ms", a["median"] < 1000,
                        f"{a['median'] / 1000:.3f} ms (from before the INSERT was sent: "
                        f"{b['median'] / 1000:.3f} ms)"))
        targets.append((f"latency COMMIT → NATS subscriber at {fmt_int(lt['rate'])} changes/s: "
                        "99th percentile under 5 ms", a["p99"] < 5000,
                        f"{a['p99'] / 1000:.3f} ms (from before the INSERT was sent: "
                        f"{b['p99'] / 1000:.3f} ms)"))

    if res.get("apply"):
        res["apply"]["load"] = " → ".join(res.get("load", []))
        L.extend(apply_lines(res))

    L.append("## Targets\n")
    L.append("| target | result | measured |\n|---|---|---|")
    for name, ok, detail in targets:
        L.append(f"| {name} | {verdict(ok)} | {detail} |")
    if not lt:
        L.append("| latency from COMMIT to a NATS subscriber | not measured | "
                 "run the `latency` phase |")
    L.append("")
    with open(args.out, "w") as f:
        f.write("\n".join(L))


# -- profile ---------------------------------------------------------------

def profile(path, rows, outdir):
    if not shutil.which("valgrind"):
        return "valgrind not installed: no profile."
    perf_note = ""
    perf_ok = False
    if shutil.which("perf"):
        st = subprocess.run(["perf", "stat", "-e", "instructions", "true"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, encoding="utf-8")
        perf_ok = st.returncode == 0 and "not supported" not in st.stdout
        perf_note = ("" if perf_ok else
                     "(`perf stat -e instructions` says `<not supported>` here: no hardware "
                     "counters in this VM, so the profile is callgrind's.) ")
    cg = os.path.join(outdir, "callgrind.out")
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={cg}",
                    ROWCAST, "read", path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   check=True)
    ann = subprocess.run(["callgrind_annotate", "--auto=no", "--threshold=100", "--inclusive=no", cg], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, encoding="utf-8", errors="replace").stdout
    inc = subprocess.run(["callgrind_annotate", "--auto=no", "--threshold=100", "--inclusive=yes", cg], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, encoding="utf-8", errors="replace").stdout
    keep = os.path.join(PEERS, "callgrind.out.rowcast-read")
    shutil.copy(cg, keep)

    def top(text, n, only_src=False):
        total = None
        out, seen = [], set()
        for line in text.splitlines():
            mt = re.match(r"\s*([\d,]+).*PROGRAM TOTALS", line)
            if mt:
                total = int(mt.group(1).replace(",", ""))
                continue
            mf = re.match(r"\s*([\d,]+)\s+(?:\(\s*[\d.]+%\))?\s*(\S.*?)\s*$", line)
            if not (mf and total and ":" in mf.group(2)):
                continue
            ir = int(mf.group(1).replace(",", ""))
            fn = re.sub(r"\s*\[[^\]]*\]$", "", mf.group(2))   # the object file
            fn = re.sub(r"^.*?/(src/)", r"\1", fn)
            fn = re.sub(r"^.*/(sysdeps|string|stdio-common|stdlib)/", r"glibc \1/", fn)
            if fn in seen or (only_src and not fn.startswith("src/")):
                continue
            seen.add(fn)
            out.append((ir, fn))
            if len(out) >= n:
                break
        return total, out

    total, excl = top(ann, 18)
    _, incl = top(inc, 16, only_src=True)
    _, incl_all = top(inc, 100000)
    _, excl_all = top(ann, 100000)
    incl_d = {fn.split(":")[-1]: ir for ir, fn in reversed(incl_all)}
    excl_d = {}
    for ir, fn in excl_all:
        excl_d[fn.split(":")[-1]] = excl_d.get(fn.split(":")[-1], 0) + ir
    crc = sum(int(m.group(1).replace(",", "")) for m in
              re.finditer(r"^\s*([\d,]+)\s.*libdeflate", ann, re.M))
    centres = [
        ("the whole decode loop (events, rows, values; JSON included)", incl_d.get("rc_dec_rows")),
        ("writing a change (`on_change`: the seed format straight from the row's bytes)",
         incl_d.get("on_change")),
        ("row images to JSON (`rc_rowjson_image`, every value included)",
         incl_d.get("rc_rowjson_image")),
        ("DOUBLE to shortest text (`rc_json_double`)", incl_d.get("rc_json_double")),
        ("DECIMAL to text (`rc_decimal_text`)", incl_d.get("rc_decimal_text")),
        ("DATETIME(6) to text (`rc_datetime2_text`)", incl_d.get("rc_datetime2_text")),
        ("string escaping (`rc_json_str`)", incl_d.get("rc_json_str")),
        ("integers to text (`rc_fmt_u64`, self)", excl_d.get("rc_fmt_u64")),
        ("event CRC32 check (libdeflate)", crc),
        ("memcpy (glibc)", excl_d.get("__memcpy_avx_unaligned_erms")),
        ("row images decoded into values (`decode_image`: only what goes the generic way)",
         incl_d.get("decode_image")),
    ]
    def share(key, excl=False):
        v = (excl_d if excl else incl_d).get(key) or 0
        return 100 * v / total
    summary = (f"In short: writing each change from its row's bytes takes "
               f"{share('on_change'):.0f}% of the instructions (the row images "
               f"{share('rc_rowjson_image'):.0f}%), the rest is reading events; the event "
               f"CRC32 {100 * crc / total:.0f}%. Within the rows, one DOUBLE column costs "
               f"{share('rc_json_double'):.0f}%, integer printing "
               f"{share('rc_fmt_u64', True):.0f}%, DECIMAL {share('rc_decimal_text'):.0f}%, "
               f"DATETIME(6) {share('rc_datetime2_text'):.0f}%, string escaping "
               f"{share('rc_json_str'):.0f}%. No row is decoded into values "
               f"(`decode_image` {share('decode_image'):.0f}%): see docs/design.md, \"Decoding "
               "and JSON\". The kernel's share of the time (read, write to /dev/null) is in the "
               "perf table below.\n")
    T = [summary, perf_note + f"`valgrind --tool=callgrind build/rowcast read` on {fmt_int(rows)} row changes "
         f"of the 9-column mix: **{total / rows:,.0f} instructions per row change** "
         f"({total:,} in all). The annotated output is kept in "
         f"`bench/peers/callgrind.out.rowcast-read` (`callgrind_annotate` it).\n",
         "Cost centres (Ir per row change; inclusive unless marked self; they overlap):\n",
         "| centre | Ir per change | % of all |\n|---|---:|---:|",
         *[f"| {name} | {ir / rows:,.0f} | {100 * ir / total:.1f} |" for name, ir in centres if ir],
         "",
         "Self cost (exclusive), top functions:\n",
         "| Ir | % | per change | function |\n|---:|---:|---:|---|"]
    for ir, fn in excl:
        T.append(f"| {ir:,} | {100 * ir / total:.1f} | {ir / rows:.0f} | `{fn}` |")
    T.append("\nInclusive cost (function and its callees), rowcast's own functions:\n")
    T.append("| Ir | % | per change | function |\n|---:|---:|---:|---|")
    for ir, fn in incl:
        T.append(f"| {ir:,} | {100 * ir / total:.1f} | {ir / rows:.0f} | `{fn}` |")
    return "\n".join(T), excl, total


def perf_profile(path, rows, outdir):
    """Time-based profile (perf, cpu-clock software event: works without
    hardware counters) of rowcast read pinned to CPU 0; the kernel's share
    (read, write to /dev/null, page faults) shows here, not in callgrind."""
    if not shutil.which("perf"):
        return None
    data = os.path.join(outdir, "perf.data")
    rec = subprocess.run(["perf", "record", "-e", "cpu-clock", "-F", "4999", "-o", data, "--"]
                         + read_cmd(path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         encoding="utf-8", errors="replace")
    if rec.returncode != 0:
        return f"(`perf record -e cpu-clock` failed here: {rec.stderr.strip()[-300:]})"
    rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                          "--sort", "dso,symbol", "--percent-limit", "0.8"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, encoding="utf-8",
                         errors="replace").stdout
    samples = re.search(r"# Samples: (\S+)", rep)
    lines = []
    kernel = 0.0
    for line in rep.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(\S+)", line)
        if not m:
            continue
        pct, dso, kind, sym = float(m.group(1)), m.group(2), m.group(3), m.group(4)
        if kind == "k":
            kernel += pct
        lines.append(f"| {pct:.1f} | {dso} | `{sym}` |")
    allk = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                           "--sort", "dso"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          encoding="utf-8", errors="replace").stdout
    dsos = []
    for line in allk.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)", line)
        if m:
            dsos.append(f"{m.group(2)} {float(m.group(1)):.1f}%")
    T = [f"Time-based, `perf record -e cpu-clock -F 4999` of `rowcast read` on the "
         f"{fmt_int(rows)}-change file (pinned to CPU 0; "
         f"{samples.group(1) if samples else '?'} samples). By object: "
         + ", ".join(dsos) + ".\n",
         "| % of samples | object | symbol |\n|---:|---|---|", *lines]
    return "\n".join(T)


# -- main ------------------------------------------------------------------

def main():
    global ROWCAST
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1/10 of the rows, a 100 MiB transaction")
    ap.add_argument("--runs", type=int, default=5, help="runs per figure (median; default 5)")
    ap.add_argument("--out", default=None,
                    help="the report (default bench/RESULTS.md; bench/RESULTS-sinks.md when "
                         "--only names no phase but sinks and latency, so that the full "
                         "report is kept)")
    ap.add_argument("--no-zongji", action="store_true", help="skip the zongji peer")
    ap.add_argument("--rowcast", default=ROWCAST,
                    help="the rowcast binary to measure (default build/rowcast)")
    ap.add_argument("--head", action="store_true",
                    help="measure the committed code: build `git archive HEAD` in "
                         "build/bench/head (when others are editing src/)")
    ap.add_argument("--only", default="main,filter,size,columns,huge,profile,sinks,apply,latency",
                    help="comma-separated phases to run "
                         "(main,filter,size,columns,huge,profile,sinks,apply,latency)")
    args = ap.parse_args()
    phases = set(args.only.split(","))
    sinks_only = phases <= {"sinks", "latency"}
    # Only `apply`: its section goes into the existing report, the rest stays.
    args.splice_apply = phases == {"apply"}
    if args.out is None:
        args.out = os.path.join(HERE, "RESULTS-sinks.md" if sinks_only else "RESULTS.md")
    ROWCAST = os.path.abspath(args.rowcast)
    if args.head:
        ROWCAST = build_head()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    if not os.access(ROWCAST, os.X_OK):
        raise SystemExit(f"bench: {ROWCAST} missing: run `make` first")

    # the latency writer needs mysql2, which comes with zongji
    # (and zongji for `main` only)
    ensure_peers((args.no_zongji or "main" not in phases) and "latency" not in phases)
    build_tools()
    f = 10 if args.quick else 1
    res = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "machine": machine(),
           "versions": versions()}
    res["incomplete"] = "still running"
    render(res, args)

    outdir = tempfile.mkdtemp(prefix="rowcast-bench-")
    try:
        with MariaDB(options=SERVER_OPTIONS, name="bench") as db:
            db.sql("CREATE DATABASE bench")
            db.create_user(BENCH_USER, BENCH_PASSWORD,
                           grants=("REPLICATION SLAVE", "REPLICATION CLIENT", "SELECT"))

            if "main" in phases:
                ins, upd, dele = 1_000_000 // f, 500_000 // f, 200_000 // f
                t0 = time.monotonic()
                log(f"generating the main workload: {ins} inserts, {upd} updates, {dele} deletes")
                name, rows = gen_mix(db, "main", ins, upd, dele)
                path = binlog_path(db, name)
                log(f"  {name}: {os.path.getsize(path) / MIB:.1f} MiB in {time.monotonic() - t0:.0f}s")
                validate("main", path, rows, res)
                st = count_output(stream_cmd(db, name))
                res["validation"]["main"]["rowcast_stream_lines"] = st["lines"]
                if st["lines"] != rows:
                    log(f"WARNING main: rowcast stream wrote {st['lines']} lines, expected {rows}")
                cmds = {"rowcast read": read_cmd(path), "mariadb-binlog": mdb_cmd(path),
                        "rowcast stream": stream_cmd(db, name)}
                if "filter" in phases:
                    cmds["rowcast read + filter"] = filtered(read_cmd(path))
                    cmds["rowcast stream + filter"] = filtered(stream_cmd(db, name))
                if not args.no_zongji:
                    cmds["zongji"] = zongji_cmd(db, name, rows)
                log("measuring the main workload")
                res["main"] = {"rows": rows, "size": os.path.getsize(path),
                               "desc": f"{fmt_int(ins)} INSERT, {fmt_int(upd)} UPDATE and "
                                       f"{fmt_int(dele)} DELETE row changes, {CHUNK} per "
                                       "statement and transaction, 9 columns",
                               "results": rounds(cmds, args.runs)}
                render(res, args)
                main_path, main_rows, main_name = path, rows, name
                if "profile" in phases:
                    res["perf_file"] = os.path.join(outdir, "main-" + name)
                    shutil.copy(path, res["perf_file"])

            if "sinks" in phases:
                if "main" in phases:
                    name, rows, desc = main_name, main_rows, "the main workload's file"
                else:
                    ins, upd, dele = 250_000 // f, 125_000 // f, 50_000 // f
                    log(f"generating the sinks workload: {ins} inserts, {upd} updates, "
                        f"{dele} deletes")
                    name, rows = gen_mix(db, "sinks", ins, upd, dele)
                    desc = (f"the main workload's mix at 1/4 of its rows ({fmt_int(ins)} "
                            f"INSERT, {fmt_int(upd)} UPDATE, {fmt_int(dele)} DELETE)")
                    st = count_output(stream_cmd(db, name))
                    if st["lines"] != rows:
                        log(f"WARNING sinks: rowcast stream wrote {st['lines']} lines, "
                            f"expected {rows}")
                # Right after main: --stop-at-end stops at the end of the
                # server's last binlog, so no later workload may follow the file.
                sink_phase(db, res, args, name, rows, desc)
                render(res, args)

            if "apply" in phases:
                # Before size/columns/huge: its `rowcast stream --stop-at-end`
                # must not find their files after its own.
                apply_phase(db, res, args, outdir)
                render(res, args)

            if "size" in phases and "main" in phases:
                pts = []
                for frac, label in ((4, "1/4"), (2, "1/2")):
                    log(f"generating the size curve: {label}")
                    name, rows = gen_mix(db, f"size{frac}", 1_000_000 // f // frac,
                                         500_000 // f // frac, 200_000 // f // frac)
                    pts.append((label, binlog_path(db, name), rows))
                pts.append(("1", main_path, main_rows))
                for label, path, rows in pts[:-1]:
                    validate(f"size {label}", path, rows, res, with_mdb=False)
                # All sizes in the same rounds, so that other work on the
                # machine hits them alike.
                log("measuring the size curve")
                res["size"] = read_curve(pts, "label", args.runs)
                render(res, args)

            if "columns" in phases:
                wrows = 100_000 // f
                files = []
                for ncols in (10, 25, 50, 100):
                    log(f"generating {wrows} rows of {ncols} columns")
                    name, rows = gen_wide(db, ncols, wrows)
                    path = binlog_path(db, name)
                    validate(f"{ncols} columns", path, rows, res, with_mdb=False)
                    files.append((ncols, path, rows))
                log("measuring the column curve")
                res["columns"] = read_curve(files, "ncols", args.runs)
                render(res, args)

            if "profile" in phases:
                log("generating the profile workload (100,000 row changes)")
                name, prof_rows = gen_mix(db, "prof", 60_000 // f, 30_000 // f, 10_000 // f)
                ppath = os.path.join(outdir, name)
                shutil.copy(binlog_path(db, name), ppath)

            if "huge" in phases:
                nbytes = (100 if args.quick else 1024) * MIB
                log(f"generating one transaction of {nbytes // MIB} MiB")
                t0 = time.monotonic()
                name, rows = gen_huge(db, nbytes)
                path = binlog_path(db, name)
                log(f"  {name}: {os.path.getsize(path) / MIB:.1f} MiB in {time.monotonic() - t0:.0f}s")
                validate("huge", path, rows, res, with_mdb=False)
                log("measuring the huge transaction")
                res["huge"] = {"rows": rows, "size": os.path.getsize(path),
                               "results": rounds({"rowcast stream": stream_cmd(db, name),
                                                  "rowcast read": read_cmd(path)}, args.runs)}
                render(res, args)

            if "latency" in phases:
                latency_phase(db, res, args, outdir)
                render(res, args)

        if "profile" in phases:
            log("profiling rowcast read with callgrind")
            text, excl, total = profile(ppath, prof_rows, outdir)
            if res.get("perf_file"):
                log("profiling rowcast read with perf (cpu-clock)")
                ptext = perf_profile(res["perf_file"], res["main"]["rows"], outdir)
                if ptext:
                    text += "\n\n" + ptext
            res["profile"] = {"text": text}
            bw = subprocess.run([MEMBW, "1"], stdout=subprocess.PIPE, encoding="utf-8",
                                check=True).stdout
            cp = float(re.search(r"memcpy_GBps=([\d.]+)", bw).group(1))
            ms = float(re.search(r"memset_GBps=([\d.]+)", bw).group(1))
            B = []
            B.append(f"`build/bench/membw` (bench/membw.c, 64 MiB buffers, one core): memcpy "
                     f"{cp:.2f} GB/s, memset {ms:.2f} GB/s.\n")
            if res.get("main"):
                m = res["main"]
                w = med(m["results"]["rowcast read"])
                out_b = res["validation"]["main"]["rowcast_bytes"]
                outbps = out_b / w / 1e9
                inbps = m["size"] / w / 1e9
                B.append(f"`rowcast read` of the 1.7M file reads {inbps:.3f} GB/s of binlog and "
                         f"writes {outbps:.3f} GB/s of JSON ({out_b / m['rows']:.0f} bytes per "
                         f"row change, {m['size'] / m['rows']:.0f} binlog bytes per row change). "
                         f"Moving those bytes once at memcpy speed would take "
                         f"{(out_b + m['size']) / (cp * 1e9):.3f} s against the "
                         f"{w:.3f} s measured: rowcast runs at "
                         f"**{100 * (out_b + m['size']) / w / 1e9 / cp:.1f}% of memory bandwidth** "
                         f"(a gap of {w / ((out_b + m['size']) / (cp * 1e9)):.0f}×). "
                         f"At memcpy speed the JSON output alone would allow "
                         f"{fmt_int(cp * 1e9 / (out_b / m['rows']))} row changes/s.\n")
                ips = total / prof_rows * m['rows'] / med(m['results']['rowcast read'], 'cpu')
                per = total / prof_rows
                budget = ips / 3e6
                B.append(f"Instructions per row change (callgrind, above): {per:,.0f}; "
                         f"at the measured {fmt_int(m['rows'] / med(m['results']['rowcast read'], 'cpu'))} "
                         f"changes per CPU-second this core retires about {ips / 1e9:.1f} billion "
                         f"instructions per second. At that rate 3,000,000 changes/s leaves a "
                         f"budget of **{budget:,.0f} instructions per change** "
                         + (f"({per / budget:.1f}× fewer than now): the gap to the target is "
                            "instructions, not memory bandwidth." if per > budget else
                            f"(now {per:,.0f}, {100 * (1 - per / budget):.0f}% under it). What is "
                            "left to memory bandwidth is instructions too: each output byte "
                            f"costs about {per / (out_b / m['rows']):.1f} instructions."))
            res["bandwidth"] = "\n".join(B)
        res.pop("incomplete", None)
    except BaseException as e:
        res["incomplete"] = f"stopped by {type(e).__name__}: {str(e)[:500]}"
        render(res, args)
        raise
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
    render(res, args)
    raw = ("results-apply.json" if args.splice_apply
           else "results-sinks.json" if sinks_only else "results.json")
    with open(os.path.join(PEERS, raw), "w") as fj:
        json.dump(res, fj, indent=1, default=str)
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
