package io.sockeye.tls;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The server's certificates from PEM files: one or more, each a chain and its key, chosen per connection
 * by the host name the client asks for (SNI, RFC 6066 §3) against each certificate's DNS names (a
 * wildcard covering one label, RFC 6125 §6.4.3), the first one otherwise.
 *
 * <p>Files are read again when they change (their size, time or identity: an ACME client renewing a
 * certificate writes new files or renames new ones into place), looked at no more than once a second
 * and only when a handshake needs a certificate, so new connections get the new certificate and open
 * ones keep theirs. A change that cannot be read, or whose key does not belong to its certificate (the
 * two files caught half-written), is logged and the certificate in use is kept, and tried again at the
 * next change.
 */
public final class PemKeyManager extends X509ExtendedKeyManager {

    private static final System.Logger LOG = System.getLogger("io.sockeye");
    private static final long CHECK_EVERY_NANOS = 1_000_000_000L;

    private final List<Identity> identities;

    /**
     * Reads each certificate chain and key now.
     *
     * @param files pairs of (chain file, key file) with the key's password (or {@code null}), the first the default
     * @throws IOException if a file cannot be read, or a key does not belong to its certificate
     */
    public PemKeyManager(List<CertificateFiles> files) throws IOException {
        if (files.isEmpty()) throw new IllegalArgumentException("no certificate");
        List<Identity> list = new ArrayList<>();
        for (CertificateFiles f : files) list.add(new Identity(f));
        this.identities = List.copyOf(list);
    }

    /** A certificate chain file, its key file, and the key's password ({@code null} if not encrypted). */
    public record CertificateFiles(Path chain, Path key, char[] password) {
        public CertificateFiles {
            Objects.requireNonNull(chain, "chain");
            Objects.requireNonNull(key, "key");
        }
    }

    /** @return the leaf certificates in use now, the default first */
    public List<X509Certificate> certificates() {
        return identities.stream().map(i -> i.current.chain[0]).toList();
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        String host = requestedHost(engine == null ? null : engine.getHandshakeSession());
        Identity fallback = null;
        for (int i = 0; i < identities.size(); i++) {
            Identity id = identities.get(i);
            Loaded l = id.refreshed();
            if (!l.suits(keyType)) continue;
            if (host != null && l.covers(host)) return Integer.toString(i);
            if (fallback == null) fallback = id;
        }
        return fallback == null ? null : Integer.toString(identities.indexOf(fallback));
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return chooseEngineServerAlias(keyType, issuers, null);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Identity id = byAlias(alias);
        return id == null ? null : id.current.chain.clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Identity id = byAlias(alias);
        return id == null ? null : id.current.key;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        List<String> aliases = new ArrayList<>();
        for (int i = 0; i < identities.size(); i++) if (identities.get(i).current.suits(keyType)) aliases.add(Integer.toString(i));
        return aliases.isEmpty() ? null : aliases.toArray(String[]::new);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null; // a server's key manager: never a client
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    private Identity byAlias(String alias) {
        try {
            int i = Integer.parseInt(alias);
            return i >= 0 && i < identities.size() ? identities.get(i) : null;
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
    }

    private static String requestedHost(SSLSession handshake) {
        if (!(handshake instanceof ExtendedSSLSession session)) return null;
        for (SNIServerName name : session.getRequestedServerNames()) {
            if (name.getType() == StandardConstants.SNI_HOST_NAME) {
                return ((SNIHostName) name).getAsciiName().toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    /** One certificate's files and what was last read from them. */
    private static final class Identity {
        private final CertificateFiles files;
        private final java.util.concurrent.locks.ReentrantLock reloading = new java.util.concurrent.locks.ReentrantLock();
        private volatile Loaded current;
        private volatile long checkedAt;
        private volatile String seen;       // the files' size, time and identity when last read (or tried)

        Identity(CertificateFiles files) throws IOException {
            this.files = files;
            this.seen = stamp();
            this.current = Loaded.read(files);
            this.checkedAt = System.nanoTime();
        }

        /** @return the certificate, read again first if its files changed (checked at most once a second) */
        Loaded refreshed() {
            long now = System.nanoTime();
            if (now - checkedAt < CHECK_EVERY_NANOS) return current;
            // one handshake reloads; the others go on with the certificate in use rather than wait for it
            // (a slow file system, or a key with a huge PBKDF2 count, must not stall every new connection)
            if (!reloading.tryLock()) return current;
            try {
                if (now - checkedAt < CHECK_EVERY_NANOS) return current;
                checkedAt = now;
                String stamp;
                try {
                    stamp = stamp();
                } catch (IOException e) {
                    return current; // moved away for a moment, in the middle of a renewal: keep what works
                }
                if (stamp.equals(seen)) return current;
                seen = stamp;
                try {
                    current = Loaded.read(files);
                    LOG.log(Level.INFO, () -> "TLS certificate " + files.chain() + " read again: "
                            + current.chain[0].getSubjectX500Principal().getName() + ", valid until " + current.chain[0].getNotAfter().toInstant());
                } catch (IOException e) {
                    LOG.log(Level.WARNING, () -> "TLS certificate " + files.chain() + " changed but cannot be used ("
                            + e.getMessage() + "); still serving the one read before");
                }
                return current;
            } finally {
                reloading.unlock();
            }
        }

        private String stamp() throws IOException {
            return stamp(files.chain()) + "|" + stamp(files.key());
        }

        private static String stamp(Path p) throws IOException {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return a.size() + ":" + a.lastModifiedTime().toMillis() + ":" + a.fileKey();
        }
    }

    /** A chain and its key, checked to belong together. */
    private record Loaded(X509Certificate[] chain, PrivateKey key, List<String> dnsNames) {

        static Loaded read(CertificateFiles files) throws IOException {
            List<X509Certificate> chain = PemFiles.readCertificates(files.chain());
            PrivateKey key = PemFiles.readPrivateKey(files.key(), files.password());
            if (!matches(key, chain.get(0))) {
                throw new IOException("the key in " + files.key() + " does not belong to the certificate in " + files.chain());
            }
            return new Loaded(chain.toArray(X509Certificate[]::new), key, dnsNames(chain.get(0)));
        }

        /** Signs a few bytes with the key and checks them with the certificate's public key. */
        private static boolean matches(PrivateKey key, X509Certificate cert) {
            String alg = switch (key.getAlgorithm()) {
                case "RSA" -> "SHA256withRSA";
                case "EC" -> "SHA256withECDSA";
                case "RSASSA-PSS" -> "RSASSA-PSS";
                default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA
            };
            try {
                byte[] data = "sockeye key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                Signature s = Signature.getInstance(alg);
                if (alg.equals("RSASSA-PSS")) {
                    s.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                            java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
                }
                s.initSign(key);
                s.update(data);
                byte[] sig = s.sign();
                s.initVerify(cert.getPublicKey());
                s.update(data);
                return s.verify(sig);
            } catch (GeneralSecurityException | RuntimeException e) {
                return false;
            }
        }

        private static List<String> dnsNames(X509Certificate cert) {
            List<String> names = new ArrayList<>();
            try {
                Collection<List<?>> alt = cert.getSubjectAlternativeNames();
                if (alt != null) {
                    for (List<?> entry : alt) {
                        if (Integer.valueOf(2).equals(entry.get(0))) names.add(((String) entry.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            } catch (CertificateParsingException e) {
                // no names: chosen only as the default
            }
            return names;
        }

        /** Whether this key can answer a handshake that asks for a key of this type. */
        boolean suits(String keyType) {
            String alg = key.getAlgorithm();
            return keyType == null || keyType.equalsIgnoreCase(alg)
                    || (alg.equals("RSA") && keyType.equals("RSASSA-PSS"))
                    || ((alg.equals("Ed25519") || alg.equals("Ed448")) && keyType.equals("EdDSA"));
        }

        /** Whether the certificate names the host: exactly, or by a wildcard for its first label. */
        boolean covers(String host) {
            for (String n : dnsNames) {
                if (n.equals(host)) return true;
                if (n.startsWith("*.")) {
                    int dot = host.indexOf('.');
                    if (dot > 0 && host.substring(dot).equals(n.substring(1))) return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return Arrays.toString(chain);
        }
    }
}
