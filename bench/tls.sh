#!/usr/bin/env bash
# HTTPS: Sockeye against nginx over TLS, with the same certificate and key, for two certificates made
# here with openssl: ECDSA P-256 and RSA 2048 (self-signed, SAN localhost and 127.0.0.1). nginx: one
# worker, TLS 1.2 and 1.3, a shared session cache (shared:SSL:10m) and session tickets on
# (bench/nginx-tls.conf.template). Sockeye: io.sockeye.bench.HelloServer --tls-cert --tls-key for the
# small response and the handshake cases, the command-line server (-q --tls-cert --tls-key -d DIR, with
# the JVM options tools/launch.sh gives it) for the files. Cases (CASES, keys in brackets):
#   [hello]  keep-alive, small in-memory response (nginx `return 200 "Hello, World!"`), wrk -c50
#   [1k]     keep-alive, 1 KiB file, wrk -c50
#   [10m]    keep-alive, 10 MiB file, wrk -c4 (LARGE_CONNECTIONS)
#   [close]  a new connection for every request: wrk -c50 -H 'Connection: close'. wrk RESUMES the TLS
#            session on each new connection (it keeps its SSL object's session across reconnects): with
#            TLS 1.3 that is a PSK handshake with a new X25519 exchange but no certificate and no
#            signature. The script checks it (CHECK_RESUMPTION=1): nginx's $ssl_session_reused, and the
#            JDK's handshake log for Sockeye, over a short run, and prints what it found.
#   [new]    full handshakes: `openssl s_time -new -www /hello` (one request per connection, a full
#            handshake for each, certificate and signature included), STIME_CLIENTS processes at once
#   [reuse]  resumed handshakes: `openssl s_time -reuse -www /hello`, as [new] otherwise; s_time marks
#            each connection resumed or not, and the script counts them
# For each: requests (or connections) per second, p99 (wrk cases only: s_time has no latencies; for the
# keep-alive cases also a steady-state p99 from h2load, of Debian's nghttp2-client, on connections opened
# before the measured window, if h2load is installed: see steady_p99), and the
# server's CPU time per request (or connection) over the measured run (lib.sh's measure_cpu: all its
# processes and threads, from /proc/PID/stat), and Sockeye ÷ nginx for the rate and for the CPU.
#
# Each server alone on core 1, the client (wrk -t1, or the s_time processes) on core 0, two warm-ups
# before each measured wrk run (see measure in lib.sh), one before each s_time run. RUNS rounds; in each,
# for each certificate, the two servers in turn, nginx first in odd rounds and Sockeye first in even
# ones; the table shows medians over the rounds.
#
#   bench/tls.sh   (RUNS=3 DURATION=5s WARMUP=4s WARMUP_AGAIN=2s CONNECTIONS=50 LARGE_CONNECTIONS=4
#                   CERTS="ecdsa rsa" CASES="hello 1k 10m close new reuse" STIME_CLIENTS=4 STIME_WARMUP=3
#                   CHECK_RESUMPTION=1 RETRY_DISTURBED=1 QUIET_WAIT=120 BUILD=1 to change; SOCKEYE_JAVA_OPTS
#                   is added to both Sockeye JVMs)
# Each server starts only once both cores are quiet (neither more than 15 % busy over a second, waiting
# QUIET_WAIT seconds at most), and a measurement during which other processes took more than 10 % of the
# server core (a build, say) is made again once they are (RETRY_DISTURBED=0: kept as it is, as files.sh
# does).
# The default run takes about 15 minutes on a quiet machine (18 server starts, 72 measurements of 8-11 s);
# each measurement made again, and each wait for quiet cores, adds to that (one run here: 21 minutes,
# with 36 measurements made again while other work ran on the machine).
set -euo pipefail
# shorter than lib.sh's defaults (10s, 10s, 5s), to keep 2 certificates × 6 cases × 2 servers × 3
# rounds within a quarter of an hour; the s_time cases warm up for STIME_WARMUP seconds
DURATION="${DURATION:-5s}"
WARMUP="${WARMUP:-4s}"
WARMUP_AGAIN="${WARMUP_AGAIN:-2s}"
source "$(dirname "$0")/lib.sh"

RUNS="${RUNS:-3}"
LARGE_CONNECTIONS="${LARGE_CONNECTIONS:-4}"
STIME_CLIENTS="${STIME_CLIENTS:-4}"
STIME_WARMUP="${STIME_WARMUP:-3}"
H2LOAD_WARMUP="${H2LOAD_WARMUP:-3}"
certs="${CERTS:-ecdsa rsa}"
cases="${CASES:-hello 1k 10m close new reuse}"
for c in $cases; do
    case "$c" in hello|1k|10m|close|new|reuse) ;; *) die "unknown case $c (hello 1k 10m close new reuse)" ;; esac
done
for c in $certs; do
    case "$c" in ecdsa|rsa) ;; *) die "unknown certificate $c (ecdsa rsa)" ;; esac
done

need nginx wrk curl openssl
java="$("$bench_root/tools/find-jdk.sh")"
build_server_jars

work="$(mktemp -d)"
trap 'stop_all || true; rm -rf "$work"' EXIT
docroot="$work/www"
file_docroot "$docroot"

# The certificates: $work/ecdsa.crt and .key, $work/rsa.crt and .key, self-signed, valid for a day
for c in $certs; do make_cert "$work" "$c" 1; done

# The JVM options tools/launch.sh gives the command-line server; SOCKEYE_JAVA_OPTS after them
launch_opts="$(launch_options "$java")"

# Starts a server on PORT with certificate CERT, its configuration and logs in DIR; its PID is then the
# last of $pids: start_peer nginx|hello|cli CERT PORT DIR [ACCESS_LOG]
start_peer() {
    local key="$1" cert="$2" port="$3" dir="$4" log="${5:-off}"
    mkdir -p "$dir"
    case "$key" in
        nginx)
            sed -e "s#@DIR@#$dir#g" -e "s#@PORT@#$port#g" -e "s#@ROOT@#$docroot#g" -e "s#@CERT@#$work/$cert.crt#g" \
                -e "s#@KEY@#$work/$cert.key#g" -e "s#@ACCESS_LOG@#$log#g" "$bench_root/bench/nginx-tls.conf.template" > "$dir/nginx.conf"
            start_server nginx -p "$dir" -c "$dir/nginx.conf" >"$dir/out.log" 2>&1 ;;
        hello)
            # shellcheck disable=SC2086
            start_server "$java" ${SOCKEYE_JAVA_OPTS:-} -cp "$bench_jar" io.sockeye.bench.HelloServer "$port" \
                --tls-cert "$work/$cert.crt" --tls-key "$work/$cert.key" >"$dir/out.log" 2>&1 ;;
        cli)
            # shellcheck disable=SC2086
            start_server "$java" $launch_opts ${SOCKEYE_JAVA_OPTS:-} -jar "$sockeye_jar" -q -b 127.0.0.1 \
                --tls-cert "$work/$cert.crt" --tls-key "$work/$cert.key" -d "$docroot" "$port" >"$dir/out.log" 2>&1 ;;
    esac
}

# True once the server (PID) serves PATH over HTTPS with SIZE bytes; false if it died or took over 15 s
ready() {
    local pid="$1" port="$2" path="$3" size="$4" i
    for i in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || return 1
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            [ "$(curl -sk -o /dev/null -w '%{http_code} %{size_download}' "https://127.0.0.1:$port$path")" = "200 $size" ]
            return
        fi
        sleep 0.1
    done
    return 1
}
stop_servers() { stop_all || true; }

# "5s" -> 5, "1m" -> 60 (s_time takes whole seconds)
seconds() { awk -v d="$1" 'BEGIN { n = d + 0; if (d ~ /m$/) n *= 60; else if (d ~ /h$/) n *= 3600; print (n < 1 ? 1 : int(n)) }'; }

# Runs STIME_CLIENTS `openssl s_time` processes at once on the client core for SECONDS, each into
# $work/stime.N: stime_run PORT -new|-reuse SECONDS
stime_run() {
    local port="$1" mode="$2" secs="$3" i spids=()
    rm -f "$work"/stime.*
    for ((i = 0; i < STIME_CLIENTS; i++)); do
        taskset -c "$CLIENT_CPU" timeout $((secs + 30)) openssl s_time -connect "127.0.0.1:$port" "$mode" \
            -www /hello -time "$secs" >"$work/stime.$i" 2>&1 &
        spids+=("$!")
    done
    for i in "${spids[@]}"; do wait "$i" || true; done
}

# As measure_cpu, with s_time: one warm-up, then the measured run. Prints "connections/s ? connections
# server-CPU-µs-per-connection client-core-busy% server-core-busy% server-CPU% other% resumed%", the last
# being the share of the connections s_time says were resumed: measure_stime PID PORT -new|-reuse
measure_stime() {
    local pid="$1" port="$2" mode="$3"
    stime_run "$port" "$mode" "$STIME_WARMUP"
    local before after ticks0 ticks1 ns0 ns1 hz n marks
    ticks0="$(tree_cpu_ticks "$pid")"
    before="$(cpu_snapshot)"
    ns0="$(date +%s%N)"
    stime_run "$port" "$mode" "$(seconds "$DURATION")"
    ns1="$(date +%s%N)"
    after="$(cpu_snapshot)"
    ticks1="$(tree_cpu_ticks "$pid")"
    hz="$(getconf CLK_TCK)"
    # "1234 connections in 6 real seconds, 157 bytes read per connection", one such line per process
    n="$(cat "$work"/stime.* | awk '/ connections in .* real seconds/ { n += $1 } END { print n + 0 }')"
    local done_ok; done_ok="$(cat "$work"/stime.* | grep -c ' real seconds' || true)"
    [ "$done_ok" -eq "$STIME_CLIENTS" ] || echo "bench: only $done_ok of $STIME_CLIENTS s_time runs finished: $(grep -hv '^[*r]*$' "$work"/stime.* | grep -iv connections | head -3 | tr '\n' ' ')" >&2
    # s_time prints "*" for each new session and "r" for each resumed one (the first -reuse one is new)
    marks="$(cat "$work"/stime.* | awk '/^[*r]+$/ { s = s $0 } END { n = length(s); r = gsub(/r/, "", s); if (n) printf "%.0f", 100 * r / n; else print "?" }')"
    awk -v n="$n" -v t="$((ticks1 - ticks0))" -v hz="$hz" -v ns="$((ns1 - ns0))" -v cb="$(cpu_busy_pct "$before" "$after" "$CLIENT_CPU")" \
        -v sb="$(cpu_busy_pct "$before" "$after" "$SERVER_CPU")" -v task="$(cpu_task_pct "$before" "$after" "$SERVER_CPU")" -v marks="$marks" 'BEGIN {
        secs = ns / 1e9; share = 100 * t / hz / secs; other = task - share
        printf "%.1f ? %d %s %s %s %.0f %.0f %s\n", n / secs, n, (n > 0 ? sprintf("%.1f", t * 1e6 / hz / n) : "?"), cb, sb, share, (other > 0 ? other : 0), marks }'
}

# Waits until neither core was more than 15 % busy over a second (for QUIET_WAIT seconds at most, 120 by
# default): a build on this 2-core machine runs on the server's core too
wait_quiet() {
    local i before after b0 b1
    for ((i = 0; i < ${QUIET_WAIT:-120}; i++)); do
        before="$(cpu_snapshot)"; sleep 1; after="$(cpu_snapshot)"
        b0="$(cpu_busy_pct "$before" "$after" "$CLIENT_CPU")"; b1="$(cpu_busy_pct "$before" "$after" "$SERVER_CPU")"
        [ "$b0" -le 15 ] && [ "$b1" -le 15 ] && { [ "$i" -gt 0 ] && echo "bench: quiet after $i s" >&2; return 0; }
        [ "$i" -eq 0 ] && echo "bench: waiting for the cores to be quiet (now $b0 % and $b1 % busy)..." >&2
    done
    echo "bench: still busy after ${QUIET_WAIT:-120} s; measuring anyway" >&2
}

# What each case measures, and on which Sockeye process
sockeye_of() { case "$1" in 1k|10m) echo cli ;; *) echo hello ;; esac; }
case_name() {
    case "$1" in
        hello) echo "keep-alive, small response (wrk -c$CONNECTIONS)" ;;
        1k) echo "keep-alive, 1 KiB file (wrk -c$CONNECTIONS)" ;;
        10m) echo "keep-alive, 10 MiB file (wrk -c$LARGE_CONNECTIONS)" ;;
        close) echo "new connection per request, session resumed by wrk (wrk -c$CONNECTIONS, Connection: close)" ;;
        new) echo "new connection, full handshake, 1 request (s_time -new ×$STIME_CLIENTS), per connection" ;;
        reuse) echo "new connection, resumed session, 1 request (s_time -reuse ×$STIME_CLIENTS), per connection" ;;
    esac
}
# The keep-alive cases' URL on PORT and their client's connections: case_url PORT C, case_connections C
case_url() { case "$2" in 1k) echo "https://127.0.0.1:$1/1k.bin" ;; 10m) echo "https://127.0.0.1:$1/10m.bin" ;; *) echo "https://127.0.0.1:$1/hello" ;; esac; }
case_connections() { if [ "$1" = 10m ]; then echo "$LARGE_CONNECTIONS"; else echo "$CONNECTIONS"; fi; }
# Runs case C against the server (PID) on PORT: one line as measure_cpu prints it
run_case() {
    local pid="$1" port="$2" c="$3"
    case "$c" in
        hello|1k|10m) measure_cpu "$pid" "$(case_connections "$c")" "$(case_url "$port" "$c")" ;;
        close) measure_cpu "$pid" "$CONNECTIONS" "$(case_url "$port" hello)" -H "Connection: close" ;;
        new) measure_stime "$pid" "$port" -new ;;
        reuse) measure_stime "$pid" "$port" -reuse ;;
    esac
}

# The steady-state latency of a keep-alive case: h2load (HTTP/1.1, one thread on the client core) opens
# its connections, warms up for H2LOAD_WARMUP, and logs each request of the next DURATION; prints "p99-ms
# p99.9-ms requests/s" from that log, or "? ? ?" without h2load. wrk's own p99 starts with the run's new
# connections: their handshakes (50 at once) come first on the server, and wrk's correction for
# coordinated omission turns each slow first request into dozens of samples, so over 5 s it says more
# about a burst of handshakes than about keep-alive traffic: steady_p99 CONNECTIONS URL
steady_p99() {
    local conns="$1" url="$2"
    if ! command -v h2load >/dev/null; then echo "? ? ?"; return; fi
    rm -f "$work/h2load.log"
    taskset -c "$CLIENT_CPU" h2load --h1 -t1 -c"$conns" -D "$(seconds "$DURATION")" --warm-up-time "$H2LOAD_WARMUP" \
        --log-file="$work/h2load.log" "$url" >/dev/null 2>&1 || true
    # columns: start (µs since the epoch), status, µs until the end of the response
    awk '{ print $3 }' "$work/h2load.log" 2>/dev/null | sort -n | awk -v secs="$(seconds "$DURATION")" '{ v[NR] = $1 }
        END { if (NR == 0) { print "? ? ?"; exit }
              i = int(NR * 0.99); if (i < 1) i = 1
              j = int(NR * 0.999); if (j < 1) j = 1
              printf "%.2f %.2f %.0f\n", v[i] / 1000, v[j] / 1000, NR / secs }'
}

# --- Does wrk resume TLS sessions on its new connections? --------------------------------------------
# nginx logs $ssl_session_reused ("r" or "."), the JDK logs "Resuming session" under javax.net.debug.
resumption_note=""
if [ "${CHECK_RESUMPTION:-1}" != 0 ]; then
    c="${certs%% *}"
    port="$(free_port)"
    start_peer nginx "$c" "$port" "$work/check-nginx" "$work/check-nginx/access.log tls"
    if ready "${pids[-1]}" "$port" /hello 13; then
        taskset -c "$CLIENT_CPU" wrk -t1 -c4 -d2s -H "Connection: close" "https://127.0.0.1:$port/hello" >/dev/null 2>&1 || true
        sleep 0.2
        n_total="$(grep -c 'reused=' "$work/check-nginx/access.log" || true)"
        n_reused="$(grep -c 'reused=r' "$work/check-nginx/access.log" || true)"
        resumption_note="nginx: $n_reused of $n_total connections resumed ($(awk '{print $1, $2, $3}' "$work/check-nginx/access.log" | sort | uniq -c | sort -rn | head -1 | awk '{print $2, $3, $4}'))"
    fi
    stop_servers
    port="$(free_port)"
    SOCKEYE_JAVA_OPTS="${SOCKEYE_JAVA_OPTS:-} -Djavax.net.debug=ssl:handshake" start_peer hello "$c" "$port" "$work/check-sockeye"
    if ready "${pids[-1]}" "$port" /hello 13; then
        taskset -c "$CLIENT_CPU" wrk -t1 -c4 -d2s -H "Connection: close" "https://127.0.0.1:$port/hello" >/dev/null 2>&1 || true
        sleep 0.2
        # one ServerHello per handshake (the readiness check's curl is the first, a full one)
        n_total="$(grep -c 'Produced ServerHello handshake message' "$work/check-sockeye/out.log" || true)"
        n_reused="$(grep -c 'Resuming session' "$work/check-sockeye/out.log" || true)"
        resumption_note+="; Sockeye (JDK handshake log): $n_reused of $n_total handshakes resumed"
    fi
    stop_servers
    rm -rf "$work/check-nginx" "$work/check-sockeye"
    echo "bench: wrk -H 'Connection: close', ${c} certificate, 2 s: $resumption_note" >&2
fi

# --- The measurements ------------------------------------------------------------------------------
# result["SERVER|CERT|CASE|ROUND"] = the line measure_cpu (or measure_stime) printed; SERVER nginx or sockeye
declare -A result
# steady["SERVER|CERT|CASE|ROUND"] = what steady_p99 printed, for the keep-alive cases
declare -A steady
disturbed=0
measured=0
started=$SECONDS
for ((round = 0; round < RUNS; round++)); do
    order="nginx sockeye"; [ $((round % 2)) -eq 1 ] && order="sockeye nginx"
    for cert in $certs; do
        for server in $order; do
            # nginx serves every case; Sockeye's cases are split between HelloServer and the CLI
            if [ "$server" = nginx ]; then procs="nginx"; else procs="hello cli"; fi
            for proc in $procs; do
                wanted=()
                for c in $cases; do
                    if [ "$proc" = nginx ] || [ "$(sockeye_of "$c")" = "$proc" ]; then wanted+=("$c"); fi
                done
                [ ${#wanted[@]} -gt 0 ] || continue
                # (a build or a test left running by someone else would take the client's or the server's core)
                wait_quiet
                port="$(free_port)"
                dir="$work/$proc-$cert-$round"
                start_peer "$proc" "$cert" "$port" "$dir"
                pid="${pids[-1]}"   # taskset execs the server, so this is the server's PID
                if [ "$proc" = cli ]; then check=(/1k.bin 1024); else check=(/hello 13); fi
                if ! ready "$pid" "$port" "${check[@]}"; then
                    echo "bench: $proc ($cert) did not start or did not serve ${check[0]}; skipped in round $((round + 1)) (its logs: $(cat "$dir"/*.log 2>/dev/null | tail -5 | tr '\n' ' '))" >&2
                    stop_servers
                    continue
                fi
                for c in "${wanted[@]}"; do
                    for try in 1 2; do
                        line="$(run_case "$pid" "$port" "$c")"
                        echo "bench: round $((round + 1))/$RUNS, $cert, $proc, $c: $line  (rate p99-ms count CPU-µs/each client-core% server-core% server-CPU% other%[ resumed%])" >&2
                        read -r _ _ _ _ _ _ _ other _ <<<"$line"
                        [ "${other:-0}" -gt 10 ] 2>/dev/null || break
                        # another process (someone's build or tests) ran on the server core: this measurement
                        # may be low. Measured once more when the machine is quiet again; kept if that is
                        # disturbed too (said, and counted in the table's heading)
                        echo "bench: ${other} % of core $SERVER_CPU went to other processes during that run" >&2
                        if [ "$try" = 1 ] && [ "${RETRY_DISTURBED:-1}" != 0 ]; then
                            wait_quiet
                        else
                            disturbed=$((disturbed + 1))
                            break
                        fi
                    done
                    result["$server|$cert|$c|$round"]="$line"
                    case "$c" in
                        hello|1k|10m)
                            steady["$server|$cert|$c|$round"]="$(steady_p99 "$(case_connections "$c")" "$(case_url "$port" "$c")")"
                            echo "bench: round $((round + 1))/$RUNS, $cert, $proc, $c, h2load after ${H2LOAD_WARMUP}s: ${steady["$server|$cert|$c|$round"]}  (p99-ms p99.9-ms rate)" >&2 ;;
                    esac
                    measured=$((measured + 1))
                done
                stop_servers
            done
        done
    done
done
elapsed=$((SECONDS - started))

# The median over the rounds of field F (1 rate, 2 p99, 3 count, 4 CPU µs, 5 client core %, 6 server
# core %, 7 server CPU %, 8 other %, 9 resumed % for s_time) of SERVER's CERT CASE: med SERVER CERT CASE F
med() {
    local r
    for ((r = 0; r < RUNS; r++)); do
        [ -n "${result["$1|$2|$3|$r"]:-}" ] && awk -v f="$4" '{ print $f }' <<<"${result["$1|$2|$3|$r"]}"
    done | median
}
# As med, of the steady-state figures (1 p99, 2 p99.9, 3 rate): med_steady SERVER CERT CASE F
med_steady() {
    local r
    for ((r = 0; r < RUNS; r++)); do
        [ -n "${steady["$1|$2|$3|$r"]:-}" ] && awk -v f="$4" '{ print $f }' <<<"${steady["$1|$2|$3|$r"]}"
    done | median
}
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "?" || v == "") print "—"; else printf f, v }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "?" || b == "?" || a == "" || b == "" || b + 0 == 0) print "?"; else print a / b }'; }

nginx_version="$(nginx -v 2>&1 | sed 's#.*nginx/##')"
echo
echo "## HTTPS: Sockeye against nginx"
echo
echo "Median of $RUNS rounds (nginx first in odd rounds, Sockeye in even ones); wrk cases: $DURATION measured after warm-ups of"
echo "$WARMUP and $WARMUP_AGAIN; s_time cases: $(seconds "$DURATION") s measured after $STIME_WARMUP s, $STIME_CLIENTS s_time processes at once. $(nproc) cores,"
echo "server on core $SERVER_CPU, client on core $CLIENT_CPU. CPU µs: the server's CPU time (all its processes and threads) over the"
echo "measured run ÷ the requests (s_time cases: connections) completed in it. Sockeye ÷ nginx: of the median rates (> 1: Sockeye"
echo "faster) and of the median CPU µs (> 1: Sockeye spends more per request). This run took $((elapsed / 60)) min $((elapsed % 60)) s; in"
echo "$disturbed of its $measured measurements other processes took more than 10 % of the server core (after one retry)."
echo
echo "| cert | case | nginx req/s | Sockeye req/s | rate S÷N | nginx p99 | Sockeye p99 | steady p99 N / S | nginx CPU µs | Sockeye CPU µs | CPU S÷N | client core N / S |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for cert in $certs; do
    for c in $cases; do
        nr="$(med nginx "$cert" "$c" 1)"; sr="$(med sockeye "$cert" "$c" 1)"
        nc="$(med nginx "$cert" "$c" 4)"; sc="$(med sockeye "$cert" "$c" 4)"
        echo "| $cert | $(case_name "$c") | $(fmt "$nr" '%.0f') | $(fmt "$sr" '%.0f') | **$(fmt "$(div "$sr" "$nr")" '%.2f×')** |" \
             "$(fmt "$(med nginx "$cert" "$c" 2)" '%.2f ms') | $(fmt "$(med sockeye "$cert" "$c" 2)" '%.2f ms') |" \
             "$(fmt "$(med_steady nginx "$cert" "$c" 1)" '%.2f') / $(fmt "$(med_steady sockeye "$cert" "$c" 1)" '%.2f ms') |" \
             "$(fmt "$nc" '%.1f') | $(fmt "$sc" '%.1f') | **$(fmt "$(div "$sc" "$nc")" '%.2f×')** |" \
             "$(fmt "$(med nginx "$cert" "$c" 5)" '%.0f') % / $(fmt "$(med sockeye "$cert" "$c" 5)" '%.0f') % |"
    done
done
echo
echo "nginx $nginx_version (1 worker, $(nginx -V 2>&1 | grep -o -E '(running|built) with OpenSSL [0-9.a-z]+' | tail -1)), Sockeye on Java $(java_version "$java") (HelloServer with the JVM's default options; the CLI with"
echo "\`$launch_opts\`). Clients: wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), $(openssl version | awk '{print $1, $2}') s_time."
for c in $cases; do
    case "$c" in
        reuse)
            echo "s_time -reuse: median share of connections resumed: nginx $(fmt "$(med nginx "${certs%% *}" reuse 9)" '%.0f') %, Sockeye $(fmt "$(med sockeye "${certs%% *}" reuse 9)" '%.0f') % (${certs%% *} certificate)." ;;
        new)
            echo "s_time -new: median share resumed (should be 0): nginx $(fmt "$(med nginx "${certs%% *}" new 9)" '%.0f') %, Sockeye $(fmt "$(med sockeye "${certs%% *}" new 9)" '%.0f') %." ;;
    esac
done
[ -n "$resumption_note" ] && echo "wrk with Connection: close resumes the TLS session on each new connection: $resumption_note."
echo "p99: wrk's, over a run that opens its connections at its start (see steady_p99 in the script); steady p99: h2load's"
echo "(-t1, same connections), over $(seconds "$DURATION") s after a ${H2LOAD_WARMUP} s warm-up on connections already open, keep-alive cases only."
echo "The client core at ≥ 95 % busy means the rate is the client's limit; the CPU µs per request still compares the servers."
