#!/usr/bin/env bash
# Idle connections, Sockeye against nginx: what each costs in memory, and whether a new client is still
# served when an attacker holds more idle keep-alive connections than the server allows.
#
#   1. Memory: the server (cap 16,000, idle timeout 300 s) holds HOLD idle keep-alive connections (one
#      request each, then silence); the table gives the growth of its resident memory divided by HOLD.
#      Sockeye's figure is taken after a full GC (jcmd GC.run) before and after, so that it counts what the
#      connections hold, not garbage the young generation had not collected yet (the figure without the GC
#      is printed too). Twice: with G1, the collector the JVM picks on a machine of two cores or more, and
#      with the serial collector, which it picks when it is given one core, as here (taskset): that one's
#      young generation grows with the heap, and stays resident, so the resident growth there says as much
#      about its sizing as about the connections (-Xmn16m brings it to G1's figure).
#      The live heap column is what the connections' objects take.
#   2. Lock-out: with a cap of 10,000 (nginx: worker_connections 10000) an attacker holds 15,000
#      connections, reconnecting those the server closes and sending a request on each every 50 s (to beat
#      the idle timeout); meanwhile a new client connects and asks for a page PROBES times: time to answer.
#
#   bench/idle.sh            (HOLD=15000 PROBES=20 RUNS=3 PARTS=memory,lockout to change)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

need nginx curl python3
HOLD="${HOLD:-15000}"
PROBES="${PROBES:-20}"
java="$("$bench_root/tools/find-jdk.sh")"
jcmd="$(dirname "$java")/jcmd"
(cd "$bench_root" && mvn -B -q -DskipTests -pl sockeye-cli -am package >/dev/null) || die "build failed"
work="$(mktemp -d)"
chmod 755 "$work" # nginx's workers run as another user
mkdir -p "$work/site" && echo "hello" > "$work/site/index.html"
holder=(python3 "$bench_root/bench/idle-holder.py")

# hold N [holder options...]: starts the holder on $port and waits until it holds N connections
hold() {
    local n="$1"; shift
    mkfifo "$work/hold.in"
    "${holder[@]}" --port "$port" --connections "$n" --path /index.html --ready-timeout 120 "$@" \
        <"$work/hold.in" >"$work/hold.out" 2>"$work/hold.err" &
    holder_pid=$!
    exec 7>"$work/hold.in"
    local i
    for i in $(seq 1 300); do grep -q '^held' "$work/hold.out" && break; sleep 0.5; done
    grep -q '^held' "$work/hold.out" || die "the holder did not get its connections: $(tail -2 "$work/hold.err")"
    local held; held="$(awk '/^held/ {print $2}' "$work/hold.out")"
    [ "$held" -ge $((n * 9 / 10)) ] || echo "bench: only $held of $n connections held: $(tail -1 "$work/hold.err")" >&2
}
release() {
    exec 7>&-
    wait "$holder_pid" 2>/dev/null || true
    rm -f "$work/hold.in"
}
warm_up() {
    "${holder[@]}" --port "$port" --connections 2000 --path /index.html --duration 8 </dev/null >/dev/null 2>&1 || true
    sleep 2
}
gc() { [ -n "${1:-}" ] && "$jcmd" "$1" GC.run >/dev/null 2>&1 && sleep 1 || true; }
# heap_used_kib PID: the Java heap in use (after a GC: what is live), summed over the generations (a
# JVM pinned to one core picks the serial collector, whose young and old generations are listed apart)
heap_used_kib() {
    "$jcmd" "$1" GC.heap_info 2>/dev/null | awk '/ total / && /, used / {
        for (i = 1; i < NF; i++) if ($i == "used") { v = $(i+1); sub(/K.*$/, "", v); sum += v } }
        END { print sum + 0 }'
}

start_sockeye() {
    port="$(free_port)"
    # shellcheck disable=SC2086
    start_server "$java" ${SOCKEYE_FLAGS:-} -jar "$bench_root/sockeye-cli/target/sockeye.jar" -q -b 127.0.0.1 -p "$port" \
        -d "$work/site" "$@" >"$work/sockeye.log" 2>&1
    server_pid="${pids[-1]}"
    wait_for_port "$port"
}
start_nginx() {
    port="$(free_port)"
    nginx_conf "$work" "$port" "$work/site" 1 "" "$1"
    start_server nginx -p "$work" -c "$work/nginx.conf" >/dev/null
    server_pid="${pids[-1]}"
    wait_for_port "$port"
}

# memory JVM_PID_OR_EMPTY: prints "held rss-before-KiB rss-after-KiB rss-after-without-GC-KiB heap-before heap-after"
memory() {
    local jvm="$1" before after raw_after heap0="" heap1=""
    warm_up
    gc "$jvm"; before="$(rss_kib "$server_pid")"; [ -n "$jvm" ] && heap0="$(heap_used_kib "$jvm")"
    hold "$HOLD"
    raw_after="$(rss_kib "$server_pid")"
    gc "$jvm"; after="$(rss_kib "$server_pid")"; [ -n "$jvm" ] && heap1="$(heap_used_kib "$jvm")"
    local held; held="$(awk '/^held/ {print $2}' "$work/hold.out")"
    release
    echo "$held $before $after $raw_after ${heap0:-0} ${heap1:-0}"
}

# memory_row NAME "held before after raw heap0 heap1"...: one row, the median run of those given
memory_row() {
    local name="$1"; shift
    printf '%s\n' "$@" | awk '{ print ($3 - $2) / $1, $0 }' | sort -n | awk -v n="$name" -v runs="$#" '
        { line[NR] = $0 } END {
            split(line[int((NR + 1) / 2)], f, " ")
            held = f[2]; b = f[3]; a = f[4]; r = f[5]; h0 = f[6]; h1 = f[7]
            printf "| %-40s | %6d | %7.1f MiB | %7.1f MiB | %7.2f KiB |", n, held, b/1024, a/1024, (a-b)/held
            if (h1 > 0) printf " %7.2f KiB | %7.2f KiB |", (r-b)/held, (h1-h0)/held; else printf " %11s | %11s |", "—", "—"
            printf " %d |\n", runs }'
}

# lockout NAME: a new client's time to be answered while 15,000 connections press on a cap of 10,000
lockout() {
    hold 15000 --reconnect --ping 50 --ready-timeout 60
    sleep 3
    local times=() i t
    for i in $(seq 1 "$PROBES"); do
        t="$(curl -s -o /dev/null -m 60 -w '%{http_code} %{time_total}' "http://127.0.0.1:$port/index.html" || echo "000 60")"
        times+=("$t")
        sleep 0.5
    done
    local summary; summary="$(tail -1 "$work/hold.err")"
    release
    printf '%s\n' "${times[@]}" | sort -k2 -n | awk -v n="$1" -v s="$summary" '
        { code[NR]=$1; t[NR]=$2; if ($1 != "200") bad++ }
        END { printf "| %-28s | %8.1f ms | %8.1f ms | %8.1f ms | %d of %d |\n", n, t[int((NR+1)/2)]*1000,
              t[int(NR*0.95+0.5)]*1000, t[NR]*1000, NR-bad, NR; print "  (" s ")" > "/dev/stderr" }'
}

if [[ "${PARTS:-memory,lockout}" == *memory* ]]; then
echo "Idle connections: memory with $HOLD held (one request each, then silence), $(nproc) cores, server on core $SERVER_CPU"
echo "(the median of RUNS runs by growth per connection; Sockeye's RSS taken after a full GC, and without it)"
echo "| server                                   |   held | RSS before |  RSS after | per connection | without GC | live heap | runs |"
echo "|------------------------------------------|-------:|-----------:|-----------:|---------------:|-----------:|----------:|-----:|"
runs=()
for i in $(seq 1 "${RUNS:-3}"); do
    start_nginx 19000
    runs+=("$(memory "")")
    stop_all
done
memory_row "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') (1 worker)" "${runs[@]}"
for flags in "-XX:+UseG1GC" "-XX:+UseSerialGC"; do
    runs=()
    for i in $(seq 1 "${RUNS:-3}"); do
        # shellcheck disable=SC2086
        SOCKEYE_FLAGS="$flags" start_sockeye --max-connections 16000 --idle-timeout 300
        runs+=("$(memory "$server_pid")")
        stop_all
    done
    memory_row "Sockeye (Java $(java_version "$java")), ${flags#-XX:+Use}" "${runs[@]}"
done

fi

if [[ "${PARTS:-memory,lockout}" == *lockout* ]]; then
echo
echo "A new client while 15,000 connections press on a cap of 10,000 ($PROBES requests, 0.5 s apart)"
echo "| server                       |     median |        p95 |        max | answered |"
echo "|------------------------------|-----------:|-----------:|-----------:|---------:|"
start_nginx 10000
lockout "nginx (worker_connections 10000)"
stop_all
start_sockeye --max-connections 10000
lockout "Sockeye (--max-connections 10000)"
stop_all
fi
rm -rf "$work"
