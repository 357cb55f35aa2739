#!/usr/bin/env bash
# Static files: Sockeye's command-line server against the best of its peers serving the same directory:
# nginx, lighttpd, h2o and Jetty 12. No single peer is fastest everywhere on this machine (lighttpd was on
# small keep-alive files, Jetty on 10 MiB ones, nginx or h2o with "Connection: close"), so each case is
# compared with whichever peer did best on it.
#
# Each server runs alone on core 1, wrk (one thread) on core 0, with two warm-ups before each measured
# run (see measure in lib.sh). Cases: a 1 KiB file and a 64 KiB file (keep-alive, 50 connections), a
# 10 MiB file (keep-alive, 4 connections: more would only queue behind each other on one core), and the
# 1 KiB file with "Connection: close" (a new connection per request, 50 at a time).
#
# Figures here move by 15-20 % from one run to the next, so the whole set is measured RUNS times
# (rounds); each round starts every server in turn, in an order rotated by one each round, so that no
# server always runs first or always follows the same one. Reported per case and server: the median
# rate and p99 over the rounds, the median server CPU time per request, and the median of the per-round
# ratios to the best peer (the peer with the highest median rate): a ratio within one round compares
# runs a few minutes apart, which the machine's drift affects least.
#
#   bench/files.sh    (RUNS=3 DURATION=10s WARMUP=10s WARMUP_AGAIN=5s CONNECTIONS=50 LARGE_CONNECTIONS=4
#                      SERVERS="sockeye nginx lighttpd h2o jetty" NGINX_VARIANTS="2" BUILD=1 to change)
# NGINX_VARIANTS lists nginx set-ups, each a peer of its own: WORKERS[:listen options], e.g.
# "2 1 1:sndbuf=256k" for 2 workers (what "worker_processes auto" gives on 2 cores), 1, and 1 with the
# 256 KiB send buffer Sockeye sets for loopback peers. Multi-process or multi-threaded servers (nginx's
# workers, h2o's threads) all run on core 1 too. BUILD=0 skips the Maven build (the jars must exist).
# A full run (5 servers, 4 cases, 3 rounds, 25 s a measurement) takes about 26 minutes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUNS="${RUNS:-3}"
LARGE_CONNECTIONS="${LARGE_CONNECTIONS:-4}"
variants="${NGINX_VARIANTS:-2}"
wanted=" ${SERVERS:-sockeye nginx lighttpd h2o jetty} "

need nginx lighttpd wrk curl
java="$("$bench_root/tools/find-jdk.sh")"
build_server_jars

# The servers, by key: sockeye, nginx:VARIANT for each nginx variant, lighttpd, h2o, jetty.
servers=()
for s in sockeye nginx lighttpd h2o jetty; do
    case "$wanted" in *" $s "*) ;; *) continue ;; esac
    if [ "$s" = nginx ]; then
        for v in $variants; do servers+=("nginx:$v"); done
    elif [ "$s" = h2o ] && ! (need h2o); then
        # h2o is a Debian package; where it cannot be installed the comparison goes on without it
        echo "bench: h2o is not installed and could not be; measuring without it" >&2
    else
        servers+=("$s")
    fi
done
[ "${servers[0]:-}" = sockeye ] || die "SERVERS must include sockeye (it is what the others are compared with)"
[ ${#servers[@]} -ge 2 ] || die "SERVERS must include at least one peer"

work="$(mktemp -d)"
trap 'stop_all || true; rm -rf "$work"' EXIT
docroot="$work/www"
file_docroot "$docroot"

# name|path|"close" for Connection: close|connections
cases=("1 KiB, keep-alive|/1k.bin||$CONNECTIONS"
       "64 KiB, keep-alive|/64k.bin||$CONNECTIONS"
       "10 MiB, keep-alive|/10m.bin||$LARGE_CONNECTIONS"
       "1 KiB, Connection: close|/1k.bin|close|$CONNECTIONS")

# Fills a config template of bench/: fill TEMPLATE OUTPUT PORT DIR
fill() {
    sed -e "s#@DIR@#$4#g" -e "s#@PORT@#$3#g" -e "s#@ROOT@#$docroot#g" "$bench_root/bench/$1" > "$2"
}

# Starts server KEY on PORT, its configuration and logs in DIR; its PID is then the last of $pids.
start_peer() {
    local key="$1" port="$2" dir="$3"
    mkdir -p "$dir"
    case "$key" in
        sockeye)
            # shellcheck disable=SC2086
            start_server "$java" ${SOCKEYE_JAVA_OPTS:-} -jar "$sockeye_jar" -q -b 127.0.0.1 -d "$docroot" "$port" >"$dir/out.log" 2>&1 ;;
        nginx:*)
            local variant="${key#nginx:}" opts=""
            [ "$variant" != "${variant%%:*}" ] && opts="${variant#*:}"
            nginx_conf "$dir" "$port" "$docroot" "${variant%%:*}" "$opts"
            start_server nginx -p "$dir" -c "$dir/nginx.conf" >"$dir/out.log" 2>&1 ;;
        lighttpd)
            fill lighttpd-files.conf.template "$dir/lighttpd.conf" "$port" "$dir"
            start_server lighttpd -D -f "$dir/lighttpd.conf" >"$dir/out.log" 2>&1 ;;
        h2o)
            fill h2o.conf.template "$dir/h2o.conf" "$port" "$dir"
            chmod 777 "$dir"   # h2o drops to nobody after opening its logs; let it write there regardless
            start_server h2o -c "$dir/h2o.conf" >"$dir/out.log" 2>&1 ;;
        jetty)
            # shellcheck disable=SC2086
            start_server "$java" ${JETTY_JAVA_OPTS:-} -cp "$bench_jar" io.sockeye.bench.JettyFileServer "$docroot" "$port" >"$dir/out.log" 2>&1 ;;
    esac
}

# Stops the servers started (stop_all), also when one has already died: stop_all's kill then fails,
# which would end the script under set -e; called as a condition it does not.
stop_servers() { stop_all || true; }

# True once the server (PID) listens on PORT and serves the 1 KiB file whole; false if it died or took
# more than 15 s (a configuration error should skip that server, not end the whole run).
ready() {
    local pid="$1" port="$2" i
    for i in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || return 1
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            [ "$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$port/1k.bin")" = "200 1024" ]
            return
        fi
        sleep 0.1
    done
    return 1
}

jv="$(java_version "$java")"
jetty_version="Jetty 12"
# The row label of server KEY
label() {
    case "$1" in
        sockeye) echo "Sockeye (Java $jv)" ;;
        nginx:*)
            local variant="${1#nginx:}" text
            text="nginx $(nginx -v 2>&1 | sed 's#.*nginx/##'), ${variant%%:*} worker(s)"
            [ "$variant" != "${variant%%:*}" ] && text="$text, ${variant#*:}"
            echo "$text" ;;
        lighttpd) echo "lighttpd $(lighttpd -v 2>&1 | head -1 | sed 's#lighttpd/\([0-9.]*\).*#\1#')" ;;
        h2o) echo "h2o $(h2o --version 2>&1 | head -1 | sed 's#h2o version ##')" ;;
        jetty) echo "$jetty_version (Java $jv)" ;;
    esac
}

# The measurements: result["KEY|CASE INDEX|ROUND"] = the line measure_cpu printed
#   requests/s p99-ms requests CPU-µs-per-request wrk-core-busy% server-core-busy% server-CPU% other%
declare -A result
disturbed=0
started=$SECONDS
n=${#servers[@]}
for ((round = 0; round < RUNS; round++)); do
    for ((i = 0; i < n; i++)); do
        key="${servers[$(((i + round) % n))]}"
        port="$(free_port)"
        dir="$work/${key//[:=]/-}-$round"
        start_peer "$key" "$port" "$dir"
        pid="${pids[-1]}"
        if ! ready "$pid" "$port"; then
            echo "bench: $(label "$key") did not start or did not serve /1k.bin; skipped in round $((round + 1)) (its logs: $(cat "$dir"/*.log 2>/dev/null | tail -5 | tr '\n' ' '))" >&2
            stop_servers
            continue
        fi
        [ "$key" = jetty ] && jetty_version="$(grep -o 'Jetty [0-9][0-9.]*' "$dir/out.log" | head -1 || echo "Jetty 12")"
        for ((c = 0; c < ${#cases[@]}; c++)); do
            IFS='|' read -r name path close conns <<<"${cases[$c]}"
            args=()
            [ -n "$close" ] && args=(-H "Connection: close")
            result["$key|$c|$round"]="$(measure_cpu "$pid" "$conns" "http://127.0.0.1:$port$path" "${args[@]}")"
            echo "bench: round $((round + 1))/$RUNS, $(label "$key"), $name: ${result["$key|$c|$round"]}  (req/s p99-ms requests CPU-µs/req wrk-core% server-core% server-CPU% other%)" >&2
            # Another process (someone's build or tests) ran on the server core: this measurement may be
            # low. Said, counted, and kept (the median absorbs one such round).
            read -r _ _ _ _ _ _ _ other <<<"${result["$key|$c|$round"]}"
            if [ "$other" -gt 10 ]; then
                echo "bench: ${other} % of core $SERVER_CPU went to other processes during that run" >&2
                disturbed=$((disturbed + 1))
            fi
        done
        stop_servers
    done
done
elapsed=$((SECONDS - started))

# Field F (1 = requests/s, 2 = p99, 3 = requests, 4 = CPU µs/request, 5 = wrk core %, 6 = server core %,
# 7 = server CPU %, 8 = other processes' % of the server core)
# of KEY's measurements of case C, one round a line (rounds where it did not run are left out).
values() {
    local key="$1" c="$2" f="$3" r
    for ((r = 0; r < RUNS; r++)); do
        [ -n "${result["$key|$c|$r"]:-}" ] && awk -v f="$f" '{print $f}' <<<"${result["$key|$c|$r"]}"
    done
    return 0
}
med() { values "$@" | median; }
# The median over the rounds of KEY's field F divided by OTHER's in the same round: ratio KEY OTHER C F
ratio() {
    local key="$1" other="$2" c="$3" f="$4" r
    for ((r = 0; r < RUNS; r++)); do
        [ -n "${result["$key|$c|$r"]:-}" ] && [ -n "${result["$other|$c|$r"]:-}" ] &&
            awk -v f="$f" 'NR == 1 { a = $f } NR == 2 && a != "?" && $f != "?" && $f > 0 { print a / $f }' \
                <(echo "${result["$key|$c|$r"]}") <(echo "${result["$other|$c|$r"]}")
    done | median
}
# The peer with the highest median rate on case C
best_peer() {
    local c="$1" key
    for key in "${servers[@]:1}"; do echo "$(med "$key" "$c" 1) $key"; done |
        awk '$1 != "?"' | sort -g -r | head -1 | awk '{print $2}'
}
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "?" || v == "") print "—"; else printf f, v }'; }

echo "## Static files: Sockeye against the best peer"
echo
echo "Median of $RUNS rounds (server order rotated each round), ${DURATION} measured after warm-ups of ${WARMUP} and ${WARMUP_AGAIN};"
echo "$(nproc) cores, each server alone on core $SERVER_CPU, wrk -t1 on core $CLIENT_CPU. CPU µs/req: the server's CPU time (all its"
echo "processes and threads) over the measured run ÷ the requests wrk completed in it; where the wrk core is ≥ 95 % busy the rate"
echo "is wrk's limit and CPU µs/req is the figure that compares the servers. vs best peer: median of the per-round rate ratios."
echo "Server CPU: its share of one core during the measured run; server core: how busy core $SERVER_CPU was (the difference is"
echo "mostly loopback network work charged to no process). This run took $((elapsed / 60)) min $((elapsed % 60)) s; in $disturbed of its"
echo "$((RUNS * ${#servers[@]} * ${#cases[@]})) measurements other processes took more than 10 % of the server core."
declare -A best
for ((c = 0; c < ${#cases[@]}; c++)); do
    IFS='|' read -r name path close conns <<<"${cases[$c]}"
    best[$c]="$(best_peer "$c")"
    echo
    echo "### $name ($conns connections)"
    echo
    echo "| server | median req/s | median p99 | CPU µs/req | vs best peer | server CPU | server core | wrk core |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for key in "${servers[@]}"; do
        r="—"; [ -n "${best[$c]}" ] && r="$(fmt "$(ratio "$key" "${best[$c]}" "$c" 1)" '%.2f×')"
        mark=""; [ "$key" = "${best[$c]}" ] && mark=" (best peer)"
        echo "| $(label "$key")$mark | $(fmt "$(med "$key" "$c" 1)" '%.0f') | $(fmt "$(med "$key" "$c" 2)" '%.2f ms') |" \
             "$(fmt "$(med "$key" "$c" 4)" '%.1f') | $r | $(fmt "$(med "$key" "$c" 7)" '%.0f %%') |" \
             "$(fmt "$(med "$key" "$c" 6)" '%.0f %%') | $(fmt "$(med "$key" "$c" 5)" '%.0f %%') |"
    done
done

echo
echo "### Summary"
echo
echo "| case | best peer | its req/s | Sockeye req/s | median ratio | Sockeye p99 vs peer p99 | CPU µs/req, Sockeye vs peer |"
echo "|---|---|---:|---:|---:|---:|---:|"
for ((c = 0; c < ${#cases[@]}; c++)); do
    IFS='|' read -r name path close conns <<<"${cases[$c]}"
    b="${best[$c]}"
    [ -n "$b" ] || { echo "| $name | — | — | $(fmt "$(med sockeye "$c" 1)" '%.0f') | — | — | — |"; continue; }
    s_p99="$(med sockeye "$c" 2)"; b_p99="$(med "$b" "$c" 2)"
    s_cpu="$(med sockeye "$c" 4)"; b_cpu="$(med "$b" "$c" 4)"
    # wrk-bound: the wrk core was ≥ 95 % busy for either, so the rate ratio understates the difference
    bound="$(awk -v a="$(med sockeye "$c" 5)" -v b="$(med "$b" "$c" 5)" 'BEGIN { if (a >= 95 || b >= 95) print " (wrk-bound)" }')"
    echo "| $name | $(label "$b") | $(fmt "$(med "$b" "$c" 1)" '%.0f') | $(fmt "$(med sockeye "$c" 1)" '%.0f') |" \
         "$(fmt "$(ratio sockeye "$b" "$c" 1)" '%.2f×') |" \
         "$(fmt "$s_p99" '%.2f') vs $(fmt "$b_p99" '%.2f') ms ($(fmt "$(awk -v a="$s_p99" -v b="$b_p99" 'BEGIN { if (a != "?" && b > 0) print a / b; else print "?" }')" '%.2f×')) |" \
         "$(fmt "$s_cpu" '%.1f') vs $(fmt "$b_cpu" '%.1f') ($(fmt "$(ratio sockeye "$b" "$c" 4)" '%.2f×'))$bound |"
done
