#!/usr/bin/env bash
# Prints the path of a java executable from a JDK 21 or newer: JAVA_HOME's or PATH's if new enough,
# otherwise the newest one found in the usual places. Exits 1 with a message if there is none.
set -euo pipefail

# The Java feature version of a java executable (8, 17, 21, ...), or nothing if it does not run.
java_version() {
    "$1" -XshowSettings:properties -version 2>&1 |
        sed -n 's/^ *java\.specification\.version = \(1\.\)\{0,1\}\([0-9]*\).*/\2/p' | head -n 1
}

preferred=()
[ -n "${JAVA_HOME:-}" ] && preferred+=("$JAVA_HOME/bin/java")
command -v java >/dev/null 2>&1 && preferred+=("$(command -v java)")
for c in "${preferred[@]}"; do
    v="$(java_version "$c" || true)"
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then echo "$c"; exit 0; fi
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
echo "$best"
