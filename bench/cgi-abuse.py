#!/usr/bin/env python3
"""Abuses a CGI server, for bench/cgi-abuse.sh.

    cgi-abuse.py mixed --port P --requests 10000 [--concurrency 32]
        Sends a mix of requests that end a script every way there is: normal answers, local redirects
        (Location: /path), clients that reset the connection in the middle of a large output, scripts
        killed at their timeout, scripts that leave a background child behind, and POSTs whose client
        leaves in the middle of the body. Prints "sent N by-kind ..." when done.

    cgi-abuse.py slow --port P --posts 32 --gets 32 --duration 60
        Holds slow clients: POSTs that declare Content-Length: 100000 and send a byte every 5 s, and GETs
        of a large output that never read a byte. Prints "holding N" once they are all connected (the GETs'
        requests sent), then holds them until stdin ends or the duration passes.

    cgi-abuse.py probe --port P --path /cgi-bin/hello.sh --count 20 --interval 0.5
        Fresh connections, one GET each; prints one line per probe: "status milliseconds".
"""
import argparse
import os
import random
import select
import socket
import struct
import sys
import threading
import time


def connect(port, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_response(s, limit=64 << 20):
    """Reads one response (Content-Length or chunked or until close); returns (status, bytes of body)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            raise IOError("closed before the head")
        buf += d
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    fields = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        fields[k.strip().lower()] = v.strip()
    if b"content-length" in fields:
        n = int(fields[b"content-length"])
        while len(rest) < n:
            d = s.recv(65536)
            if not d:
                break
            rest += d
        return status, len(rest)
    if fields.get(b"transfer-encoding", b"").lower() == b"chunked":
        while not rest.endswith(b"0\r\n\r\n"):
            d = s.recv(65536)
            if not d:
                break
            rest += d
            if len(rest) > limit:
                break
        return status, len(rest)
    while True:
        d = s.recv(65536)
        if not d:
            return status, len(rest)
        rest += d


def get(port, path, extra=b""):
    s = connect(port)
    try:
        s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n" + extra + b"\r\n")
        return read_response(s)
    finally:
        s.close()


def reset_mid_output(port):
    s = connect(port)
    s.sendall(b"GET /cgi-bin/big.sh HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
    s.recv(4096)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # RST
    return 0, 0


def leave_mid_body(port):
    s = connect(port)
    s.sendall(b"POST /cgi-bin/echo.sh HTTP/1.1\r\nHost: bench\r\nContent-Length: 1000\r\n\r\nonly a little")
    time.sleep(0.01)
    s.close()
    return 0, 0


def post(port):
    s = connect(port)
    try:
        body = b"x=" + b"y" * 3000
        s.sendall(b"POST /cgi-bin/echo.sh HTTP/1.1\r\nHost: bench\r\nConnection: close\r\nContent-Length: "
                  + str(len(body)).encode() + b"\r\n\r\n" + body)
        return read_response(s)
    finally:
        s.close()


KINDS = [
    ("hello", 50, lambda p: get(p, "/cgi-bin/hello.sh")),
    ("redirect", 15, lambda p: get(p, "/cgi-bin/redirect.sh")),
    ("post", 10, post),
    ("reset-mid-output", 10, reset_mid_output),
    ("leave-mid-body", 5, leave_mid_body),
    ("background-child", 8, lambda p: get(p, "/cgi-bin/bgchild.sh")),
    ("timeout", 2, lambda p: get(p, "/cgi-bin/sleepy.sh")),
]


def mixed(args):
    weights = [w for _, w, _ in KINDS]
    counts = {k: 0 for k, _, _ in KINDS}
    errors = {"count": 0}
    lock = threading.Lock()
    next_index = {"n": 0}

    def worker():
        rnd = random.Random()
        while True:
            with lock:
                if next_index["n"] >= args.requests:
                    return
                next_index["n"] += 1
            name, _, fn = rnd.choices(KINDS, weights=weights)[0]
            try:
                fn(args.port)
            except (OSError, IOError, ValueError, IndexError):
                with lock:
                    errors["count"] += 1
            with lock:
                counts[name] += 1

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("sent %d %s client-errors %d" % (sum(counts.values()),
          " ".join("%s=%d" % kv for kv in counts.items()), errors["count"]), flush=True)


def slow(args):
    posts, gets = [], []
    for _ in range(args.posts):
        s = connect(args.port)
        s.sendall(b"POST /cgi-bin/echo.sh HTTP/1.1\r\nHost: bench\r\nContent-Length: 100000\r\n\r\n")
        posts.append(s)
    for _ in range(args.gets):
        s = connect(args.port)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"GET /cgi-bin/big.sh HTTP/1.1\r\nHost: bench\r\n\r\n")
        gets.append(s)
    print("holding %d" % (len(posts) + len(gets)), flush=True)
    end = time.monotonic() + args.duration
    while time.monotonic() < end:
        r, _, _ = select.select([sys.stdin], [], [], 5)
        if r and not os.read(sys.stdin.fileno(), 4096):
            break
        for s in posts:
            try:
                s.send(b"y")
            except OSError:
                pass
    for s in posts + gets:
        s.close()


def probe(args):
    for i in range(args.count):
        t0 = time.monotonic()
        try:
            status, _ = get(args.port, args.path)
        except (OSError, IOError) as e:
            status = 0
        print("%d %.1f" % (status, (time.monotonic() - t0) * 1000), flush=True)
        time.sleep(args.interval)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["mixed", "slow", "probe"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--requests", type=int, default=10000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--posts", type=int, default=32)
    ap.add_argument("--gets", type=int, default=32)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--path", default="/cgi-bin/hello.sh")
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--interval", type=float, default=0.5)
    args = ap.parse_args()
    {"mixed": mixed, "slow": slow, "probe": probe}[args.mode](args)


if __name__ == "__main__":
    main()
