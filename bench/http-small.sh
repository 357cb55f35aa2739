#!/usr/bin/env bash
# Sockeye against nginx on a small in-memory response ("Hello, World!", keep-alive, 50 connections):
# each server alone on core 1, wrk on core 0, a warm-up before each measured run. Prints a table of
# requests/s, p99 latency, the ratio to nginx, and how busy each core was.
#   bench/http-small.sh            (DURATION=10s WARMUP=10s WARMUP_AGAIN=5s CONNECTIONS=50 NGINX_WORKERS=1 to change)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

need nginx wrk
java="$("$bench_root/tools/find-jdk.sh")"
build_bench_jar
work="$(mktemp -d)"

nginx_port="$(free_port)"
nginx_conf "$work" "$nginx_port" "$work" "${NGINX_WORKERS:-1}"
start_server nginx -p "$work" -c "$work/nginx.conf" >/dev/null
wait_for_port "$nginx_port"
read -r n_rps n_p99 n_scpu n_ccpu <<<"$(measure "http://127.0.0.1:$nginx_port/hello")"
stop_all

sockeye_port="$(free_port)"
# shellcheck disable=SC2086
start_server "$java" ${SOCKEYE_JAVA_OPTS:-} -cp "$bench_root/sockeye-bench/target/benchmarks.jar" \
    io.sockeye.bench.HelloServer "$sockeye_port" >/dev/null
wait_for_port "$sockeye_port"
read -r s_rps s_p99 s_scpu s_ccpu <<<"$(measure "http://127.0.0.1:$sockeye_port/hello")"
stop_all

echo "Small in-memory response, keep-alive, $CONNECTIONS connections, ${DURATION} after warm-ups of ${WARMUP} and ${WARMUP_AGAIN}; $(nproc) cores, server on core $SERVER_CPU, wrk on core $CLIENT_CPU"
table_header
row "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') (${NGINX_WORKERS:-1} worker)" "$n_rps" "$n_p99" "$n_scpu" "$n_ccpu" "$n_rps"
row "Sockeye (Java $(java_version "$java"))" "$s_rps" "$s_p99" "$s_scpu" "$s_ccpu" "$n_rps"
rm -rf "$work"
