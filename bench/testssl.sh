#!/usr/bin/env bash
# testssl.sh against Sockeye's command-line server over HTTPS, once with an ECDSA P-256 certificate and
# once with an RSA 2048 one (self-signed, made here with openssl, for localhost and 127.0.0.1), the server
# started as bench/tls.sh starts it (-q --tls-cert --tls-key -d DIR, tools/launch.sh's JVM options).
# Prints the findings testssl rates LOW, MEDIUM, HIGH or CRITICAL, except those that only a certificate
# from a public CA, or a public DNS name, could satisfy (EXCLUDED below, each with why); then the
# excluded ones too, so that nothing is hidden.
#   bench/testssl.sh   (SOCKEYE_ARGS="--hsts 31536000" CERTS="ecdsa rsa" SEVERITY=LOW BUILD=1 TESTSSL_ARGS="..." to change; OUT=DIR keeps
#                       testssl's whole output, text and JSON, in DIR)
# A run takes a few minutes per certificate (testssl opens some hundreds of connections); each testssl
# run is bounded to 15 minutes. testssl is Debian's testssl.sh package (installed if missing), and it
# contacts nothing but the server: no --phone-out (OCSP, CRL), no DNS lookups (--nodns none).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

certs="${CERTS:-ecdsa rsa}"
severity="${SEVERITY:-LOW}"

# testssl finding ids left out, and why: a self-signed certificate for 127.0.0.1 cannot satisfy them,
# whatever the server does. (ids as testssl 3.0 names them in its JSON output)
declare -A EXCLUDED=(
    [cert_chain_of_trust]="self-signed: no CA in any trust store vouches for it"
    [cert_trust]="trust of the certificate for the name asked for, which testssl also fails for a self-signed one"
    [cert_caIssuers]="a CA's issuer URL (AIA): a self-signed certificate has no issuer to point to"
    [cert_ocspURL]="an OCSP responder URL is put in by a CA"
    [cert_crlDistributionPoints]="a CRL URL is put in by a CA"
    [cert_revocation]="neither CRL nor OCSP: revocation is a CA's service"
    [cert_ocspRevoked]="OCSP revocation status: needs a CA's responder"
    [cert_mustStapleExtension]="OCSP must-staple is a certificate extension a CA issues"
    [OCSP_stapling]="stapling needs an OCSP responder URL in the certificate (a CA's)"
    [cert_certificateTransparency]="CT: signed certificate timestamps come from a public CA's logging"
    [DNS_CAArecord]="CAA is a DNS record of a public domain; 127.0.0.1 has none"
)

need testssl:testssl.sh openssl curl
java="$("$bench_root/tools/find-jdk.sh")"
if [ "${BUILD:-1}" != 0 ]; then
    (cd "$bench_root" && mvn -B -q -DskipTests -pl sockeye-cli -am package >/dev/null) || die "build failed"
fi
sockeye_jar="$bench_root/sockeye-cli/target/sockeye.jar"
[ -f "$sockeye_jar" ] || die "missing $sockeye_jar (run without BUILD=0)"
command -v python3 >/dev/null || die "python3 is needed to read testssl's JSON"

work="$(mktemp -d)"
trap 'stop_all || true; rm -rf "$work"' EXIT
mkdir -p "$work/www"
printf '<!doctype html><title>testssl</title><p>Hello\n' > "$work/www/index.html"
launch_opts="$(launch_options "$java")"
# as a site on HTTPS would run it: with HSTS (testssl rates its absence); SOCKEYE_ARGS= for none
sockeye_args="${SOCKEYE_ARGS---hsts 31536000}"

for cert in $certs; do
    make_cert "$work" "$cert" 365
    port="$(free_port)"
    # shellcheck disable=SC2086
    start_server "$java" $launch_opts ${SOCKEYE_JAVA_OPTS:-} -jar "$sockeye_jar" -q -b 127.0.0.1 \
        --tls-cert "$work/$cert.crt" --tls-key "$work/$cert.key" $sockeye_args -d "$work/www" "$port" >"$work/server-$cert.log" 2>&1
    wait_for_port "$port"
    [ "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/")" = 200 ] || die "the server does not answer over HTTPS ($(tail -3 "$work/server-$cert.log"))"
    echo "bench: testssl against Sockeye with the $cert certificate (port $port)..." >&2
    # shellcheck disable=SC2086
    timeout 900 testssl --quiet --color 0 --warnings batch --nodns none --severity "$severity" \
        --jsonfile "$work/$cert.json" ${TESTSSL_ARGS:-} "https://127.0.0.1:$port/" >"$work/$cert.txt" 2>&1 ||
        echo "bench: testssl exited with $? for $cert (its findings so far are used; the end of its output: $(tail -3 "$work/$cert.txt" | tr '\n' ' '))" >&2
    stop_all
done

if [ -n "${OUT:-}" ]; then mkdir -p "$OUT" && cp "$work"/*.txt "$work"/*.json "$OUT"/ 2>/dev/null || true; fi

# The findings, as a table: kept ones first, then the excluded ones
excluded_ids="$(for id in "${!EXCLUDED[@]}"; do echo "$id"; done)"
python3 - "$work" "$excluded_ids" $certs <<'EOF'
import json, os, sys
work, excluded, certs = sys.argv[1], set(sys.argv[2].split()), sys.argv[3:]
order = {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3}
kept, left_out = [], []
for cert in certs:
    path = os.path.join(work, cert + ".json")
    if not os.path.exists(path):
        print(f"(no JSON output for {cert})")
        continue
    with open(path) as fh:
        findings = json.load(fh)
    for f in findings:
        sev = f.get("severity", "")
        if sev not in order:
            continue
        row = (cert, sev, f.get("id", ""), f.get("finding", "").replace("|", "\\|"), f.get("cve", ""))
        (left_out if f.get("id") in excluded else kept).append(row)
key = lambda r: (order[r[1]], r[2], r[0])
print("## testssl.sh findings rated LOW or worse (Sockeye CLI over HTTPS)")
print()
if kept:
    print("| certificate | severity | id | finding | CVE |")
    print("|---|---|---|---|---|")
    for r in sorted(kept, key=key):
        print("| " + " | ".join(r) + " |")
else:
    print("None.")
print()
print("Left out (a self-signed certificate for 127.0.0.1 cannot satisfy them):")
print()
if left_out:
    print("| certificate | severity | id | finding |")
    print("|---|---|---|---|")
    for r in sorted(left_out, key=key):
        print("| " + " | ".join(r[:4]) + " |")
else:
    print("None.")
EOF
echo
echo "Exclusions: $(for id in $(echo "$excluded_ids" | sort); do printf '%s (%s); ' "$id" "${EXCLUDED[$id]}"; done)"
echo "testssl $(testssl --version 2>/dev/null | grep -o -m1 'testssl *[0-9][0-9.]*' | awk '{print $2}'), with --quiet --color 0 --warnings batch --nodns none --severity $severity${TESTSSL_ARGS:+ $TESTSSL_ARGS};"
echo "Sockeye CLI (${sockeye_args:-no options}) on Java $(java_version "$java") with \`$launch_opts\`; certificates valid 365 days."
