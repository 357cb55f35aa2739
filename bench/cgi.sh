#!/usr/bin/env bash
# CGI: a trivial shell script run per request, by Sockeye (--cgi) and by lighttpd's mod_cgi, each alone
# on core 1, wrk on core 0, a warm-up before each measured run. Prints requests/s, p99 and the ratio.
#   bench/cgi.sh        (DURATION=10s WARMUP=30s WARMUP_AGAIN=5s CONNECTIONS=50 to change)
set -euo pipefail
# A longer first warm-up than the other benchmarks: at ~1,200 requests/s the JIT is still compiling the
# CGI path 15 s in (the C2 thread's CPU time falls to nothing only after ~25 s, 30k requests). Both
# servers get the same warm-up; lighttpd has nothing to warm.
WARMUP="${WARMUP:-30s}"
source "$(dirname "$0")/lib.sh"

need lighttpd wrk
java="$("$bench_root/tools/find-jdk.sh")"
(cd "$bench_root" && mvn -B -q -DskipTests -pl sockeye-cli -am package >/dev/null) || die "build failed"
work="$(mktemp -d)"
docroot="$work/www"
mkdir -p "$docroot/cgi-bin"
cat > "$docroot/cgi-bin/hello.sh" <<'SCRIPT'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\nHello from %s\n' "$SERVER_SOFTWARE"
SCRIPT
chmod 755 "$work" "$docroot" "$docroot/cgi-bin" "$docroot/cgi-bin/hello.sh"
url_path="/cgi-bin/hello.sh"

port="$(free_port)"
sed -e "s#@DIR@#$work#g" -e "s#@PORT@#$port#g" -e "s#@ROOT@#$docroot#g" "$bench_root/bench/lighttpd.conf.template" > "$work/lighttpd.conf"
start_server lighttpd -D -f "$work/lighttpd.conf" >/dev/null 2>&1
wait_for_port "$port"
read -r l_rps l_p99 l_scpu l_ccpu <<<"$(measure "http://127.0.0.1:$port$url_path")"
stop_all

port="$(free_port)"
# shellcheck disable=SC2086
start_server "$java" ${SOCKEYE_JAVA_OPTS:-} -jar "$bench_root/sockeye-cli/target/sockeye.jar" -q --cgi -b 127.0.0.1 -d "$docroot" "$port" >/dev/null 2>&1
wait_for_port "$port"
read -r s_rps s_p99 s_scpu s_ccpu <<<"$(measure "http://127.0.0.1:$port$url_path")"
stop_all

echo "A trivial shell CGI script, $CONNECTIONS connections, ${DURATION} after warm-ups of ${WARMUP} and ${WARMUP_AGAIN}; $(nproc) cores, server on core $SERVER_CPU, wrk on core $CLIENT_CPU"
table_header | sed 's/vs nginx/vs lighttpd/'
row "lighttpd $(lighttpd -v 2>&1 | head -1 | sed 's/lighttpd\/\([0-9.]*\).*/\1/') mod_cgi" "$l_rps" "$l_p99" "$l_scpu" "$l_ccpu" "$l_rps"
row "Sockeye (Java $(java_version "$java")) --cgi" "$s_rps" "$s_p99" "$s_scpu" "$s_ccpu" "$l_rps"
rm -rf "$work"
