#!/usr/bin/env bash
# Builds a module's runnable jar if it is missing or older than the sources, then runs it on a JDK 21+.
#   tools/launch.sh MODULE JAR [args...]
# Environment: JAVA_HOME (a JDK to prefer), SOCKEYE_JAVA_OPTS (extra JVM options).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module="$1"
jar="$2"
shift 2
name="$(basename "$jar" .jar)"

die() { echo "$name: $*" >&2; exit 1; }

java="$("$root/tools/find-jdk.sh")" || die "cannot run without a JDK 21 or newer"

stale() {
    [ -f "$jar" ] || return 0
    [ -n "$(find "$root" -path "$root/.git" -prune -o -path '*/target' -prune -o \
        \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$jar" -print -quit)" ]
}

if stale; then
    command -v mvn >/dev/null 2>&1 || die "Maven is needed to build it the first time (apt-get install maven)"
    echo "$name: building (first run, or the sources changed)..." >&2
    log="$(mktemp)"
    if ! (cd "$root" && mvn -B -q -DskipTests -pl "$module" -am package) >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        die "the build failed; see above"
    fi
    rm -f "$log"
fi

# shellcheck disable=SC2086 # SOCKEYE_JAVA_OPTS is a list of options
exec "$java" ${SOCKEYE_JAVA_OPTS:-} -jar "$jar" "$@"
