#!/usr/bin/env bash
# Start-up: how long from starting a server to its first answer, for ./sockeye (as a user runs it),
# java -jar sockeye.jar (no launcher, JVM defaults), jwebserver and python3 -m http.server.
#   bench/startup.sh        (RUNS=10 STARTUP_SERVERS="sockeye sockeye-plain jar jwebserver python" to change;
#                            SERVER_CPU=- to let the servers run on every core rather than on core 1)
# Ready means the first successful HTTP answer (a status line) to a GET of /, polled every 2 ms from core 0:
# the same test for every server, and what a user waits for. Each run picks a free port on 127.0.0.1 and
# stops the one process it started, by its PID. The table gives the median of RUNS runs, and the range.
# ./sockeye is warmed first (built, its JDK found, its start-up cache made), then timed as it starts
# every day; sockeye-plain is ./sockeye with SOCKEYE_AOT=0, to show what the start-up cache is worth.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

need python3
RUNS="${RUNS:-10}"
servers="${STARTUP_SERVERS:-sockeye sockeye-plain jar jwebserver python}"
java="$("$bench_root/tools/find-jdk.sh")"
jdk_bin="$(dirname "$(readlink -f "$java")")"
jwebserver="${JWEBSERVER:-$jdk_bin/jwebserver}"
work="$(mktemp -d)"
mkdir -p "$work/www"
echo "hello" > "$work/www/index.html"
trap 'stop_all; rm -rf "$work"' EXIT

# Warm-up: builds the jar if needed and makes the launcher's caches, so that what is timed is a start.
"$bench_root/sockeye" --version >/dev/null

# The timing itself: Python starts the server (so that the clock starts at exec, not after a shell's
# fork), polls, and stops it. Prints "median min max" in seconds.
cat > "$work/probe.py" <<'EOF'
import os, signal, socket, statistics, subprocess, sys, time
runs, cpu, tmpl = int(sys.argv[1]), sys.argv[2], sys.argv[3:]

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

def answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return s.recv(16).startswith(b"HTTP/1.")
    except OSError:
        return False

times = []
for _ in range(runs):
    port = free_port()
    cmd = [a.replace("{port}", str(port)) for a in tmpl]
    if cpu != "-":
        cmd = ["taskset", "-c", cpu] + cmd
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not answers(port):
            if p.poll() is not None:
                sys.exit("%s exited with %d before answering" % (cmd[0], p.returncode))
            if time.monotonic() - t0 > 120:
                sys.exit("%s did not answer within 120 s" % cmd[0])
            time.sleep(0.002)
        times.append(time.monotonic() - t0)
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill(); p.wait()
print("%.3f %.3f %.3f" % (statistics.median(times), min(times), max(times)))
EOF

probe() { taskset -c "$CLIENT_CPU" python3 "$work/probe.py" "$RUNS" "$SERVER_CPU" "$@"; }

declare -A label result
for s in $servers; do
    case "$s" in
        sockeye)       label[$s]="./sockeye"
                       result[$s]="$(probe "$bench_root/sockeye" -q -b 127.0.0.1 -d "$work/www" "{port}")" ;;
        sockeye-plain) label[$s]="./sockeye, SOCKEYE_AOT=0 (no start-up cache)"
                       result[$s]="$(probe env SOCKEYE_AOT=0 "$bench_root/sockeye" -q -b 127.0.0.1 -d "$work/www" "{port}")" ;;
        jar)           label[$s]="java -jar sockeye.jar (JVM defaults)"
                       result[$s]="$(probe "$java" -jar "$bench_root/sockeye-cli/target/sockeye.jar" -q -b 127.0.0.1 \
                                     -d "$work/www" "{port}")" ;;
        jwebserver)    [ -x "$jwebserver" ] || { echo "bench: no jwebserver at $jwebserver, skipped" >&2; continue; }
                       label[$s]="jwebserver (JDK $(java_version "$jdk_bin/java"))"
                       result[$s]="$(probe "$jwebserver" -b 127.0.0.1 -p "{port}" -d "$work/www")" ;;
        python)        label[$s]="python3 -m http.server ($(python3 -c 'import platform; print(platform.python_version())'))"
                       result[$s]="$(probe python3 -m http.server --bind 127.0.0.1 -d "$work/www" "{port}")" ;;
        *) die "unknown server $s (one of: sockeye sockeye-plain jar jwebserver python)" ;;
    esac
done

where="on core $SERVER_CPU"; [ "$SERVER_CPU" = "-" ] && where="on any core"
echo "Start to first answer (GET / polled every 2 ms), median of $RUNS runs; Java $(java_version "$java"), $(nproc) cores, servers $where"
echo "| server                                        |  median |  range        |"
echo "|-----------------------------------------------|--------:|---------------|"
for s in $servers; do
    [ -n "${result[$s]:-}" ] || continue
    read -r med lo hi <<<"${result[$s]}"
    printf '| %-45s | %4.0f ms | %4.0f–%.0f ms |\n' "${label[$s]}" "$(echo "$med*1000" | bc)" "$(echo "$lo*1000" | bc)" "$(echo "$hi*1000" | bc)"
done
