#!/usr/bin/env python3
"""bench/latency_sub.py: the NATS subscriber of `make bench`'s latency phase.

A core-NATS subscriber in plain Python (the text protocol over a socket; no
client library, no pipe): subscribes to SUBJECT, prints "ready" once the
server confirmed the subscription (PONG), "first" on the first message, and
records time.monotonic_ns() (CLOCK_MONOTONIC, the clock of
bench/latency_writer.js) for every message as soon as the recv() that
completed it returned. It stops after EXPECTED messages of table `lat` with
k >= 0, or IDLE seconds without a message once the first arrived, and writes
"k sent_us recv_ns" per row change to OUT.

    python3 bench/latency_sub.py HOST PORT SUBJECT EXPECTED OUT [IDLE]
"""

import re
import socket
import sys
import time

K_RE = re.compile(rb'"k": ?(-?\d+)')
SENT_RE = re.compile(rb'"sent_us": ?(\d+)')


def main():
    host, port, subject, expected, out = sys.argv[1:6]
    expected = int(expected)
    idle = float(sys.argv[6]) if len(sys.argv) > 6 else 10.0
    s = socket.create_connection((host, int(port)))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(b'CONNECT {"verbose":false,"pedantic":false,"echo":false}\r\n'
              + f"SUB {subject} 1\r\nPING\r\n".encode())
    buf = b""
    got = []            # (recv_ns, payload)
    seen = 0
    ready = False
    s.settimeout(None)
    while seen < expected:
        if ready and got:
            s.settimeout(idle)
        try:
            data = s.recv(1 << 20)
        except socket.timeout:
            break
        t = time.monotonic_ns()
        if not data:
            break
        buf += data
        while True:
            nl = buf.find(b"\r\n")
            if nl < 0:
                break
            line = buf[:nl]
            if line.startswith(b"MSG "):
                n = int(line.rsplit(b" ", 1)[1])
                if len(buf) < nl + 2 + n + 2:
                    break
                payload = buf[nl + 2:nl + 2 + n]
                buf = buf[nl + 2 + n + 2:]
                if not got:
                    print("first", flush=True)
                got.append((t, payload))
                if b'"lat"' in payload:
                    m = K_RE.search(payload)
                    if m and int(m.group(1)) >= 0:
                        seen += 1
                continue
            buf = buf[nl + 2:]
            if line == b"PING":
                s.sendall(b"PONG\r\n")
            elif line == b"PONG" and not ready:
                ready = True
                print("ready", flush=True)
            elif line.startswith(b"-ERR"):
                sys.exit(f"latency_sub: {line.decode(errors='replace')}")
    s.close()
    with open(out, "w") as f:
        for t, payload in got:
            k, sent = K_RE.search(payload), SENT_RE.search(payload)
            if k and sent and int(k.group(1)) >= 0:
                f.write(f"{k.group(1).decode()} {sent.group(1).decode()} {t}\n")
    print(f"messages={len(got)} rows={seen}", flush=True)


if __name__ == "__main__":
    main()
