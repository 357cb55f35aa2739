#!/usr/bin/env bash
# What a request costs the server: Sockeye's small in-memory response against nginx's `return 200`, in
# server CPU time per request, because at full speed wrk's core is the limit for both servers and the
# request rate then says more about wrk than about either server. Three loads, each after two warm-ups:
#   full       wrk -c50 as fast as it goes (wrk-bound: the rate is a floor for both)
#   paced      wrk -c50 with a 1 ms pause before each request on a connection (a lighter, steady load:
#              the server sleeps between requests and pays for waking up)
#   pipelined  wrk -c50 sending 16 requests at a time on each connection (the server is the limit)
# CPU time is the server process tree's utime+stime from /proc/PID/stat (nginx: master and its worker)
# over the measured run, divided by the requests wrk counted. Sockeye runs twice: as it starts by default
# (native readiness polling where the platform allows) and with -Dsockeye.nativePolling=false (the JDK's
# way, the portable path). RUNS rounds, each starting with a different server; the table shows medians.
#   bench/cpu.sh     (RUNS=3 DURATION=10s WARMUP=10s WARMUP_AGAIN=5s CONNECTIONS=50 LOADS="full paced pipelined")
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# one benchmark at a time on this machine: another run's load would be counted as ours
exec 9>/tmp/sockeye-bench.lock
flock 9

need nginx wrk
java="$("$bench_root/tools/find-jdk.sh")"
(cd "$bench_root" && mvn -B -q -DskipTests -pl sockeye-bench -am package >/dev/null) || die "build failed"
work="$(mktemp -d)"
runs="${RUNS:-3}"
loads="${LOADS:-full paced pipelined}"

cat > "$work/paced.lua" <<'EOF'
-- a pause of 1 ms before each request on a connection
function delay() return 1 end
EOF
cat > "$work/pipelined.lua" <<'EOF'
-- 16 requests written at once on each connection; wrk counts each response
init = function(args)
    local r = {}
    for i = 1, 16 do r[i] = wrk.format(nil, wrk.path) end
    batch = table.concat(r)
end
request = function() return batch end
EOF

# CPU time (clock ticks) of a process and its children: cpu_ticks PID
cpu_ticks() {
    local total=0 p
    for p in "$1" $(pgrep -P "$1" || true); do
        # fields after the command name (which may hold spaces): utime is the 14th field, stime the 15th
        total=$((total + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
    done
    echo "$total"
}
hz="$(getconf CLK_TCK)"

# One measured run after two warm-ups; prints "requests/s p99-ms cpu-µs-per-request wrk-core-busy%"
# run_load PID URL LOAD
run_load() {
    local pid="$1" url="$2" load="$3" args=()
    case "$load" in
        paced) args=(-s "$work/paced.lua") ;;
        pipelined) args=(-s "$work/pipelined.lua") ;;
    esac
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" "${args[@]}" "$url" >/dev/null 2>&1
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"$WARMUP_AGAIN" "${args[@]}" "$url" >/dev/null 2>&1
    local t0 t1 before after out
    before="$(cpu_snapshot)"; t0="$(cpu_ticks "$pid")"
    out="$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "${args[@]}" "$url" 2>&1)"
    t1="$(cpu_ticks "$pid")"; after="$(cpu_snapshot)"
    local requests rps p99
    requests="$(echo "$out" | awk '/requests in/ {print $1}')"
    rps="$(echo "$out" | awk '/^Requests\/sec/ {print $2}')"
    p99="$(echo "$out" | awk '$1=="99%" {print $2}')"
    echo "$out" | grep -qE 'Non-2xx|Socket errors' && echo "bench: wrk reported errors for $url ($load): $(echo "$out" | grep -E 'Non-2xx|Socket errors')" >&2
    awk -v r="$requests" -v d="$((t1 - t0))" -v hz="$hz" -v rps="$rps" -v p99="$(to_ms "$p99")" -v busy="$(cpu_busy_pct "$before" "$after" "$CLIENT_CPU")" \
        'BEGIN { printf "%s %s %.2f %s\n", rps, p99, (r > 0 ? d / hz * 1e6 / r : 0), busy }'
}

start_nginx() {
    local port; port="$(free_port)"
    mkdir -p "$work/nginx"
    nginx_conf "$work/nginx" "$port" "$work" 1
    start_server nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" >/dev/null
    wait_for_port "$port"
    url="http://127.0.0.1:$port/hello"
}
start_sockeye() {
    local port; port="$(free_port)"
    # shellcheck disable=SC2086
    start_server "$java" $SOCKEYE_NATIVE_OPTS ${1:-} ${SOCKEYE_JAVA_OPTS:-} -cp "$bench_root/sockeye-bench/target/benchmarks.jar" \
        io.sockeye.bench.HelloServer "$port" >/dev/null
    wait_for_port "$port"
    url="http://127.0.0.1:$port/hello"
}

# the same server reading the JDK's way (a read that finds nothing, then the JDK's poller)
start_sockeyejdk() { start_sockeye -Dsockeye.nativePolling=false; }

declare -A results   # "server|load" -> lines of "rps p99 cpu busy"
for round in $(seq 1 "$runs"); do
    # a different server first in each round
    case $((round % 3)) in
        1) order="nginx sockeye sockeyejdk" ;;
        2) order="sockeye sockeyejdk nginx" ;;
        0) order="sockeyejdk nginx sockeye" ;;
    esac
    for server in $order; do
        "start_$server"
        pid="${pids[-1]}"   # start_server remembers it; taskset execs the server, so this is the server
        for load in $loads; do
            line="$(run_load "$pid" "$url" "$load")"
            echo "round $round, $server, $load: $line" >&2
            results["$server|$load"]+="$line"$'\n'
        done
        stop_all
    done
done

# median of column N of the lines given
median() { awk -v c="$2" '{print $c}' <<<"$1" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo
echo "Server CPU per request, small in-memory response, $CONNECTIONS connections, median of $runs runs of $DURATION after warm-ups of $WARMUP and $WARMUP_AGAIN; server on core $SERVER_CPU, wrk on core $CLIENT_CPU"
echo
echo "| load | nginx µs/req | Sockeye µs/req | nginx ÷ Sockeye | nginx req/s | Sockeye req/s | nginx p99 | Sockeye p99 | wrk core | JDK polling: µs/req, nginx ÷ it, p99 |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
for load in $loads; do
    n="${results[nginx|$load]}"; s="${results[sockeye|$load]}"; j="${results[sockeyejdk|$load]}"
    awk -v load="$load" -v nc="$(median "$n" 3)" -v sc="$(median "$s" 3)" -v nr="$(median "$n" 1)" -v sr="$(median "$s" 1)" \
        -v np="$(median "$n" 2)" -v sp="$(median "$s" 2)" -v nb="$(median "$n" 4)" -v sb="$(median "$s" 4)" \
        -v jc="$(median "$j" 3)" -v jp="$(median "$j" 2)" 'BEGIN {
        printf "| %s | %.2f | %.2f | **%.2f×** | %.0f | %.0f | %.2f ms | %.2f ms | %s %% / %s %% | %.2f, %.2f×, %.2f ms |\n",
            load, nc, sc, (sc > 0 ? nc / sc : 0), nr, sr, np, sp, nb, sb, jc, (jc > 0 ? nc / jc : 0), jp }'
done
echo
echo "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') (1 worker), Sockeye on Java $(java_version "$java"); ≥ 1.00× means Sockeye spends less CPU per request; 'wrk core' is how busy wrk's core was (nginx run / Sockeye run): at 100 % the request rate is wrk's ceiling"
rm -rf "$work"
