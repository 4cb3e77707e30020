"""Throwaway Redis servers for tests, and a tiny client to look inside them.

Each Redis() is a fresh redis-server from Debian's package (7.0) in its own
temporary directory, listening on a free port on 127.0.0.1 only, with no
config file (so a system Redis, if any, plays no part):

    with Redis() as r:                         # no persistence
        run_rowcast("stream", ..., "--sink", r.url("mode=stream"))
        entries = r.cmd("XRANGE", "replication", "-", "+")

    Redis(appendonly=True)   # survives stop()/start(): for the outage tests
    r.stop(); r.start()      # same port and directory (restart() does both)

cmd() speaks RESP over a socket (standard library only): bulk strings come
back as str (UTF-8), arrays as lists, nil as None, errors raise RedisError.
Directories live in the scratch dir of harness.mariadb (removed at the end of
the run; ROWCAST_KEEP_SERVERS=1 keeps them).
"""

import os
import shutil
import socket
import time

from harness.process import ServerProcess, _live, free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisError(Exception):
    """An error reply (-ERR ...), or a server that did not start."""


class Redis(ServerProcess):
    """A throwaway redis-server. Attributes once started: port, dir, proc."""

    kind = "redis-server"

    def __init__(self, appendonly=False, password=None, name="redis"):
        super().__init__(name)
        self.appendonly = appendonly
        self.password = password

    def __enter__(self):
        return self.start()

    def url(self, query="", password=True):
        auth = f":{self.password}@" if self.password and password else ""
        return f"redis://{auth}{self.host}:{self.port}" + (f"?{query}" if query else "")

    # -- life cycle -----------------------------------------------------------

    def start(self):
        """Starts the server (again, on the same port and directory, after a
        stop()) and waits until it answers PING."""
        self._make_dir()
        if self.port is None:
            self.port = free_port()
        self.log_file = os.path.join(self.dir, "redis.log")
        _live.add(self)
        self._spawn()
        if self._wait_ready():
            return self
        log = self.log()
        self.stop()
        raise RedisError(f"redis-server did not start (answer PING):\n{log}")

    def _command(self):
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", self.dir, "--save", "", "--daemonize", "no",
                "--logfile", self.log_file, "--protected-mode", "yes",
                "--appendonly", "yes" if self.appendonly else "no"]
        if self.appendonly:
            # every write is on disk before the reply: a restart loses nothing
            args += ["--appendfsync", "always"]
        if self.password:
            args += ["--requirepass", self.password]
        return args

    def _answers(self):
        try:
            return self.cmd("PING") == "PONG"
        except (OSError, RedisError):
            return False

    def stop(self):
        """TERM, then KILL after stop_timeout; by pid, never by name. The
        directory stays for start() again (the scratch dir goes at the end)."""
        self._terminate()
        _live.discard(self)

    def restart(self, down_seconds=0):
        self.stop()
        time.sleep(down_seconds)
        return self.start()

    def log(self):
        return self._read_log(self.log_file)[-3000:]

    # -- client ---------------------------------------------------------------

    def cmd(self, *args, timeout=10):
        """One command, one reply (see the module doc)."""
        with socket.create_connection((self.host, self.port), timeout=timeout) as s:
            f = s.makefile("rb")
            if self.password:
                s.sendall(_encode(("AUTH", self.password)))
                _read(f)
            s.sendall(_encode(args))
            return _read(f)


def _encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode("utf-8")
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def _read(f):
    line = f.readline()
    if not line:
        raise OSError("connection closed")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode("utf-8")
    if kind == b"-":
        raise RedisError(rest.decode("utf-8", "replace"))
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data.decode("utf-8", "replace")
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_read(f) for _ in range(n)]
    raise OSError(f"bad reply line {line!r}")
