#!/usr/bin/env bash
# Footprint: the resident memory (RSS) of a static-file server when idle and after a benchmark, and its
# request rates meanwhile, for Sockeye started as ./sockeye starts it (the launcher's JVM options), Sockeye
# on the JVM's defaults (java -jar), nginx (one worker) and lighttpd, each alone on core 1, wrk on core 0.
#   bench/footprint.sh     (FOOTPRINT_SERVERS="sockeye jvm-defaults nginx lighttpd" WARMUP=5s WARMUP_AGAIN=3s
#                           DURATION=10s SETTLE=5 to change; SOCKEYE_JAVA_OPTS applies to ./sockeye as usual)
# Idle: after starting and answering a few requests (each file twice), then SETTLE seconds of quiet.
# After: right after the benchmark, which runs the cases of bench/files.sh one after the other (a 1 KiB,
# a 64 KiB and a 10 MiB file with keep-alive, the 1 KiB one with "Connection: close"; 50 connections).
# RSS counts the server's processes (nginx: master and worker) and every page they have touched, shared
# library and class-data pages included: what top and ps show. Peak is the kernel's high-water mark of
# the main process (VmHWM).
set -euo pipefail
WARMUP="${WARMUP:-5s}"             # shorter than lib.sh's: the rates here are a check, not the subject
WARMUP_AGAIN="${WARMUP_AGAIN:-3s}"
source "$(dirname "$0")/lib.sh"

SETTLE="${SETTLE:-5}"
servers="${FOOTPRINT_SERVERS:-sockeye jvm-defaults nginx lighttpd}"
need nginx lighttpd wrk curl
java="$("$bench_root/tools/find-jdk.sh")"
work="$(mktemp -d)"
trap 'stop_all; rm -rf "$work"' EXIT
docroot="$work/www"
file_docroot "$docroot"

# Builds the jar if needed and makes the launcher's caches (JDK, start-up cache), so that the server
# measured below is the one a user gets from the second run on.
"$bench_root/sockeye" --version >/dev/null

cases=("1 KiB|/1k.bin|" "64 KiB|/64k.bin|" "10 MiB|/10m.bin|" "1 KiB, close|/1k.bin|close")

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

# measure_server KEY PORT PID: idle RSS, the cases' rates, RSS after, into result[KEY]
declare -A result label
measure_server() {
    local key="$1" port="$2" pid="$3" c name path close f idle rates="" out rps
    for f in 1k.bin 64k.bin 10m.bin 1k.bin 64k.bin 10m.bin; do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/$f" || die "$key did not serve /$f"
    done
    sleep "$SETTLE"
    idle="$(rss_kib "$pid")"
    for c in "${cases[@]}"; do
        IFS='|' read -r name path close <<<"$c"
        if [ -n "$close" ]; then out="$(measure "http://127.0.0.1:$port$path" -H "Connection: close")"
        else out="$(measure "http://127.0.0.1:$port$path")"; fi
        read -r rps _ <<<"$out"
        rates+=" ${rps:-0}"
    done
    result[$key]="$idle $(rss_kib "$pid") $(hwm_kib "$pid")$rates"
}

for s in $servers; do
    port="$(free_port)"
    case "$s" in
        sockeye)
            label[$s]="Sockeye, ./sockeye"
            start_server "$bench_root/sockeye" -q -b 127.0.0.1 -d "$docroot" "$port" >"$work/sockeye.log" 2>&1 ;;
        jvm-defaults)
            label[$s]="Sockeye, java -jar (JVM defaults)"
            start_server "$java" -jar "$bench_root/sockeye-cli/target/sockeye.jar" -q -b 127.0.0.1 -d "$docroot" "$port" \
                >"$work/jvm-defaults.log" 2>&1 ;;
        nginx)
            label[$s]="nginx $(nginx -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p'), 1 worker"
            mkdir -p "$work/nginx"
            nginx_conf "$work/nginx" "$port" "$docroot" 1
            start_server nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" >/dev/null 2>&1 ;;
        lighttpd)
            label[$s]="lighttpd $(lighttpd -v 2>&1 | sed -n 's|^lighttpd/\([0-9.]*\).*|\1|p')"
            mkdir -p "$work/lighttpd"
            # the defaults, with what the benchmark needs: its port, no access log, room for the connections
            cat > "$work/lighttpd/lighttpd.conf" <<EOF
server.document-root = "$docroot"
server.bind = "127.0.0.1"
server.port = $port
server.pid-file = "$work/lighttpd/lighttpd.pid"
server.errorlog = "$work/lighttpd/error.log"
server.max-connections = 4096
EOF
            start_server lighttpd -D -f "$work/lighttpd/lighttpd.conf" >/dev/null 2>&1 ;;
        *) die "unknown server $s (one of: sockeye jvm-defaults nginx lighttpd)" ;;
    esac
    pid="${pids[-1]}"   # start_server ran here, not in a subshell, so that stop_all knows the PID
    wait_for_port "$port"
    measure_server "$s" "$port" "$pid"
    stop_all
done

echo "Resident memory (MiB) idle and after the benchmark, and requests/s: $CONNECTIONS connections, ${DURATION} per case after warm-ups"
echo "of ${WARMUP} and ${WARMUP_AGAIN}; Java $(java_version "$java"), $(nproc) cores, server on core $SERVER_CPU, wrk on core $CLIENT_CPU"
echo
echo "| server                              | RSS idle | RSS after | peak | 1 KiB/s | 64 KiB/s | 10 MiB/s | 1 KiB close/s |"
echo "|-------------------------------------|---------:|----------:|-----:|--------:|---------:|---------:|--------------:|"
for s in $servers; do
    read -r idle after peak r1 r2 r3 r4 <<<"${result[$s]}"
    printf '| %-35s | %8s | %9s | %4.0f | %7.0f | %8.0f | %8.1f | %13.0f |\n' "${label[$s]}" "$(mib "$idle")" "$(mib "$after")" \
        "$(mib "$peak")" "$r1" "$r2" "$r3" "$r4"
done
if [ -n "${SOCKEYE_JAVA_OPTS:-}" ]; then echo; echo "SOCKEYE_JAVA_OPTS=$SOCKEYE_JAVA_OPTS"; fi
