#!/usr/bin/env bash
# What a request costs the server: Sockeye's small in-memory response against nginx's `return 200`, in
# server CPU time per request, because at full speed wrk's core is the limit for both servers and the
# request rate then says more about wrk than about either server. Three loads, each after two warm-ups:
#   full       wrk -c50 as fast as it goes (wrk-bound: the rate is a floor for both)
#   paced      wrk -c50 with a 1 ms pause before each request on a connection (a lighter, steady load:
#              the server sleeps between requests and pays for waking up)
#   pipelined  wrk -c50 sending 16 requests at a time on each connection (the server is the limit)
# CPU time is the server process tree's utime+stime from /proc/PID/stat (nginx: master and its worker)
# over the measured run, divided by the requests wrk counted. RUNS rounds, the servers alternating in
# each; the table shows the medians.
#   bench/cpu.sh     (RUNS=3 DURATION=10s WARMUP=10s WARMUP_AGAIN=5s CONNECTIONS=50 LOADS="full paced pipelined")
set -euo pipefail
source "$(dirname "$0")/lib.sh"

need nginx wrk
java="$("$bench_root/tools/find-jdk.sh")"
build_bench_jar
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

# One measured run after two warm-ups (lib.sh's measure_cpu); prints "requests/s p99-ms cpu-µs-per-request
# wrk-core-busy%": run_load PID URL LOAD
run_load() {
    local pid="$1" url="$2" load="$3" args=()
    case "$load" in
        paced) args=(-s "$work/paced.lua") ;;
        pipelined) args=(-s "$work/pipelined.lua") ;;
    esac
    measure_cpu "$pid" "$CONNECTIONS" "$url" "${args[@]}" | awk '{ print $1, $2, $4, $5 }'
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
    start_server "$java" ${SOCKEYE_JAVA_OPTS:-} -cp "$bench_root/sockeye-bench/target/benchmarks.jar" \
        io.sockeye.bench.HelloServer "$port" >/dev/null
    wait_for_port "$port"
    url="http://127.0.0.1:$port/hello"
}

declare -A results   # "server|load" -> lines of "rps p99 cpu busy"
for round in $(seq 1 "$runs"); do
    order="nginx sockeye"; [ $((round % 2)) -eq 0 ] && order="sockeye nginx"
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

# the median of column N of the lines given: column LINES N
column() { awk -v c="$2" 'NF { print $c }' <<<"$1" | median; }

echo
echo "Server CPU per request, small in-memory response, $CONNECTIONS connections, median of $runs runs of $DURATION after warm-ups of $WARMUP and $WARMUP_AGAIN; server on core $SERVER_CPU, wrk on core $CLIENT_CPU"
echo
echo "| load | nginx µs/req | Sockeye µs/req | nginx ÷ Sockeye | nginx req/s | Sockeye req/s | nginx p99 | Sockeye p99 | wrk core |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for load in $loads; do
    n="${results[nginx|$load]}"; s="${results[sockeye|$load]}"
    awk -v load="$load" -v nc="$(column "$n" 3)" -v sc="$(column "$s" 3)" -v nr="$(column "$n" 1)" -v sr="$(column "$s" 1)" \
        -v np="$(column "$n" 2)" -v sp="$(column "$s" 2)" -v nb="$(column "$n" 4)" -v sb="$(column "$s" 4)" 'BEGIN {
        printf "| %s | %.2f | %.2f | **%.2f×** | %.0f | %.0f | %.2f ms | %.2f ms | %s %% / %s %% |\n",
            load, nc, sc, (sc > 0 ? nc / sc : 0), nr, sr, np, sp, nb, sb }'
done
echo
echo "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') (1 worker), Sockeye on Java $(java_version "$java"); ≥ 1.00× means Sockeye spends less CPU per request; 'wrk core' is how busy wrk's core was (nginx run / Sockeye run): at 100 % the request rate is wrk's ceiling"
rm -rf "$work"
