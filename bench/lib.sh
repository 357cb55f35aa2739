# Shared by the benchmark scripts: tools, processes, CPU accounting, wrk output parsing.
# Servers listen on 127.0.0.1 on free ports; the server runs on core 1, the load generator on core 0.

bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVER_CPU="${SERVER_CPU:-1}"
CLIENT_CPU="${CLIENT_CPU:-0}"
WARMUP="${WARMUP:-10s}"
WARMUP_AGAIN="${WARMUP_AGAIN:-5s}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-50}"
pids=()
# What a Sockeye started with -cp needs to poll its sockets natively (sockeye.jar's manifest says the same
# for java -jar): see "Native readiness polling" in README.md
SOCKEYE_NATIVE_OPTS="--enable-native-access=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED"

die() { echo "bench: $*" >&2; exit 1; }

# Installs the Debian packages given if their commands are missing (nginx, wrk, lighttpd...).
need() {
    local missing=()
    for pkg in "$@"; do
        command -v "$pkg" >/dev/null 2>&1 || [ -x "/usr/sbin/$pkg" ] || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "bench: installing ${missing[*]} from Debian's packages" >&2
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null ||
        die "could not install ${missing[*]}"
}

# Writes DIR/nginx.conf from the template: nginx_conf DIR PORT ROOT WORKERS [LISTEN_OPTIONS] [CONNECTIONS]
nginx_conf() {
    sed -e "s#@DIR@#$1#g" -e "s#@PORT@#$2#g" -e "s#@ROOT@#$3#g" -e "s#@WORKERS@#$4#g" -e "s#@LISTEN_OPTS@#${5:-}#g" \
        -e "s#@CONNECTIONS@#${6:-4096}#g" "$bench_root/bench/nginx.conf.template" > "$1/nginx.conf"
}

# Resident memory of a process and its children, in KiB: rss_kib PID
rss_kib() {
    local total=0 p
    for p in "$1" $(pgrep -P "$1" || true); do
        total=$((total + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

# The specification version of the java binary given ("25"), for the tables
java_version() {
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}'
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_for_port() {
    local port="$1" i
    for i in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.1
    done
    die "nothing listening on port $port"
}

# Starts a command pinned to the server core, in the background; remembers its PID for cleanup.
start_server() {
    taskset -c "$SERVER_CPU" "$@" &
    pids+=("$!")
    echo "$!"
}

stop_all() {
    local pid
    for pid in "${pids[@]:-}"; do
        [ -n "$pid" ] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
    done
    pids=()
}
trap stop_all EXIT

# Busy fraction of one core between two /proc/stat snapshots: cpu_busy_pct "$before" "$after" N
cpu_snapshot() { grep '^cpu[0-9]' /proc/stat; }
cpu_busy_pct() {
    local before="$1" after="$2" n="$3"
    awk -v n="cpu$n" '
        FNR==NR && $1==n { for (i=2;i<=NF;i++) { t0+=$i }; idle0=$5+$6; next }
        $1==n { for (i=2;i<=NF;i++) { t1+=$i }; idle1=$5+$6 }
        END { dt=t1-t0; if (dt<=0) print "?"; else printf "%.0f", 100*(dt-(idle1-idle0))/dt }' \
        <(echo "$before") <(echo "$after")
}

# Runs wrk against a URL (extra wrk args after it); prints "requests/s p99-ms server-cpu% client-cpu%".
measure() {
    local url="$1"; shift
    # two warm-up runs: the first compiles the request path; its connections then close, which sends the
    # JVM down paths it had not seen (and deoptimises some hot code), so a second, shorter run lets that
    # settle too. Without it the measured run starts with that recompilation and its p99 shows it.
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" "$@" "$url" >/dev/null 2>&1
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"$WARMUP_AGAIN" "$@" "$url" >/dev/null 2>&1
    local before after out
    before="$(cpu_snapshot)"
    out="$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" 2>&1)"
    after="$(cpu_snapshot)"
    local rps p99 errors
    rps="$(echo "$out" | awk '/^Requests\/sec/ {print $2}')"
    p99="$(echo "$out" | awk '$1=="99%" {print $2}')"
    errors="$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')"
    [ -n "$errors" ] && echo "bench: wrk reported, for $url: $errors" >&2
    echo "$rps $(to_ms "$p99") $(cpu_busy_pct "$before" "$after" "$SERVER_CPU") $(cpu_busy_pct "$before" "$after" "$CLIENT_CPU")"
}

# wrk prints latencies as 812.00us, 1.23ms, 2.01s
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v/1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v*1000 }
        else print "?" }'
}

# One table row: name rps p99 server-cpu client-cpu baseline-rps
row() {
    awk -v name="$1" -v rps="$2" -v p99="$3" -v scpu="$4" -v ccpu="$5" -v base="$6" 'BEGIN {
        ratio = (base > 0) ? sprintf("%.2f×", rps/base) : "—"
        printf "| %-42s | %11.0f | %8s | %8s | %8s %% | %5s %% |\n", name, rps, p99 " ms", ratio, scpu, ccpu }'
}

table_header() {
    echo "| case                                       |  requests/s |      p99 | vs nginx | server CPU | wrk CPU |"
    echo "|--------------------------------------------|------------:|---------:|--------:|-----------:|--------:|"
}
