"""Throwaway NATS servers for tests.

Each NatsServer() is a nats-server from Debian's package (2.9) with JetStream
on, its store in a temporary directory, listening on a free port on
127.0.0.1 only (no monitoring port, no cluster). It reads no config file, so a
system server, if any, plays no part.

    with NatsServer() as nats:
        url = nats.url("rowcast")              # nats://127.0.0.1:PORT/rowcast
        js = nats.url("rowcast", scheme="jetstream", stream="S")
        nats.pause()                            # an outage: stopped, store kept
        nats.restart()                          # same port, same JetStream store

The directory lives under the scratch dir of tests/harness/mariadb.py (so
tests/run.py removes it) and is removed by stop() unless ROWCAST_KEEP_SERVERS=1.
"""

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

from .mariadb import ServerError, free_port, scratch_dir

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"

START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0

_live = set()


class NatsServer:
    """A throwaway nats-server with JetStream. Use it as a context manager, or
    call start() and stop(). Attributes once started: host, port, dir, store,
    log_file."""

    def __init__(self, jetstream=True, user=None, password=None, name="nats"):
        self.jetstream = jetstream
        self.user = user
        self.password = password
        self.name = name
        self.host = "127.0.0.1"
        self.port = None
        self.proc = None
        self.dir = None

    # -- life cycle ---------------------------------------------------------

    def __enter__(self):
        return self if self.running() else self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        if not os.path.exists(NATS_SERVER):
            raise ServerError(f"{NATS_SERVER} not found: run scripts/install-deps.sh")
        self.dir = tempfile.mkdtemp(prefix=self.name + "-", dir=scratch_dir())
        self.store = os.path.join(self.dir, "js")
        self.log_file = os.path.join(self.dir, "nats.log")
        _live.add(self)
        for _ in range(5):
            self.port = free_port()
            self._spawn()
            if self._wait_ready():
                return self
            log = self.log()
            self._reap()
            if "address already in use" in log.lower():
                continue  # another process took the port after free_port()
            self.stop()
            raise ServerError(f"nats-server did not start; log:\n{log[-4000:]}")
        self.stop()
        raise ServerError("nats-server found no free port in 5 tries")

    def _command(self):
        args = [NATS_SERVER, "-a", self.host, "-p", str(self.port), "-l", self.log_file]
        if self.jetstream:
            args += ["-js", "-sd", self.store]
        if self.user is not None:
            args += ["--user", self.user, "--pass", self.password or ""]
        return args

    def _spawn(self):
        # Same process group as the test: the runner's kill of a test that timed
        # out takes the server with it.
        self.proc = subprocess.Popen(self._command(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _wait_ready(self):
        """True once our server sends its INFO greeting (and, with JetStream,
        has logged that JetStream is ready); False if it exited."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if self._greets() and (not self.jetstream or "Server is ready" in self.log()):
                return True
            time.sleep(0.02)
        return False

    def _greets(self):
        try:
            with socket.create_connection((self.host, self.port), timeout=2) as s:
                return s.recv(5) == b"INFO "
        except OSError:
            return False

    def _reap(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()
        self.proc = None

    def _terminate(self):
        """TERM, wait, then KILL, by our own pid."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def pause(self):
        """Stops the server but keeps its directory, port and store, for
        restart() (an outage)."""
        self._terminate()

    def restart(self):
        """Starts the server again on the same port and JetStream store (after
        pause(), or stops it first)."""
        self._terminate()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            self._spawn()
            if self._wait_ready():
                return self
            log = self.log()
            self._reap()
            # The old socket may linger a moment, or a client grabbed the port.
            if "address already in use" not in log.lower() or time.monotonic() > deadline:
                raise ServerError(f"nats-server did not restart; log:\n{log[-4000:]}")
            time.sleep(0.2)

    def stop(self):
        """TERM, wait, then KILL; then remove the directory."""
        self._terminate()
        _live.discard(self)
        if self.dir and not os.environ.get("ROWCAST_KEEP_SERVERS"):
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self.log_file, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # -- connecting ---------------------------------------------------------

    def _session(self, commands, timeout=10):
        """Connects with the text protocol, sends CONNECT and then COMMANDS
        (bytes); returns the socket and its reader, INFO already read."""
        connect = {"verbose": False, "pedantic": False}
        if self.user is not None:
            connect.update(user=self.user, **{"pass": self.password or ""})
        s = socket.create_connection((self.host, self.port), timeout=timeout)
        f = s.makefile("rb")
        f.readline()  # INFO
        s.sendall(b"CONNECT " + json.dumps(connect).encode() + b"\r\n" + commands)
        return s, f

    def publish(self, subject, payload):
        """Publishes PAYLOAD (bytes or str) to SUBJECT over core NATS with the
        text protocol (CONNECT, PUB, PING; returns after the PONG), for probes
        that tell a test when its subscribers are listening."""
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        s, f = self._session(f"PUB {subject} {len(payload)}\r\n".encode() + payload
                             + b"\r\nPING\r\n")
        with s:
            while True:
                line = f.readline()
                if not line or line.startswith(b"PONG"):
                    return
                if line.startswith(b"-ERR"):
                    raise ServerError(f"nats-server refused a publish: {line!r}")

    def request(self, subject, payload=b"", timeout=10):
        """One request over the text protocol (JetStream's API is $JS.API.*):
        the reply decoded from JSON."""
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        s, f = self._session(b"SUB _INBOX.rc 1\r\n" + f"PUB {subject} _INBOX.rc "
                             f"{len(payload)}\r\n".encode() + payload + b"\r\n", timeout)
        with s:
            while True:
                line = f.readline()
                if not line:
                    raise ServerError(f"nats-server closed the connection ({subject})")
                if line.startswith(b"MSG "):
                    return json.loads(f.read(int(line.split()[-1]) + 2)[:-2])
                if line.startswith(b"PING"):
                    s.sendall(b"PONG\r\n")
                elif line.startswith(b"-ERR"):
                    raise ServerError(f"nats-server: {line!r} ({subject})")

    def wait_stream(self, name, timeout=30):
        """Waits until the JetStream stream NAME exists (rowcast stream makes
        it as it starts; a consumer started before that finds nothing)."""
        deadline = time.monotonic() + timeout
        while "config" not in self.request(f"$JS.API.STREAM.INFO.{name}"):
            if time.monotonic() > deadline:
                raise ServerError(f"JetStream stream {name} did not appear in {timeout}s")
            time.sleep(0.05)

    def url(self, subject="replication", scheme="nats", **params):
        """SCHEME://[USER:PASSWORD@]127.0.0.1:PORT/SUBJECT[?k=v&...] for
        --sink and subscribe."""
        cred = ""
        if self.user is not None:
            cred = urllib.parse.quote(self.user, safe="")
            cred += ":" + urllib.parse.quote(self.password or "", safe="") + "@"
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        return f"{scheme}://{cred}{self.host}:{self.port}/{subject}{query}"


@atexit.register
def _cleanup():
    """Stops servers a test left running."""
    for server in list(_live):
        server.stop()
