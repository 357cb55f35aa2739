#!/usr/bin/env bash
# Static files: Sockeye's command-line server against nginx serving the same directory, each alone on
# core 1, wrk on core 0, a warm-up before each measured run. Cases: a 1 KiB file (keep-alive), a 64 KiB
# file, a 10 MiB file, and the 1 KiB file with "Connection: close" (a new connection per request).
#   bench/files.sh      (DURATION=10s WARMUP=10s WARMUP_AGAIN=5s CONNECTIONS=50 NGINX_VARIANTS="2 1 1:sndbuf=256k" to change)
# nginx runs with 2 workers (what "worker_processes auto" gives on this 2-core machine), with 1, and with 1
# and the 256 KiB send buffer Sockeye sets for loopback peers (a variant is WORKERS[:listen options]).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

need nginx wrk
java="$("$bench_root/tools/find-jdk.sh")"
(cd "$bench_root" && mvn -B -q -DskipTests -pl sockeye-cli -am package >/dev/null) || die "build failed"
work="$(mktemp -d)"
docroot="$work/www"
mkdir -p "$docroot"
head -c 1024 /dev/urandom > "$docroot/1k.bin"
head -c 65536 /dev/urandom > "$docroot/64k.bin"
head -c 10485760 /dev/urandom > "$docroot/10m.bin"
chmod 755 "$work" "$docroot" && chmod 644 "$docroot"/*   # nginx's workers run as nobody

cases=("1 KiB, keep-alive|/1k.bin|" "64 KiB, keep-alive|/64k.bin|" "10 MiB, keep-alive|/10m.bin|" "1 KiB, Connection: close|/1k.bin|close")

measure_case() {
    local port="$1" path="$2" close="$3"
    if [ -n "$close" ]; then measure "http://127.0.0.1:$port$path" -H "Connection: close"
    else measure "http://127.0.0.1:$port$path"; fi
}

declare -A result
# Measures every case against the server on PORT, into result["KEY|case name"]: measure_cases KEY PORT
measure_cases() {
    local c name path close
    for c in "${cases[@]}"; do
        IFS='|' read -r name path close <<<"$c"
        result["$1|$name"]="$(measure_case "$2" "$path" "$close")"
    done
}
variants="${NGINX_VARIANTS:-2 1 1:sndbuf=256k}"
for variant in $variants; do
    workers="${variant%%:*}"
    listen_opts=""; [ "$variant" != "$workers" ] && listen_opts="${variant#*:}"
    port="$(free_port)"
    dir="$work/nginx-${variant//[:=]/-}"
    mkdir -p "$dir"
    nginx_conf "$dir" "$port" "$docroot" "$workers" "$listen_opts"
    start_server nginx -p "$dir" -c "$dir/nginx.conf" >/dev/null
    wait_for_port "$port"
    measure_cases "nginx-$variant" "$port"
    stop_all
done

port="$(free_port)"
# shellcheck disable=SC2086
start_server "$java" ${SOCKEYE_JAVA_OPTS:-} -jar "$bench_root/sockeye-cli/target/sockeye.jar" -q -b 127.0.0.1 -d "$docroot" "$port" >/dev/null 2>&1
wait_for_port "$port"
measure_cases sockeye "$port"
stop_all

jv="$(java_version "$java")"
base="${variants%% *}"
echo "Static files, $CONNECTIONS connections, ${DURATION} after warm-ups of ${WARMUP} and ${WARMUP_AGAIN}; $(nproc) cores, server on core $SERVER_CPU, wrk on core $CLIENT_CPU; ratios against nginx with ${base%%:*} worker(s)"
table_header
for c in "${cases[@]}"; do
    IFS='|' read -r name path close <<<"$c"
    read -r b_rps _ <<<"${result["nginx-$base|$name"]}"
    for variant in $variants; do
        workers="${variant%%:*}"
        label="$workers worker(s)"; [ "$variant" != "$workers" ] && label="$label, ${variant#*:}"
        read -r rps p99 scpu ccpu <<<"${result["nginx-$variant|$name"]}"
        row "$name: nginx, $label" "$rps" "$p99" "$scpu" "$ccpu" "$b_rps"
    done
    read -r rps p99 scpu ccpu <<<"${result["sockeye|$name"]}"
    row "$name: Sockeye (Java $jv)" "$rps" "$p99" "$scpu" "$ccpu" "$b_rps"
done
rm -rf "$work"
