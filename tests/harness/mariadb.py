"""Throwaway MariaDB servers for tests.

Each MariaDB() is a fresh mariadbd from Debian's package (10.11) with its own
data directory, unix socket, pid file and error log in a temporary directory,
listening on a free port on 127.0.0.1 only. It never reads /etc/mysql
(--no-defaults everywhere), so a system server, if any, plays no part.

    with MariaDB() as db:                      # log_bin, ROW, FULL metadata
        db.sql("CREATE DATABASE d; CREATE TABLE d.t (id INT PRIMARY KEY)")
        run_rowcast("stream", "--source", db.url(), "--stop-at-end")

    MariaDB(log_bin=False)                      # binary logging off
    MariaDB(options=["log_bin_compress=ON", "binlog_checksum=NONE",
                     "max_binlog_size=4096"])   # extra server options

Start-up is fast because mariadb-install-db runs once per test run: its data
directory becomes a template that each server copies. tests/run.py sets
ROWCAST_TEST_TMP to a directory it removes at the end; without it (a test
module or the demo run on its own) a temporary directory is used and removed
at exit. Set ROWCAST_KEEP_SERVERS=1 to keep each server's directory (data,
binlogs, error log) after it stops, for a post-mortem.
"""

import fcntl
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET

MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
CLIENT = shutil.which("mariadb") or "/usr/bin/mariadb"

# Small InnoDB files: the template is copied once per server. The server gets
# the same sizes as the template so InnoDB does not resize its redo log.
INNODB_OPTIONS = ["--innodb-log-file-size=4M", "--innodb-buffer-pool-size=32M"]

# The server options every test server gets; MariaDB(options=...) come after
# them on the command line, so they can override any of these.
BASE_OPTIONS = INNODB_OPTIONS + [
    "--bind-address=127.0.0.1",
    "--skip-name-resolve",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_general_ci",
    "--innodb-flush-log-at-trx-commit=2",
    "--expire-logs-days=0",
]
BINLOG_OPTIONS = ["--log-bin=mysql-bin", "--binlog-format=ROW", "--binlog-row-metadata=FULL"]

# Run in the template by mariadb-install-db (bootstrap mode: FLUSH PRIVILEGES
# loads the grant tables so that account statements work). root has no
# password over the socket and from 127.0.0.1, so rowcast can log in as root.
TEMPLATE_SQL = """FLUSH PRIVILEGES;
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
"""

from .process import ServerError, ServerProcess, _live, free_port, scratch_dir  # noqa: F401 (re-exported)

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

START_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0


class SQLError(Exception):
    """A statement run through the mariadb client failed."""


def _as_root():
    return os.geteuid() == 0


def _template():
    """An installed data directory that has never been started, to copy.

    Made once per scratch dir; a lock lets parallel tests share it."""
    base = scratch_dir()
    path = os.path.join(base, "template")
    with open(os.path.join(base, "template.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.isdir(path):
            return path
        for tool in (MARIADBD, INSTALL_DB, CLIENT):
            if not os.path.exists(tool):
                raise ServerError(f"{tool} not found: run scripts/install-deps.sh")
        work = path + ".new"
        shutil.rmtree(work, ignore_errors=True)
        extra = os.path.join(base, "template.sql")
        with open(extra, "w") as f:
            f.write(TEMPLATE_SQL)
        args = [INSTALL_DB, "--no-defaults", f"--datadir={work}",
                "--auth-root-authentication-method=normal", "--skip-test-db",
                f"--extra-file={extra}"] + INNODB_OPTIONS
        if _as_root():
            args.append("--user=root")
        done = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, encoding="utf-8", errors="replace")
        if done.returncode != 0:
            raise ServerError("mariadb-install-db failed:\n" + done.stdout)
        os.rename(work, path)
        return path


def _option(opt):
    """'log_bin_compress=ON' or '--log-bin-compress=ON' -> '--log-bin-compress=ON'."""
    if opt.startswith("--"):
        return opt
    name, eq, value = opt.partition("=")
    return "--" + name.replace("_", "-") + eq + value


class MariaDB(ServerProcess):
    """A throwaway MariaDB server. Use it as a context manager, or call
    start() and stop(). Attributes once started: port, socket, datadir, dir,
    server_id."""

    kind = "mariadbd"
    start_timeout = START_TIMEOUT
    stop_timeout = STOP_TIMEOUT

    def __init__(self, options=(), log_bin=True, server_id=1, name="mariadb"):
        super().__init__(name)
        if isinstance(options, dict):
            options = [k if v is None else f"{k}={v}" for k, v in options.items()]
        self.options = [_option(o) for o in options]
        self.log_bin = log_bin
        self.server_id = server_id
        self._sockdir = None

    # -- life cycle ---------------------------------------------------------

    def start(self):
        self._template = _template()
        self._make_dir()
        self.datadir = os.path.join(self.dir, "data")
        self.socket = os.path.join(self.dir, "mysqld.sock")
        if len(self.socket) > 100:  # sun_path holds 108 bytes
            self._sockdir = tempfile.mkdtemp(prefix="rc-")
            self.socket = os.path.join(self._sockdir, "mysqld.sock")
        self.pid_file = os.path.join(self.dir, "mysqld.pid")
        self.log_file = os.path.join(self.dir, "error.log")
        return self._start_on_free_port()

    def _fresh(self):
        # A fresh copy each try: a failed start has already opened a binlog.
        shutil.rmtree(self.datadir, ignore_errors=True)
        shutil.copytree(self._template, self.datadir)
        if os.path.exists(self.log_file):
            os.remove(self.log_file)

    def _command(self):
        args = [MARIADBD, "--no-defaults"]
        if _as_root():
            args.append("--user=root")
        args += [f"--datadir={self.datadir}", f"--socket={self.socket}",
                 f"--pid-file={self.pid_file}", f"--log-error={self.log_file}",
                 f"--tmpdir={self.dir}", f"--port={self.port}",
                 f"--server-id={self.server_id}"]
        args += BASE_OPTIONS
        if self.log_bin:
            args += BINLOG_OPTIONS
        return args + self.options

    def _answers(self):
        """Our server greets a client on its own unix socket (which it
        creates after binding its TCP port)."""
        if not os.path.exists(self.socket):
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(2)
                s.connect(self.socket)
                head = s.recv(5)
        except OSError:
            return False
        return len(head) == 5 and head[4] == 10  # protocol version 10 handshake

    def restart(self):
        """Stops the server and starts it again on the same data and port
        (binlogs, tables and users stay; a new binlog file begins)."""
        return self._restart_same_port()

    def stop(self):
        """TERM, wait, then KILL; then remove the directory."""
        super().stop()
        if self._sockdir and not os.environ.get("ROWCAST_KEEP_SERVERS"):
            shutil.rmtree(self._sockdir, ignore_errors=True)
            self._sockdir = None

    def log(self):
        return self._read_log(self.log_file)

    def error_log(self):
        return self.log()

    # -- connecting ---------------------------------------------------------

    def url(self, user="root", password=None, host=None, port=None):
        """mysql://USER[:PASSWORD]@127.0.0.1:PORT for rowcast --source."""
        cred = urllib.parse.quote(user, safe="")
        if password is not None:
            cred += ":" + urllib.parse.quote(password, safe="")
        return f"mysql://{cred}@{host or self.host}:{port or self.port}"

    def client_command(self, database=None, user="root", password=None, tcp=False,
                       extra=()):
        """The mariadb client's command line for this server."""
        args = [CLIENT, "--no-defaults", "--default-character-set=utf8mb4", f"--user={user}"]
        if password is not None:
            args.append(f"--password={password}")
        if tcp:
            args += ["--protocol=tcp", f"--host={self.host}", f"--port={self.port}"]
        else:
            args += ["--protocol=socket", f"--socket={self.socket}"]
        args += list(extra)
        if database:
            args.append(database)
        return args

    def sql(self, text, database=None, user="root", password=None, tcp=False, check=True,
            timeout=120):
        """Runs SQL (any number of statements, DELIMITER works) through the
        mariadb client in batch mode; returns its stdout. Raises SQLError."""
        args = self.client_command(database, user, password, tcp, ["--batch"])
        done = subprocess.run(args, input=text, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              encoding="utf-8", errors="replace", timeout=timeout)
        if check and done.returncode != 0:
            raise SQLError(f"{done.stderr.strip()}\nin SQL:\n{text[:2000]}")
        return done.stdout

    def query(self, text, database=None, user="root", password=None):
        """Rows of the last result set of TEXT, as dicts of column name to
        str, or None for NULL. Values pass through the client's XML output, so
        tabs, newlines and any UTF-8 survive, but CR becomes LF and other
        control characters U+FFFD: select HEX() for arbitrary bytes."""
        args = self.client_command(database, user, password, extra=["--xml"])
        done = subprocess.run(args, input=text, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              encoding="utf-8", errors="replace", timeout=120)
        if done.returncode != 0:
            raise SQLError(f"{done.stderr.strip()}\nin SQL:\n{text[:2000]}")
        docs = [d for d in done.stdout.split('<?xml version="1.0"?>') if d.strip()]
        if not docs:
            return []
        nil = "{http://www.w3.org/2001/XMLSchema-instance}nil"
        # XML 1.0 cannot carry control characters; the client writes them raw.
        doc = _XML_INVALID.sub("\ufffd", docs[-1].strip())
        rows = []
        for row in ET.fromstring(doc).iter("row"):
            rows.append({f.get("name"): None if f.get(nil) == "true" else (f.text or "")
                         for f in row.iter("field")})
        return rows

    def scalar(self, text, database=None):
        """The first column of the first row, or None."""
        rows = self.query(text, database)
        return next(iter(rows[0].values())) if rows else None

    # -- helpers ------------------------------------------------------------

    def create_user(self, name, password="", grants=("REPLICATION SLAVE", "REPLICATION CLIENT"),
                    host="%"):
        """CREATE USER with PASSWORD and GRANT GRANTS ON *.* (none: USAGE only)."""
        account = f"'{name}'@'{host}'"
        stmts = [f"CREATE USER {account} IDENTIFIED BY '{password}';"]
        if grants:
            stmts.append(f"GRANT {', '.join(grants)} ON *.* TO {account};")
        self.sql("\n".join(stmts))

    def master_status(self):
        """SHOW MASTER STATUS as {'file': 'mysql-bin.000001', 'pos': 328}."""
        rows = self.query("SHOW MASTER STATUS")
        if not rows:
            raise SQLError("SHOW MASTER STATUS returned nothing: is log_bin on?")
        return {"file": rows[0]["File"], "pos": int(rows[0]["Position"])}

    def position(self):
        """The current end of the binlog as 'FILE:POS' (rowcast --start)."""
        st = self.master_status()
        return f"{st['file']}:{st['pos']}"

    def flush_logs(self):
        """FLUSH BINARY LOGS; returns the new master status."""
        self.sql("FLUSH BINARY LOGS")
        return self.master_status()

    def purge_binary_logs_to(self, name, timeout=20.0):
        """PURGE BINARY LOGS TO NAME, again until the older files are gone:
        the server keeps a file until InnoDB has checkpointed its commits."""
        deadline = time.monotonic() + timeout
        while True:
            self.sql(f"PURGE BINARY LOGS TO '{name}'")
            logs = self.binary_logs()
            if logs and logs[0] == name:
                return logs
            if time.monotonic() > deadline:
                raise SQLError(f"PURGE BINARY LOGS TO '{name}' left {logs}")
            time.sleep(0.1)

    def binary_logs(self):
        """SHOW BINARY LOGS: the names of the binlog files on the server."""
        return [r["Log_name"] for r in self.query("SHOW BINARY LOGS")]
