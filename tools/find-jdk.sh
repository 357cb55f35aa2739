#!/usr/bin/env bash
# Prints the path of a java executable from a JDK 21 or newer: JAVA_HOME's or PATH's if new enough,
# otherwise the newest one found in the usual places. Exits 1 with a message if there is none.
#   tools/find-jdk.sh [--version]     (--version: print "PATH FEATURE", e.g. "/usr/lib/jvm/x/bin/java 25")
set -euo pipefail

# The Java feature version of a java executable (8, 17, 21, ...), or nothing if it does not run.
# Every JDK since 9 has a "release" file beside bin/ that says its version: reading it costs nothing,
# where asking the java executable starts a JVM (50-150 ms each, and this may look at several).
java_version() {
    local real home line v=""
    real="$(readlink -f "$1" 2>/dev/null)" || return 0
    [ -x "$real" ] || return 0
    home="$(dirname "$(dirname "$real")")"
    if [ -r "$home/release" ]; then
        line="$(grep -m 1 '^JAVA_VERSION=' "$home/release" 2>/dev/null || true)"
        v="$(printf '%s' "$line" | sed -n 's/^JAVA_VERSION="\(1\.\)\{0,1\}\([0-9]*\).*/\2/p')"
    fi
    if [ -z "$v" ]; then # no release file (a JRE laid out by hand, say): ask the JVM itself
        v="$("$1" -XshowSettings:properties -version 2>&1 |
            sed -n 's/^ *java\.specification\.version = \(1\.\)\{0,1\}\([0-9]*\).*/\2/p' | head -n 1)"
    fi
    printf '%s' "$v"
}

with_version=""
[ "${1:-}" = "--version" ] && with_version=1
found() { if [ -n "$with_version" ]; then echo "$1 $2"; else echo "$1"; fi; exit 0; }

preferred=()
[ -n "${JAVA_HOME:-}" ] && preferred+=("$JAVA_HOME/bin/java")
command -v java >/dev/null 2>&1 && preferred+=("$(command -v java)")
for c in "${preferred[@]}"; do
    v="$(java_version "$c" || true)"
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then found "$c" "$v"; fi
done

best="" best_v=0
for c in /usr/lib/jvm/*/bin/java /usr/local/lib/jvm/*/bin/java /opt/*/bin/java /opt/java/*/bin/java \
         "$HOME"/.sdkman/candidates/java/*/bin/java "$HOME"/.jdks/*/bin/java; do
    [ -x "$c" ] || continue
    v="$(java_version "$c" || true)"
    if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$c"; best_v="$v"; fi
done
if [ -z "$best" ]; then
    echo "no JDK 21 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm); install one, e.g. apt-get install openjdk-21-jdk" >&2
    exit 1
fi
found "$best" "$best_v"
