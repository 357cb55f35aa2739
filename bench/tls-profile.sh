#!/usr/bin/env bash
# Where Sockeye's CPU goes over TLS: HelloServer (--tls-cert, --tls-key) under one of bench/tls.sh's loads
# with a JFR recording (settings=profile) of the measured part, then the hottest methods (top frames of
# jdk.ExecutionSample), the share of samples under each part of a handshake or of a request (signing, key
# exchange, certificates, AES-GCM, our code: bench/jfr-frames.py), and where memory is allocated.
#   bench/tls-profile.sh   (CERT=ecdsa|rsa LOAD=new|reuse|close|hello RECORD_SECONDS=30 WARMUP=10s PERIOD=1ms STIME_CLIENTS=4
#                           CONNECTIONS=50 OUT=DIR to keep the recording and the reports in DIR)
# The server runs on core 1, the client on core 0, as in bench/tls.sh; the recording starts after the
# warm-up (JFR's delay=), so the JIT has compiled the hot paths by then.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

cert="${CERT:-ecdsa}"
load="${LOAD:-new}"
secs="${RECORD_SECONDS:-30}"
STIME_CLIENTS="${STIME_CLIENTS:-4}"
# how often JFR samples the running Java threads (settings=profile: 10 ms; fewer samples than that leave
# a few hundred in a keep-alive run, whose threads spend much of their time parked)
PERIOD="${PERIOD:-1ms}"
need wrk openssl python3
java="$("$bench_root/tools/find-jdk.sh")"
jfr="$(dirname "$java")/jfr"
[ -x "$jfr" ] || die "no jfr next to $java"
[ "${BUILD:-1}" != 0 ] && build_bench_jar
out="${OUT:-$(mktemp -d /tmp/sockeye-tls-profile.XXXXXX)}"
mkdir -p "$out"

case "$cert" in
    ecdsa) alg=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
    rsa) alg=(-newkey rsa:2048) ;;
    *) die "CERT is ecdsa or rsa" ;;
esac
openssl req -x509 "${alg[@]}" -nodes -keyout "$out/$cert.key" -out "$out/$cert.crt" -days 1 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null || die "openssl could not make the certificate"

warm="$(awk -v d="$WARMUP" 'BEGIN { n = d + 0; if (d ~ /m$/) n *= 60; print int(n) }')"
port="$(free_port)"
# shellcheck disable=SC2086
start_server "$java" ${SOCKEYE_JAVA_OPTS:-} -XX:FlightRecorderOptions:stackdepth=128 \
    -XX:StartFlightRecording=delay=$((warm + 2))s,duration=${secs}s,filename="$out/$load-$cert.jfr",settings=profile,jdk.ExecutionSample#period="$PERIOD" \
    -cp "$bench_root/sockeye-bench/target/benchmarks.jar" io.sockeye.bench.HelloServer "$port" \
    --tls-cert "$out/$cert.crt" --tls-key "$out/$cert.key" >"$out/server.log" 2>&1
pid="${pids[-1]}"
wait_for_port "$port"
sleep 1   # (JFR starts its delay when the JVM starts, before the port is open: this keeps the order)

# Runs the load for N seconds on the client core
run_load() {
    local n="$1" i spids=()
    case "$load" in
        hello) taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"${n}s" "https://127.0.0.1:$port/hello" ;;
        close) taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"${n}s" -H "Connection: close" "https://127.0.0.1:$port/hello" ;;
        new|reuse)
            for ((i = 0; i < STIME_CLIENTS; i++)); do
                taskset -c "$CLIENT_CPU" timeout $((n + 30)) openssl s_time -connect "127.0.0.1:$port" "-$load" -www /hello \
                    -time "$n" >"$out/stime.$i" 2>&1 &
                spids+=("$!")
            done
            for i in "${spids[@]}"; do wait "$i" || true; done
            awk '/ connections in .* real seconds/ { n += $1 } END { print n + 0, "connections" }' "$out"/stime.* ;;
        *) die "LOAD is new, reuse, close or hello" ;;
    esac
}
echo "bench: warm-up, $warm s" >&2
run_load "$warm" >/dev/null
echo "bench: recording $secs s of load $load, $cert certificate, into $out/$load-$cert.jfr" >&2
# user and system time of the server (fields 14 and 15 of /proc/PID/stat, after the command name)
user_sys() { awk '{ sub(/^.*\) /, ""); print $12, $13 }' "/proc/$pid/stat"; }
read -r u0 s0 <<<"$(user_sys)"
t0="$(tree_cpu_ticks "$pid")"
run_load "$((secs + 2))" | tee "$out/load.txt" | tail -3 >&2
t1="$(tree_cpu_ticks "$pid")"
read -r u1 s1 <<<"$(user_sys)"
for i in $(seq 1 100); do [ -s "$out/$load-$cert.jfr" ] && break; sleep 0.2; done
sleep 1
stop_all
hz="$(getconf CLK_TCK)"
echo "bench: server CPU during the $((secs + 2)) s of load: $(awk -v t="$((t1 - t0))" -v u="$((u1 - u0))" -v s="$((s1 - s0))" -v hz="$hz" -v n="$((secs + 2))" \
    'BEGIN { printf "%.1f s (%.0f %% of a core), of which user %.1f s, system (kernel) %.1f s", t / hz, 100 * t / hz / n, u / hz, s / hz }')" \
    "(JFR's CPU samples see Java code only: the kernel's share is not in them)" | tee "$out/cpu.txt" >&2

"$jfr" print --json --stack-depth 128 --events jdk.ExecutionSample "$out/$load-$cert.jfr" > "$out/samples.json"
"$jfr" print --json --stack-depth 128 --events jdk.ObjectAllocationSample "$out/$load-$cert.jfr" > "$out/allocations.json"
"$jfr" view --width 160 hot-methods "$out/$load-$cert.jfr" > "$out/hot-methods.txt" 2>&1 || true
python3 "$bench_root/bench/jfr-frames.py" "$out/samples.json" "$out/allocations.json" | tee "$out/report.txt"
echo
echo "(recording, JFR views and this report: $out)"
