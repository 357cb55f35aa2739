#!/usr/bin/env python3
"""Summarises a JFR recording's CPU samples and allocation samples for bench/tls-profile.sh.

   jfr-frames.py SAMPLES.json [ALLOCATIONS.json]

SAMPLES.json: `jfr print --json --stack-depth 128 --events jdk.ExecutionSample REC.jfr`;
ALLOCATIONS.json: the same for jdk.ObjectAllocationSample. Prints
  - the top frames (self time): method, and method:line, as % of all samples;
  - the share of samples with a frame of each group below anywhere on the stack (inclusive time), the
    parts of a TLS handshake and of a request;
  - Sockeye's own methods, self and inclusive;
  - allocation samples by the first io.sockeye frame on their stack and by allocation site, weighted by
    the bytes JFR attributes to each sample.
"""
import collections
import json
import sys

# (label, substrings of "package.Class.method"; a sample counts once per group if any frame matches)
GROUPS = [
    ("ECDSA signing (sun.security.ec.ECDSASignature.engineSign)", ["sun.security.ec.ECDSASignature.engineSign"]),
    ("RSA signing (RSASignature/RSAPSSSignature.engineSign)", ["sun.security.rsa.RSASignature.engineSign", "sun.security.rsa.RSAPSSSignature.engineSign"]),
    ("  of which RSACore (modular exponentiation)", ["sun.security.rsa.RSACore."]),
    ("signature verification (engineVerify)", [".engineVerify"]),
    ("X25519/X448 (sun.security.ec.XDH*, XECOperations)", ["sun.security.ec.XDH", "sun.security.ec.XECOperations"]),
    ("  X25519 key pair generation (XDHKeyPairGenerator)", ["sun.security.ec.XDHKeyPairGenerator"]),
    ("  X25519 shared secret (XDHKeyAgreement)", ["sun.security.ec.XDHKeyAgreement"]),
    ("ECDH P-256 (sun.security.ec.ECDHKeyAgreement, ECKeyPairGenerator)", ["sun.security.ec.ECDHKeyAgreement", "sun.security.ec.ECKeyPairGenerator"]),
    ("key pair generation (any KeyPairGenerator)", ["KeyPairGenerator.generateKeyPair", "KeyPairGeneratorSpi"]),
    ("key agreement (any KeyAgreement.generateSecret)", ["javax.crypto.KeyAgreement.generateSecret"]),
    ("HKDF / key schedule (sun.security.ssl.*Derivation, HKDF)", ["sun.security.ssl.SSLSecretDerivation", "sun.security.ssl.SSLTrafficKeyDerivation", "sun.security.ssl.SSLBasicKeyDerivation", "sun.security.ssl.HKDF", "sun.security.util.HKDF", "com.sun.crypto.provider.HKDF"]),
    ("HMAC (javax.crypto.Mac)", ["javax.crypto.Mac."]),
    ("message digests (java.security.MessageDigest)", ["java.security.MessageDigest."]),
    ("certificate encoding/parsing (sun.security.x509, CertificateMessage)", ["sun.security.x509.", "sun.security.ssl.CertificateMessage"]),
    ("  CertificateMessage (TLS 1.3/1.2 Certificate message)", ["sun.security.ssl.CertificateMessage"]),
    ("key manager (chooseEngineServerAlias, getCertificateChain)", ["chooseEngineServerAlias", "getCertificateChain", "io.sockeye.tls.PemKeyManager"]),
    ("session tickets (NewSessionTicket, SessionTicketExtension)", ["sun.security.ssl.NewSessionTicket", "sun.security.ssl.SessionTicketExtension"]),
    ("session cache / resumption (SSLSessionContextImpl, PreSharedKeyExtension)", ["sun.security.ssl.SSLSessionContextImpl", "sun.security.ssl.PreSharedKeyExtension"]),
    ("SSLEngine creation and parameters", ["SSLContextImpl.engineCreateSSLEngine", "SSLEngineImpl.<init>", "SSLEngineImpl.setSSLParameters", "io.sockeye.tls.TlsEngines.create"]),
    ("handshake: SSLEngine wrap/unwrap during handshake (TlsChannel.handshake)", ["io.sockeye.tls.TlsChannel.handshake"]),
    ("delegated tasks (TlsChannel.runTasks)", ["io.sockeye.tls.TlsChannel.runTasks"]),
    ("AES-GCM (com.sun.crypto.provider.GaloisCounterMode)", ["com.sun.crypto.provider.GaloisCounterMode"]),
    ("ChaCha20-Poly1305", ["com.sun.crypto.provider.ChaCha20Cipher"]),
    ("record layer encrypt (SSLEngine wrap)", ["sun.security.ssl.SSLEngineImpl.wrap"]),
    ("record layer decrypt (SSLEngine unwrap)", ["sun.security.ssl.SSLEngineImpl.unwrap"]),
    ("Cipher.init (key setup per record or per connection)", ["javax.crypto.Cipher.init", "javax.crypto.Cipher.chooseProvider"]),
    ("TlsChannel (all of it, wrap/unwrap included)", ["io.sockeye.tls.TlsChannel."]),
    ("TlsHandshake.begin (the handshake, all of it)", ["io.sockeye.http1.TlsHandshake.begin"]),
    ("socket I/O (sun.nio.ch)", ["sun.nio.ch."]),
    ("virtual thread scheduling (java.lang.VirtualThread, ForkJoinPool)", ["java.lang.VirtualThread.", "java.util.concurrent.ForkJoin"]),
    ("logging (System.Logger)", ["java.lang.System$Logger", "sun.util.logging", "java.util.logging"]),
    ("exceptions (Throwable.<init>, fillInStackTrace)", ["java.lang.Throwable.<init>", "fillInStackTrace"]),
    ("SecureRandom", ["java.security.SecureRandom", "sun.security.provider.DRBG", "sun.security.provider.HashDrbg", "NativePRNG"]),
    ("BigInteger", ["java.math.BigInteger."]),
    ("io.sockeye.* (any of ours on the stack)", ["io.sockeye."]),
]


# A partition of the samples: each goes to the first of these whose keys match a frame anywhere on its
# stack (so the order matters: signing before certificates, handshake crypto before the record layer)
PARTS = [
    ("ECDSA signing", ["sun.security.ec.ECDSASignature.engineSign"]),
    ("RSA signing", ["sun.security.rsa.RSASignature.engineSign", "sun.security.rsa.RSAPSSSignature.engineSign"]),
    ("X25519 key pair generation", ["sun.security.ec.XDHKeyPairGenerator"]),
    ("X25519 shared secret", ["sun.security.ec.XDHKeyAgreement"]),
    ("other EC key exchange (P-256 ECDHE)", ["sun.security.ec.ECDHKeyAgreement", "sun.security.ec.ECKeyPairGenerator"]),
    ("certificates (encoding, parsing, key manager)", ["sun.security.x509.", "sun.security.ssl.CertificateMessage", "chooseEngineServerAlias", "getCertificateChain"]),
    ("session tickets and resumption", ["sun.security.ssl.NewSessionTicket", "sun.security.ssl.SessionTicketExtension", "sun.security.ssl.PreSharedKeyExtension", "sun.security.ssl.SSLSessionContextImpl"]),
    ("key schedule (HKDF, Finished, traffic keys)", ["sun.security.ssl.SSLSecretDerivation", "sun.security.ssl.SSLTrafficKeyDerivation", "sun.security.ssl.SSLBasicKeyDerivation", "sun.security.ssl.HKDF", "sun.security.util.HKDF", "com.sun.crypto.provider.HKDF", "sun.security.ssl.Finished"]),
    ("handshake transcript hash", ["sun.security.ssl.HandshakeHash"]),
    ("other handshake work in the engine (TlsChannel.handshake)", ["io.sockeye.tls.TlsChannel.handshake"]),
    ("SSLEngine creation (TlsEngines.create)", ["io.sockeye.tls.TlsEngines.create"]),
    ("AES-GCM (record encryption and decryption)", ["com.sun.crypto.provider.GaloisCounterMode", "com.sun.crypto.provider.GHASH", "com.sun.crypto.provider.AESCrypt"]),
    ("other SSLEngine record work (wrap)", ["sun.security.ssl.SSLEngineImpl.wrap"]),
    ("other SSLEngine record work (unwrap)", ["sun.security.ssl.SSLEngineImpl.unwrap"]),
    ("socket I/O (sun.nio.ch)", ["sun.nio.ch."]),
    ("rest of TlsChannel (own code, buffers, copies)", ["io.sockeye.tls.TlsChannel."]),
    ("Sockeye's HTTP code (io.sockeye.http1, the handler)", ["io.sockeye.http1.", "io.sockeye.bench."]),
    ("other io.sockeye (accept loop, threads)", ["io.sockeye."]),
    ("virtual thread scheduling", ["java.lang.VirtualThread.", "java.util.concurrent.ForkJoin"]),
]


def frame_name(f):
    m = f["method"]
    return m["type"]["name"].replace("/", ".") + "." + m["name"]


def load(path):
    with open(path) as fh:
        return json.load(fh)["recording"]["events"]


def pct(n, total):
    return 100.0 * n / total if total else 0.0


def cpu(path):
    events = load(path)
    stacks = []
    truncated = 0
    for e in events:
        st = e["values"].get("stackTrace")
        if not st:
            continue
        frames = st["frames"]
        if st.get("truncated"):
            truncated += 1
        stacks.append(frames)
    total = len(stacks)
    print(f"CPU samples (jdk.ExecutionSample): {total}, of which {truncated} with stacks cut at 128 frames")
    if not total:
        return
    top = collections.Counter(frame_name(s[0]) for s in stacks if s)
    top_line = collections.Counter(f"{frame_name(s[0])}:{s[0].get('lineNumber', '?')}" for s in stacks if s)
    print("\nTop frames (self), % of samples:")
    for name, n in top.most_common(30):
        print(f"  {pct(n, total):5.1f} %  {name}")
    print("\nTop frames with line numbers:")
    for name, n in top_line.most_common(15):
        print(f"  {pct(n, total):5.1f} %  {name}")
    print("\nInclusive (a frame of the group anywhere on the stack), % of samples:")
    names = [[frame_name(f) for f in s] for s in stacks]
    for label, keys in GROUPS:
        n = sum(1 for s in names if any(any(k in f for k in keys) for f in s))
        print(f"  {pct(n, total):5.1f} %  {label}")
    print("\nPartition (each sample counted once, in the first part matching its stack), % of samples:")
    parts = collections.Counter()
    for s in names:
        part = next((label for label, keys in PARTS if any(any(k in f for k in keys) for f in s)), "other")
        parts[part] += 1
    for label, _ in PARTS + [("other", [])]:
        if parts[label]:
            print(f"  {pct(parts[label], total):5.1f} %  {label}")
    own_self = collections.Counter()
    own_incl = collections.Counter()
    own_line = collections.Counter()
    for s, raw in zip(names, stacks):
        if s and s[0].startswith("io.sockeye."):
            own_self[s[0]] += 1
        for f in set(x for x in s if x.startswith("io.sockeye.")):
            own_incl[f] += 1
        # the first io.sockeye frame on the stack (where our code called into the JDK), with its line
        for f, fr in zip(s, raw):
            if f.startswith("io.sockeye."):
                own_line[f"{f}:{fr.get('lineNumber', '?')}"] += 1
                break
    print(f"\nSockeye's own methods as the top frame (self): {pct(sum(own_self.values()), total):.1f} % in all")
    for name, n in own_self.most_common(10):
        print(f"  {pct(n, total):5.1f} %  {name}")
    print("\nSockeye's methods, inclusive:")
    for name, n in own_incl.most_common(20):
        print(f"  {pct(n, total):5.1f} %  {name}")
    print("\nThe innermost io.sockeye frame (our call into the JDK), with its line:")
    for name, n in own_line.most_common(15):
        print(f"  {pct(n, total):5.1f} %  {name}")


def allocations(path):
    events = load(path)
    by_site = collections.Counter()
    by_own = collections.Counter()
    by_class = collections.Counter()
    total = 0
    for e in events:
        v = e["values"]
        w = v.get("weight", 0) or 0
        total += w
        cls = v.get("objectClass", {}).get("name", "?").replace("/", ".")
        frames = (v.get("stackTrace") or {}).get("frames", [])
        by_class[cls] += w
        if frames:
            by_site[f"{cls} at {frame_name(frames[0])}:{frames[0].get('lineNumber', '?')}"] += w
        own = next((f"{frame_name(f)}:{f.get('lineNumber', '?')}" for f in frames if frame_name(f).startswith("io.sockeye.")), "(no io.sockeye frame)")
        by_own[own] += w
    print(f"\nAllocation samples (jdk.ObjectAllocationSample): {len(events)}, weighing {total / 1e6:.0f} MB in all")
    if not total:
        return
    print("By class, % of bytes:")
    for k, w in by_class.most_common(10):
        print(f"  {pct(w, total):5.1f} %  {k}")
    print("By allocation site (top frame), % of bytes:")
    for k, w in by_site.most_common(15):
        print(f"  {pct(w, total):5.1f} %  {k}")
    print("By the innermost io.sockeye frame, % of bytes:")
    for k, w in by_own.most_common(12):
        print(f"  {pct(w, total):5.1f} %  {k}")


if __name__ == "__main__":
    cpu(sys.argv[1])
    if len(sys.argv) > 2:
        allocations(sys.argv[2])
