#!/usr/bin/env python3
"""Holds many idle keep-alive HTTP connections to a server, as an attacker (or a crowd of browsers) would.

Opens N connections, sends one request on each and reads its response, then keeps them silent. With
--ping S, each connection sends another request every S seconds (spread evenly), so that the server's
idle timeout does not close it; with --reconnect, a connection the server closes is opened again.

Prints one status line per second to stderr and, on stdout, "held N" once N connections have had their
first answer (or after --ready-timeout, with however many there are). Runs until stdin reaches its end or
--duration seconds have passed, then prints a summary line: "open N closed-by-server N errors N".

    idle-holder.py --port 8080 --connections 15000 [--ping 50] [--reconnect] [--duration 120]
"""
import argparse
import errno
import os
import selectors
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--connections", type=int, default=15000)
    ap.add_argument("--path", default="/")
    ap.add_argument("--ping", type=float, default=0, help="seconds between requests on each connection")
    ap.add_argument("--reconnect", action="store_true")
    ap.add_argument("--duration", type=float, default=3600)
    ap.add_argument("--ready-timeout", type=float, default=60)
    ap.add_argument("--rate", type=float, default=5000, help="new connections per second at most")
    args = ap.parse_args()

    request = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: idle-holder\r\n\r\n"
               % (args.path, args.host, args.port)).encode()
    sel = selectors.DefaultSelector()
    try:
        sel.register(sys.stdin, selectors.EVENT_READ, "stdin")  # a pipe: its end stops the holder
    except (PermissionError, ValueError, OSError):
        pass  # stdin is a file or /dev/null: run for --duration
    conns = {}  # socket -> state dict
    stats = {"answered": 0, "closed": 0, "errors": 0}
    start = time.monotonic()
    announced = False
    to_open = args.connections
    last_open = start
    last_status = start

    def open_one():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect((args.host, args.port))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            stats["errors"] += 1
            return False
        conns[s] = {"state": "connecting", "buf": b"", "next_ping": 0.0, "answered": False}
        sel.register(s, selectors.EVENT_WRITE, "conn")
        return True

    def close(s, by_server):
        sel.unregister(s)
        s.close()
        st = conns.pop(s)
        if by_server:
            stats["closed"] += 1
        if st["answered"]:
            stats["answered"] -= 1
        return st

    def send_request(s, st, now):
        try:
            s.send(request)
        except OSError:
            close(s, True)
            return False
        st["state"] = "waiting"
        st["buf"] = b""
        sel.modify(s, selectors.EVENT_READ, "conn")
        if args.ping > 0:
            st["next_ping"] = now + args.ping
        return True

    def response_complete(buf):
        head_end = buf.find(b"\r\n\r\n")
        if head_end < 0:
            return False
        length = 0
        for line in buf[:head_end].split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        return len(buf) >= head_end + 4 + length

    while True:
        now = time.monotonic()
        if now - start > args.duration:
            break
        # open connections at a bounded rate
        if to_open > 0:
            allowed = max(1, int((now - last_open) * args.rate))
            for _ in range(min(allowed, to_open, 500)):
                if not open_one():
                    break
                to_open -= 1
            last_open = now
        events = sel.select(timeout=0.05)
        for key, mask in events:
            if key.data == "stdin":
                if not os.read(sys.stdin.fileno(), 4096):
                    summary(conns, stats)
                    return
                continue
            s = key.fileobj
            st = conns.get(s)
            if st is None:
                continue
            if st["state"] == "connecting":
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err != 0:
                    close(s, False)
                    stats["errors"] += 1
                    if args.reconnect:
                        to_open += 1
                    continue
                send_request(s, st, now)
                continue
            try:
                data = s.recv(65536)
            except OSError as e:
                data = b""
                if e.errno not in (errno.ECONNRESET, errno.EPIPE):
                    stats["errors"] += 1
            if not data:
                close(s, True)
                if args.reconnect:
                    to_open += 1
                continue
            if st["state"] == "waiting":
                st["buf"] += data
                if response_complete(st["buf"]):
                    st["state"] = "idle"
                    st["buf"] = b""
                    if not st["answered"]:
                        st["answered"] = True
                        stats["answered"] += 1
        if args.ping > 0:
            for s, st in list(conns.items()):
                if st["state"] == "idle" and now >= st["next_ping"]:
                    send_request(s, st, now)
        if not announced and (stats["answered"] >= args.connections or now - start > args.ready_timeout):
            print("held %d" % stats["answered"], flush=True)
            announced = True
        if now - last_status >= 1:
            last_status = now
            print("holder: open %d answered %d closed-by-server %d errors %d"
                  % (len(conns), stats["answered"], stats["closed"], stats["errors"]), file=sys.stderr, flush=True)
    summary(conns, stats)


def summary(conns, stats):
    print("open %d closed-by-server %d errors %d" % (len(conns), stats["closed"], stats["errors"]), flush=True)


if __name__ == "__main__":
    main()
