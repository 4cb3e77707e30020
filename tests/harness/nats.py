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
import socket
import time
import urllib.parse

from .process import ServerError, ServerProcess

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


class NatsServer(ServerProcess):
    """A throwaway nats-server with JetStream. Use it as a context manager, or
    call start() and stop(). Attributes once started: host, port, dir, store,
    log_file."""

    kind = "nats-server"

    def __init__(self, jetstream=True, user=None, password=None, name="nats"):
        super().__init__(name)
        self.jetstream = jetstream
        self.user = user
        self.password = password

    # -- life cycle ---------------------------------------------------------

    def start(self):
        if not os.path.exists(NATS_SERVER):
            raise ServerError(f"{NATS_SERVER} not found: run scripts/install-deps.sh")
        self._make_dir()
        self.store = os.path.join(self.dir, "js")
        self.log_file = os.path.join(self.dir, "nats.log")
        return self._start_on_free_port()

    def _command(self):
        args = [NATS_SERVER, "-a", self.host, "-p", str(self.port), "-l", self.log_file]
        if self.jetstream:
            args += ["-js", "-sd", self.store]
        if self.user is not None:
            args += ["--user", self.user, "--pass", self.password or ""]
        return args

    def _answers(self):
        """Our server sends its INFO greeting and, with JetStream, has logged
        that JetStream is ready."""
        try:
            with socket.create_connection((self.host, self.port), timeout=2) as s:
                if s.recv(5) != b"INFO ":
                    return False
        except OSError:
            return False
        return not self.jetstream or "Server is ready" in self.log()

    def pause(self):
        """Stops the server but keeps its directory, port and store, for
        restart() (an outage)."""
        self._terminate()

    def restart(self):
        """Starts the server again on the same port and JetStream store (after
        pause(), or stops it first)."""
        return self._restart_same_port()

    def log(self):
        return self._read_log(self.log_file)

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
