#!/usr/bin/env bash
# Builds a module's runnable jar if it is missing or older than the sources, then runs it on a JDK 21+
# with JVM options suited to a small, long-running server (see server_options below).
#   tools/launch.sh MODULE JAR [args...]
# Environment:
#   JAVA_HOME            a JDK to prefer
#   SOCKEYE_JAVA_OPTS    JVM options, placed after ours so that they win; if they choose a collector or
#                        size the heap, our choices for that are left out (they would conflict)
#   SOCKEYE_AOT=0        no ahead-of-time cache (JDK 25+), e.g. to time a plain start
#
# Starting fast matters as much as running lean: the common path (nothing changed since the last run)
# starts no JVM but the server's and reads what earlier runs worked out from files under
# MODULE/target/launch/ (deleted by mvn clean, rebuilt on the next run):
#   jdk        which java to use, how it was identified, and the options it accepts
#   sources    the source folders the jar is built from (for the staleness check), relative to the checkout
#   NAME.jar   the copy of the built jar that is run: a later build rewrites MODULE/target/NAME.jar, which
#              would break a server still running from it; this copy is replaced by renaming instead
#   lock       held while building and training, so that two first runs do not build at once
#   app.aot    (JDK 25+) the JVM's ahead-of-time cache of the server's classes, made by a short training
#              run after each build; app.aot.key says for which JDK, jar and options it was made
set -euo pipefail

# (parameter expansions rather than dirname and basename: every process started here delays the server)
here="${BASH_SOURCE[0]}"
case "$here" in */*) here="${here%/*}" ;; *) here=. ;; esac
root="$(cd "$here/.." && pwd -P)"
module="$1"
jar="$2"
shift 2
name="${jar##*/}"
name="${name%.jar}"
state="${jar%/*}/launch"
run_jar="$state/$name.jar"

die() { echo "$name: $*" >&2; exit 1; }
say() { echo "$name: $*" >&2; }

# --- Which JDK ------------------------------------------------------------------------------------
# The cache is valid while JAVA_HOME and PATH's java are what they were and the java found is the same
# file (path, size, modification time: a JDK upgraded in place or another alternative selected shows).
java_id() { stat -L -c '%s %Y %i' "$1" 2>/dev/null || true; }
path_java="$(command -v java 2>/dev/null || true)"
want_key="${JAVA_HOME:-}|$path_java"

# The options we give the server's JVM, for this JDK. Tried once per JDK: an option a JDK does not know
# would stop it from starting, and these are not in every JDK 21+.
#   -XX:+UseSerialGC   one collector thread and the smallest bookkeeping; a static-file server keeps little
#                      alive (cached files are direct buffers, outside the heap), so collections are short.
#                      G1 cost more memory here for no more requests per second (see docs-lean.md)
#   -Xms16m            start small (the JVM's default here is 1/64 of the RAM, 384 MiB on 24 GiB) and grow as
#                      needed. A fixed young generation (-Xmn8m, -Xmn32m) was tried: 25% fewer requests/s
#                      for 64 KiB files and new connections, so the collector sizes it
#   -Xmx256m           a bound, not a size: the heap grows to it only if needed. Direct memory (the file
#                      cache, 64 MiB by default, and transfer buffers, 8 MiB) is bounded by it too. Going
#                      over it is an OutOfMemoryError, in the log; raise it with SOCKEYE_JAVA_OPTS=-Xmx1g
#   -XX:TrimNativeHeapInterval=5000   give back malloc'd memory the JIT freed (JDK 21.0.1+/22+)
#   -XX:+UseCompactObjectHeaders      8-byte object headers: less heap (a product option from JDK 25)
base_options="-XX:+UseSerialGC -Xms16m -Xmx256m"
optional_options="-XX:TrimNativeHeapInterval=5000 -XX:+UseCompactObjectHeaders"
# (the options are part of the cache's key, so that a launcher with other defaults tries them afresh)
want_key+="|$base_options|$optional_options"
server_options() {
    local java="$1" base opts=() o
    read -ra base <<< "$base_options"
    for o in $optional_options; do
        "$java" "${base[@]}" "$o" -version >/dev/null 2>&1 && opts+=("$o")
    done
    echo "${base[*]} ${opts[*]}"
}

java="" id="" version="" defaults=""
if [ -r "$state/jdk" ]; then
    { read -r key; read -r java; read -r id; read -r version; read -r defaults; } < "$state/jdk" || key=""
    if [ "$key" != "$want_key" ] || [ -z "$java" ] || [ "$(java_id "$java")" != "$id" ]; then java=""; fi
fi
if [ -z "$java" ]; then
    # "PATH VERSION": the path may hold blanks (JAVA_HOME="/opt/My JDK"), the version does not
    found="$("$root/tools/find-jdk.sh" --version)" || die "cannot run without a JDK 21 or newer"
    java="${found% *}"
    version="${found##* }"
    [ -n "$java" ] && [ -x "$java" ] && [[ "$version" =~ ^[0-9]+$ ]] || die "cannot run without a JDK 21 or newer"
    defaults="$(server_options "$java")"
    id="$(java_id "$java")"
    [ -n "$id" ] || die "cannot run $java"
    mkdir -p "$state"
    printf '%s\n' "$want_key" "$java" "$id" "$version" "$defaults" > "$state/jdk.$$"
    mv -f "$state/jdk.$$" "$state/jdk"
fi

# --- Is the jar up to date? -------------------------------------------------------------------------
# Rebuilt when anything under the source folders of the module and of the modules it depends on, or a
# pom.xml, is newer than the jar: files changed or added, and folders (a file deleted or renamed changes
# its folder). Test sources do not go into the jar and are not looked at. Which folders those are is
# worked out from the poms once and kept in $state/sources (again when a pom changes, which rebuilds).
source_dirs() {
    local todo=("$module") seen=" " m dep
    while [ ${#todo[@]} -gt 0 ]; do
        m="${todo[0]}"; todo=("${todo[@]:1}")
        case "$seen" in *" $m "*) continue ;; esac
        seen+="$m "
        [ -d "$root/$m/src/main" ] && echo "$m/src/main"
        # the project's own modules among its dependencies (artifactId = folder name)
        for dep in $(sed -n 's:.*<artifactId>\(sockeye-[a-z0-9-]*\)</artifactId>.*:\1:p' "$root/$m/pom.xml"); do
            [ -f "$root/$dep/pom.xml" ] && [ "$dep" != "$m" ] && todo+=("$dep")
        done
    done
}

# The jar run is the launcher's copy; a jar in target/ newer than it (an interrupted build, or one run
# by hand) is not trusted to be complete and is built again (Maven redoes only what changed).
stale() {
    [ -f "$run_jar" ] && [ -r "$state/sources" ] || return 0
    [ "$jar" -nt "$run_jar" ] && return 0
    local dirs=() d
    while IFS= read -r d; do dirs+=("$root/$d"); done < "$state/sources"
    [ -n "$(find "$root/pom.xml" "$root/.mvn" "$root"/*/pom.xml "${dirs[@]}" -newer "$run_jar" -print -quit 2>/dev/null)" ]
}

# Maven without -q, reduced to one line per module as it starts, so that a first build (half a minute or
# more) shows where it is; the whole log is kept for when it fails.
build() {
    command -v mvn >/dev/null 2>&1 || die "Maven is needed to build it the first time (apt-get install maven)"
    mkdir -p "$state"
    local log="$state/build.log" start=$SECONDS line words
    say "building $module and what it needs (first run, or the sources changed); log: ${log#"$root"/}"
    if ! (cd "$root" && mvn -B -DskipTests -pl "$module" -am package 2>&1) | tee "$log" | while IFS= read -r line; do
        case "$line" in
            "[INFO] Building "*"["*/*"]"*)   # "[INFO] Building Sockeye core 0.1.0-SNAPSHOT     [2/5]"
                read -ra words <<< "${line#"[INFO] Building "}"
                say "  $(( SECONDS - start )) s: ${words[*]}" ;;
        esac
    done || ! grep -q '^\[INFO\] BUILD SUCCESS' "$log"; then
        grep -E '^\[(ERROR|WARNING)\]' "$log" | head -n 40 >&2
        die "the build failed; see above, or all of $log"
    fi
    say "built in $(( SECONDS - start )) s"
    source_dirs > "$state/sources"
    cp -p "$jar" "$run_jar.$$"
    mv -f "$run_jar.$$" "$run_jar"
}

# Held from here until the server starts (closed at exec), but taken only when something must be built
# or trained: the common path starts no extra process.
locked=""
lock() {
    [ -n "$locked" ] && return 0
    mkdir -p "$state"
    exec 9>"$state/lock"
    if command -v flock >/dev/null 2>&1 && ! flock -n 9; then
        say "waiting for another run's build to finish..."
        flock 9
    fi
    locked=1
}

if stale; then
    lock
    if stale; then build; fi   # (another run may have built it while we waited)
fi

# --- JVM options ------------------------------------------------------------------------------------
# Ours first, then the user's, which win. A collector chosen, or heap sizes given, by the user replace
# ours entirely: two collectors, or -Xms above the user's -Xmx, would stop the JVM from starting.
user="${SOCKEYE_JAVA_OPTS:-}"
opts=()
for o in $defaults; do
    case "$o" in
        -XX:+UseSerialGC|-Xmn*) [[ " $user " =~ \ -XX:\+Use[A-Za-z0-9]+GC\  ]] && continue ;;
    esac
    case "$o" in
        -Xms*|-Xmn*|-Xmx*) [[ " $user " =~ \ (-Xm[sxn]|-XX:(Initial|Max|Min)?(RAMPercentage|HeapSize|NewSize)) ]] && continue ;;
    esac
    opts+=("$o")
done
# shellcheck disable=SC2206 # SOCKEYE_JAVA_OPTS is a list of options, split on blanks (not globbed)
set -f
opts+=($user)
set +f

# --- Ahead-of-time cache (JDK 25+) -------------------------------------------------------------------
# The JVM can start from a cache of the classes an earlier run loaded and linked, and of the profiles it
# gathered (JEP 483, 514, 515): a shorter start, and less memory for class data. It is made by running
# the server once with -XX:AOTCacheOutput, asking it for a few pages, and stopping it (a few seconds,
# once per build, JDK and set of options), then checked by starting with -XX:AOTMode=on, which fails
# if the cache cannot be used (with too small a heap for it, -XX:AOTMode=auto, the default, would stop the
# JVM too). At run time AOTMode=auto: a cache that turns out unusable (damaged, another JDK) is
# reported and ignored. If training fails, the server runs without a cache and the failure is
# remembered (app.aot.failed) until the next build or change of options.
aot="$state/app.aot"
aot_key="$java|$id|${opts[*]}"

train() {
    local tmp="$state/train.$$" port="" pid i f
    # interrupted (Ctrl-C) while training: stop the training server and leave no files behind
    trap 'kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"; exit 130' INT TERM HUP
    mkdir -p "$tmp/site/dir"
    printf '<!doctype html><title>t</title><p>training run\n' > "$tmp/site/index.html"
    head -c 3000 /dev/zero | tr '\0' 'a' > "$tmp/site/text.txt"
    head -c 65536 /dev/zero > "$tmp/site/dir/64k.bin"
    head -c 400000 /dev/zero > "$tmp/site/dir/big.bin"   # over the 256 KiB cache limit: sendfile
    "$java" "${opts[@]}" -XX:AOTCacheOutput="$tmp/app.aot" -jar "$run_jar" -q -b 127.0.0.1 -d "$tmp/site" 0 \
        >"$tmp/log" 2>&1 &
    pid=$!
    for i in $(seq 1 300); do   # up to 30 s: the port is in the "Serving ..." line
        port="$(sed -n 's|^Serving .* at http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/log")"
        [ -n "$port" ] || ! kill -0 "$pid" 2>/dev/null && break
        sleep 0.1
    done
    if [ -n "$port" ]; then
        for f in / /text.txt /dir/ /dir/64k.bin /dir/big.bin /missing / /text.txt /dir/64k.bin; do
            { exec 3<>"/dev/tcp/127.0.0.1/$port" &&
              printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n' "$f" >&3 &&
              cat <&3 >/dev/null; exec 3>&-; } 2>/dev/null || true
        done
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done  # the cache is written at exit
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    cat "$tmp/log" >> "$state/aot.log"
    if [ -n "$port" ] && [ -s "$tmp/app.aot" ] &&
       "$java" "${opts[@]}" -XX:AOTCache="$tmp/app.aot" -XX:AOTMode=on -jar "$run_jar" --version >>"$state/aot.log" 2>&1; then
        mv -f "$tmp/app.aot" "$aot"
        printf '%s\n' "$aot_key" > "$aot.key"
        rm -f "$aot.failed"
    else
        printf '%s\n' "$aot_key" > "$aot.failed"
        say "could not make the start-up cache (see ${state#"$root"/}/aot.log); running without it"
    fi
    rm -rf "$tmp"
    trap - INT TERM HUP
}

# (only the command-line server: the training run asks it for pages)
if [ "$module" = sockeye-cli ] && [ "$version" -ge 25 ] && [ "${SOCKEYE_AOT:-1}" != 0 ]; then
    have="" failed=""
    [ -r "$aot.key" ] && [ "$aot" -nt "$run_jar" ] && read -r have < "$aot.key"
    [ -r "$aot.failed" ] && [ "$aot.failed" -nt "$run_jar" ] && read -r failed < "$aot.failed"
    if [ "$have" != "$aot_key" ] && [ "$failed" != "$aot_key" ]; then
        lock
        [ -r "$aot.key" ] && [ "$aot" -nt "$run_jar" ] && read -r have < "$aot.key"
        if [ "$have" != "$aot_key" ]; then
            say "making a start-up cache for this JDK (once per build)..."
            : > "$state/aot.log"
            train
            [ -r "$aot.key" ] && read -r have < "$aot.key"
        fi
    fi
    [ "$have" = "$aot_key" ] && [ -f "$aot" ] && opts=(-XX:AOTCache="$aot" "${opts[@]}")
fi

exec 9>&-
exec "$java" "${opts[@]}" -jar "$run_jar" "$@"
