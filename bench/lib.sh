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

die() { echo "bench: $*" >&2; exit 1; }

# Builds sockeye-bench/target/benchmarks.jar (HelloServer, JettyFileServer, JMH) if the sources changed.
build_bench_jar() {
    (cd "$bench_root" && mvn -B -q -DskipTests -pl sockeye-bench -am package >/dev/null) || die "build failed"
}

# Builds the CLI's and the bench module's jars (unless BUILD=0) and sets sockeye_jar and bench_jar to them.
build_server_jars() {
    if [ "${BUILD:-1}" != 0 ]; then
        (cd "$bench_root" && mvn -B -q -DskipTests -pl sockeye-cli,sockeye-bench -am package >/dev/null) || die "build failed"
    fi
    sockeye_jar="$bench_root/sockeye-cli/target/sockeye.jar"
    bench_jar="$bench_root/sockeye-bench/target/benchmarks.jar"
    [ -f "$sockeye_jar" ] && [ -f "$bench_jar" ] || die "missing $sockeye_jar or $bench_jar (run without BUILD=0)"
}

# The file benchmarks' docroot: DIR/1k.bin, 64k.bin and 10m.bin, random bytes, readable by the peers'
# workers (nginx's run as nobody, so do h2o's): file_docroot DIR
file_docroot() {
    mkdir -p "$1"
    head -c 1024 /dev/urandom > "$1/1k.bin"
    head -c 65536 /dev/urandom > "$1/64k.bin"
    head -c 10485760 /dev/urandom > "$1/10m.bin"
    chmod 755 "$(dirname "$1")" "$1" && chmod 644 "$1"/*
}

# Benchmarks on this 2-core machine disturb each other, and a build disturbs them too: every script that
# sources this file waits for any other that holds /tmp/sockeye-bench.lock, and holds it until it exits
# (a script it runs inherits the lock: SOCKEYE_BENCH_LOCKED). Do not wrap a script in flock(1) on the same
# file: it would wait for itself.
if [ -z "${SOCKEYE_BENCH_LOCKED:-}" ]; then
    exec 9>/tmp/sockeye-bench.lock
    if ! flock -n 9; then
        echo "bench: waiting for another benchmark to finish (/tmp/sockeye-bench.lock)" >&2
        flock 9
    fi
    export SOCKEYE_BENCH_LOCKED=1
fi

# Installs the Debian packages given if their commands are missing (nginx, wrk, lighttpd...); a package
# whose command is named otherwise as COMMAND:PACKAGE (testssl:testssl.sh).
need() {
    local missing=() item cmd
    for item in "$@"; do
        cmd="${item%%:*}"
        command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("${item#*:}")
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

# The JVM options tools/launch.sh gives the command-line server: its base_options, and those of its
# optional_options that this JDK accepts: launch_options JAVA
launch_options() {
    local opts="-XX:+UseSerialGC -Xms16m -Xmx256m" o
    for o in -XX:TrimNativeHeapInterval=5000 -XX:+UseCompactObjectHeaders; do
        # shellcheck disable=SC2086
        "$1" $opts "$o" -version >/dev/null 2>&1 && opts+=" $o"
    done
    echo "$opts"
}

# A self-signed certificate and its key, for localhost and 127.0.0.1, valid for DAYS: DIR/NAME.crt and
# DIR/NAME.key, NAME ecdsa (P-256) or rsa (2048 bits): make_cert DIR NAME [DAYS]
make_cert() {
    local alg
    case "$2" in
        ecdsa) alg=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
        rsa) alg=(-newkey rsa:2048) ;;
        *) die "no certificate kind $2 (ecdsa, rsa)" ;;
    esac
    openssl req -x509 "${alg[@]}" -nodes -keyout "$1/$2.key" -out "$1/$2.crt" -days "${3:-1}" -subj /CN=localhost \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null || die "openssl could not make the $2 certificate"
    chmod 644 "$1/$2.crt" "$1/$2.key"   # (a throw-away key; nginx's master, as root, reads it anyway)
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

# The share of one core's time spent in processes (user, nice, system; not interrupts) between two
# /proc/stat snapshots: cpu_task_pct "$before" "$after" N
cpu_task_pct() {
    awk -v n="cpu$3" '
        FNR==NR && $1==n { for (i=2;i<=NF;i++) { t0+=$i }; u0=$2+$3+$4; next }
        $1==n { for (i=2;i<=NF;i++) { t1+=$i }; u1=$2+$3+$4 }
        END { dt=t1-t0; if (dt<=0) print 0; else printf "%.0f", 100*(u1-u0)/dt }' <(echo "$1") <(echo "$2")
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

# A process and all its descendants, one PID a line (nginx's master and workers, say): process_tree PID
process_tree() {
    local child
    echo "$1"
    for child in $(pgrep -P "$1" || true); do process_tree "$child"; done
}

# CPU time used so far by a process and all its descendants, in clock ticks (getconf CLK_TCK a second):
# utime + stime of each live one, plus cutime + cstime (fields 14-17 of /proc/PID/stat), which hold the
# children that have already ended. A JVM is one process: its threads (JIT, GC) are in its own figures.
tree_cpu_ticks() {
    local total=0 p ticks
    for p in $(process_tree "$1"); do
        # the command name (field 2) may hold spaces and parentheses: count fields after its last ")"
        ticks="$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$p/stat" 2>/dev/null || true)"
        total=$((total + ${ticks:-0}))
    done
    echo "$total"
}

# As measure, for one server process, with its CPU time over the measured run:
#   measure_cpu PID CONNECTIONS URL [wrk args...]
# prints "requests/s p99-ms requests server-CPU-µs-per-request wrk-core-busy% server-core-busy% server-CPU%
# other%". The CPU per request is what tells servers apart when wrk's own core is saturated (≥ 95 % busy):
# the request rate is then wrk's limit, not the server's. server-CPU% is the server's CPU time over the
# run's wall time. other% is how much of the server core's user and system time (its softirq time left
# out: loopback network work is charged there, to no process, when it runs outside the server) was not
# the server's: another process ran on that core meanwhile, and the measurement may be low.
measure_cpu() {
    local pid="$1" conns="$2" url="$3"; shift 3
    # the same two warm-ups as measure (see there why two)
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$conns" -d"$WARMUP" "$@" "$url" >/dev/null 2>&1
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$conns" -d"$WARMUP_AGAIN" "$@" "$url" >/dev/null 2>&1
    local before after ticks0 ticks1 ns0 ns1 out
    ticks0="$(tree_cpu_ticks "$pid")"
    before="$(cpu_snapshot)"
    ns0="$(date +%s%N)"
    out="$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$conns" -d"$DURATION" --latency "$@" "$url" 2>&1)"
    ns1="$(date +%s%N)"
    after="$(cpu_snapshot)"
    ticks1="$(tree_cpu_ticks "$pid")"
    local rps p99 requests errors cpu_us share hz
    hz="$(getconf CLK_TCK)"
    rps="$(echo "$out" | awk '/^Requests\/sec/ {print $2}')"
    p99="$(echo "$out" | awk '$1=="99%" {print $2}')"
    requests="$(echo "$out" | awk '/ requests in / {print $1}')"
    errors="$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')"
    [ -n "$errors" ] && echo "bench: wrk reported, for $url: $errors" >&2
    cpu_us="$(awk -v t="$((ticks1 - ticks0))" -v hz="$hz" -v n="${requests:-0}" \
        'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "?" }')"
    share="$(awk -v t="$((ticks1 - ticks0))" -v hz="$hz" -v ns="$((ns1 - ns0))" 'BEGIN { printf "%.0f", 100 * t / hz / (ns / 1e9) }')"
    echo "${rps:-0} $(to_ms "$p99") ${requests:-0} $cpu_us $(cpu_busy_pct "$before" "$after" "$CLIENT_CPU") $(cpu_busy_pct "$before" "$after" "$SERVER_CPU") $share" \
        "$(awk -v t="$(cpu_task_pct "$before" "$after" "$SERVER_CPU")" -v s="$share" 'BEGIN { d = t - s; printf "%.0f", (d > 0 ? d : 0) }')"
}

# The median of the numbers given, one a line on standard input ("?" when there are none); the mean of
# the middle two for an even count.
median() {
    sort -g | awk '$1 != "?" && $1 != "" { v[n++] = $1 }
        END { if (n == 0) print "?"; else if (n % 2) print v[(n - 1) / 2]; else print (v[n / 2 - 1] + v[n / 2]) / 2 }'
}
