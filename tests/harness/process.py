"""What the harness's servers (MariaDB, nats-server, redis-server) share: a
scratch directory per test process, free loopback ports, a registry of live
servers stopped at exit, and one process life cycle (start on a free port,
wait until it answers, stop by pid: TERM, wait, KILL).

A server class derives from ServerProcess and gives:

    kind            its name in messages ("nats-server")
    _command()      the argv to spawn
    _answers()      True once the process answers a client (it may still be starting)
    log()           its log text, for error messages
    _fresh()        (optional) what to redo before each start attempt
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time


class ServerError(Exception):
    """The server did not install, start or stop; the message has its log."""


_scratch = None
_own_scratch = False   # made here (no ROWCAST_TEST_TMP), so removed here
_live = set()


def scratch_dir():
    """The directory this process keeps servers in: ROWCAST_TEST_TMP if set
    (tests/run.py sets one per run and removes it), else a new one removed at
    exit unless ROWCAST_KEEP_SERVERS=1."""
    global _scratch, _own_scratch
    if _scratch is None:
        env = os.environ.get("ROWCAST_TEST_TMP")
        if env:
            os.makedirs(env, exist_ok=True)
            _scratch = env
        else:
            _scratch = tempfile.mkdtemp(prefix="rowcast-test-")
            _own_scratch = True
    return _scratch


@atexit.register
def _cleanup():
    """Stops servers a test left running, then removes our scratch dir."""
    for server in list(_live):
        server.stop()
    if _own_scratch and not os.environ.get("ROWCAST_KEEP_SERVERS"):
        shutil.rmtree(_scratch, ignore_errors=True)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    kind = "server"
    start_timeout = 20.0
    stop_timeout = 10.0

    def __init__(self, name):
        self.name = name
        self.host = "127.0.0.1"
        self.port = None
        self.proc = None
        self.dir = None

    def __enter__(self):
        return self if self.running() else self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def _fresh(self):
        pass

    def _make_dir(self):
        if self.dir is None:
            self.dir = tempfile.mkdtemp(prefix=self.name + "-", dir=scratch_dir())
        return self.dir

    def _start_on_free_port(self):
        """Spawns on a free port until one start succeeds. The port can be
        taken by another process between free_port() and the server's bind:
        then it tries another (five times at most)."""
        _live.add(self)
        for _ in range(5):
            self._fresh()
            self.port = free_port()
            self._spawn()
            if self._wait_ready():
                return self
            log = self.log()
            self._reap()
            if _port_taken(log):
                continue
            self.stop()
            raise ServerError(f"{self.kind} did not start; log:\n{log[-4000:]}")
        self.stop()
        raise ServerError(f"{self.kind} found no free port in 5 tries")

    def _restart_same_port(self):
        """Stops the process and starts it again on the same port and files.
        The old socket may linger a moment (or a client grabs the port): it
        retries while the log says the address is in use."""
        self._terminate()
        deadline = time.monotonic() + self.start_timeout
        while True:
            self._spawn()
            if self._wait_ready():
                return self
            log = self.log()
            self._reap()
            if not _port_taken(log) or time.monotonic() > deadline:
                raise ServerError(f"{self.kind} did not restart; log:\n{log[-4000:]}")
            time.sleep(0.2)

    def _spawn(self):
        # Same process group as the test: the runner's kill of a test that
        # timed out takes its servers with it.
        self.proc = subprocess.Popen(self._command(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _wait_ready(self):
        """True once our process answers; False if it exited first or did
        not answer within start_timeout."""
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if self._answers():
                return True
            time.sleep(0.02)
        return False

    def _reap(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()
        self.proc = None

    def _terminate(self):
        """TERM, wait, then KILL, by our own pid (never by name)."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def _remove_dir(self):
        if self.dir and not os.environ.get("ROWCAST_KEEP_SERVERS"):
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def stop(self):
        """TERM, wait, then KILL; then remove the directory."""
        self._terminate()
        _live.discard(self)
        self._remove_dir()

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def _read_log(self, path):
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def _port_taken(log):
    log = log.lower()
    # nats-server and redis: "address already in use"; mariadbd also says
    # "Bind on TCP/IP port"
    return "address already in use" in log or "bind on tcp/ip port" in log
