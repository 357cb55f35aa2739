#!/usr/bin/env bash
# CGI under abuse (issue #9): does every script get reaped, and does a normal client still get its
# answer while slow clients try to hold every script slot?
#
#   1. Reaping: REQUESTS mixed requests to Sockeye --cgi --cgi-timeout 2 (normal answers, local redirects,
#      clients resetting in the middle of a 12 MB output, scripts killed at their timeout, scripts leaving
#      background and setsid children, clients leaving in the middle of a body), then: zombies among the
#      server's children, processes the scripts left running, spool files left, server threads.
#   2. Slow clients: 32 POSTs that trickle a 100,000-byte body a byte every 5 s and 32 GETs of a 12 MB
#      output that never read, against Sockeye --cgi and lighttpd's mod_cgi (each with its defaults);
#      meanwhile a normal client asks for the two-line script PROBES times: time to answer.
#
#   bench/cgi-abuse.sh          (REQUESTS=10000 PROBES=20 to change)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

need lighttpd curl python3
REQUESTS="${REQUESTS:-10000}"
PROBES="${PROBES:-20}"
java="$("$bench_root/tools/find-jdk.sh")"
(cd "$bench_root" && mvn -B -q -DskipTests -pl sockeye-cli -am package >/dev/null) || die "build failed"
work="$(mktemp -d)"
docroot="$work/www"
mkdir -p "$docroot/cgi-bin"
abuse=(python3 "$bench_root/bench/cgi-abuse.py")
script() { printf '#!/bin/sh\n%s\n' "$2" > "$docroot/cgi-bin/$1"; chmod 755 "$docroot/cgi-bin/$1"; }
script hello.sh "printf 'Content-Type: text/plain\r\n\r\nhello\n'"
script big.sh "printf 'Content-Type: application/octet-stream\r\n\r\n'; head -c 12000000 /dev/zero"
script echo.sh "printf 'Content-Type: text/plain\r\n\r\n'; wc -c"
script redirect.sh "printf 'Location: /a.txt\r\n\r\n'"
script bgchild.sh "(sleep 3117) & setsid sleep 3118 & printf 'Content-Type: text/plain\r\n\r\nleft two behind\n'"
script sleepy.sh "sleep 10; printf 'Content-Type: text/plain\r\n\r\ntoo late\n'"
echo "a file" > "$docroot/a.txt"
chmod 755 "$work" "$docroot" "$docroot/cgi-bin"

# children_of PID STATE: processes whose parent is PID (in that state, or any if STATE is empty)
children_of() {
    local n=0 d st
    for d in /proc/[0-9]*; do
        st="$(cat "$d/stat" 2>/dev/null)" || continue
        st="${st##*) }"
        read -r state ppid _ <<<"$st"
        [ "$ppid" = "$1" ] && { [ -z "$2" ] || [ "$state" = "$2" ]; } && n=$((n + 1))
    done
    echo "$n"
}
# left_sleeping: the scripts' children still alive anywhere (their sleeps have lengths nothing else uses)
left_sleeping() { { pgrep -f '^sleep 311[78]$' || true; } | wc -l; }

echo "1. Reaping: $REQUESTS mixed requests to Sockeye (--cgi --cgi-timeout 2)"
pkill -f '^sleep 311[78]$' 2>/dev/null || true
port="$(free_port)"
start_server "$java" -jar "$bench_root/sockeye-cli/target/sockeye.jar" -q --cgi --cgi-timeout 2 -b 127.0.0.1 \
    -d "$docroot" "$port" >"$work/sockeye.log" 2>&1
pid="${pids[-1]}"
wait_for_port "$port"
start=$SECONDS
sent="$("${abuse[@]}" mixed --port "$port" --requests "$REQUESTS" --concurrency 32)"
took=$((SECONDS - start))
sleep 3 # the last timeouts and kills
zombies="$(children_of "$pid" Z)"
children="$(children_of "$pid" "")"
sleeping="$(left_sleeping)"
spool="$(ls -l "/proc/$pid/fd" 2>/dev/null | grep -c '(deleted)' || true)" # spool files are unlinked once open
fds="$(ls "/proc/$pid/fd" | wc -l)"
threads="$(ls "/proc/$pid/task" | wc -l)"
stop_all
echo "| requests | took | zombies | children left | scripts' children alive | spool files open | descriptors | threads |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
echo "| $sent | $took s | $zombies | $children | $sleeping | $spool | $fds | $threads |"
pkill -f '^sleep 311[78]$' 2>/dev/null || true

# availability NAME: probes while 64 slow clients hold on
availability() {
    mkfifo "$work/slow.in"
    "${abuse[@]}" slow --port "$port" --posts 32 --gets 32 --duration 120 <"$work/slow.in" >"$work/slow.out" 2>&1 &
    local slow_pid=$!
    exec 8>"$work/slow.in"
    local i
    for i in $(seq 1 100); do grep -q holding "$work/slow.out" && break; sleep 0.2; done
    sleep 6 # past the queue wait for a slot (5 s), were every slot taken
    "${abuse[@]}" probe --port "$port" --count "$PROBES" --interval 0.5 > "$work/probe.out"
    exec 8>&-
    wait "$slow_pid" 2>/dev/null || true
    rm -f "$work/slow.in"
    sort -k2 -n "$work/probe.out" | awk -v n="$1" '
        { t[NR] = $2; if ($1 != 200) bad++ }
        END { printf "| %-32s | %8.1f ms | %8.1f ms | %8.1f ms | %d of %d |\n", n, t[int((NR+1)/2)],
              t[int(NR*0.95+0.5)], t[NR], NR-bad, NR }'
}

echo
echo "2. A normal CGI request while 32 trickling POSTs and 32 GETs that read nothing hold on ($PROBES probes, 0.5 s apart)"
echo "| server                           |     median |        p95 |        max | answered 200 |"
echo "|----------------------------------|-----------:|-----------:|-----------:|-------------:|"
port="$(free_port)"
sed -e "s#@DIR@#$work#g" -e "s#@PORT@#$port#g" -e "s#@ROOT@#$docroot#g" "$bench_root/bench/lighttpd.conf.template" > "$work/lighttpd.conf"
start_server lighttpd -D -f "$work/lighttpd.conf" >/dev/null 2>&1
wait_for_port "$port"
availability "lighttpd $(lighttpd -v 2>&1 | head -1 | sed 's/lighttpd\/\([0-9.]*\).*/\1/') mod_cgi"
stop_all
port="$(free_port)"
start_server "$java" -jar "$bench_root/sockeye-cli/target/sockeye.jar" -q --cgi -b 127.0.0.1 -d "$docroot" "$port" \
    >"$work/sockeye.log" 2>&1
wait_for_port "$port"
availability "Sockeye --cgi"
stop_all
pkill -f '^sleep 311[78]$' 2>/dev/null || true
rm -rf "$work"
