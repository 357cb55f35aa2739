package io.sockeye;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import io.sockeye.tls.PemFiles;
import io.sockeye.tls.PemKeyManager;

/**
 * How a server speaks TLS (HTTPS): the certificates and keys, as an {@link SSLContext}, and which
 * protocol versions and cipher suites it offers. Set it on the configuration with
 * {@link ServerConfig#withTls(TlsConfig)}; a server without it speaks plain HTTP.
 *
 * <pre>{@code
 * // PEM files, as nginx and certbot use them: the chain (leaf first) and its key
 * TlsConfig tls = TlsConfig.fromPem(Path.of("fullchain.pem"), Path.of("privkey.pem"));
 * HttpServer server = HttpServer.create(ServerConfig.defaults().withPort(8443).withTls(tls), handler);
 *
 * // or a context built some other way (a PKCS#12 store, a hardware key)
 * TlsConfig tls2 = TlsConfig.of(sslContext);
 * }</pre>
 *
 * <p>With PEM files, several certificates can be served, each chosen by the host name the client asks
 * for ({@link #withCertificate}), and the files are read again when they change: a certificate renewed
 * by an ACME client is served to new connections without a restart (see {@link #fromPem}).
 *
 * <p>The defaults follow Mozilla's "intermediate" recommendation (server-side TLS, version 5.7): TLS 1.3
 * and 1.2 only, and for TLS 1.2 only forward-secret AEAD suites, chosen in the list's order rather than the
 * client's (all are strong, but a client listing finite-field DHE first would cost the server several times
 * the CPU of ECDHE). Suites or protocols the JDK does not support are left out; a configuration that
 * leaves none fails when the server starts. ALPN offers {@code http/1.1} (and {@code http/1.0} to a client
 * that offers only that).
 *
 * <p>The costly steps of each handshake (a key exchange and a signature: milliseconds of CPU) run on the
 * server's own platform threads, one per core, not on the connection's virtual thread, so that a burst
 * of new connections does not hold up requests on established ones. A context whose key manager blocks
 * (signing on a remote service, say) holds one of those threads per handshake in progress: handshakes
 * then go no faster than one per core at a time.
 *
 * <p>Immutable and thread-safe.
 */
public final class TlsConfig {

    /** TLS 1.3 and 1.2: the versions offered by default. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * Mozilla's intermediate cipher suites, in its order: TLS 1.3's three, then TLS 1.2's ECDHE and DHE
     * suites with AES-GCM or ChaCha20-Poly1305. The server chooses by this order, not the client's.
     */
    public static final List<String> DEFAULT_CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** Whether and how clients are asked for a certificate of their own (mutual TLS). */
    public enum ClientAuth {
        /** Not asked for (the default). */
        NONE,
        /** Asked for; a client without one is served, one with an untrusted one is refused. */
        OPTIONAL,
        /** Required: a client without a trusted certificate fails the handshake. */
        REQUIRED
    }

    private final SSLContext context;
    private final List<String> protocols;
    private final List<String> cipherSuites;
    /** The PEM files the context was made from; {@code null} for a context given. */
    private final List<PemKeyManager.CertificateFiles> pemFiles;
    private final ClientAuth clientAuth;
    private final Path clientCaFile;

    private TlsConfig(SSLContext context, List<String> protocols, List<String> cipherSuites) {
        this(context, protocols, cipherSuites, null, ClientAuth.NONE, null);
    }

    private TlsConfig(SSLContext context, List<String> protocols, List<String> cipherSuites,
                      List<PemKeyManager.CertificateFiles> pemFiles, ClientAuth clientAuth, Path clientCaFile) {
        this.pemFiles = pemFiles == null ? null : List.copyOf(pemFiles);
        this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
        this.clientCaFile = clientCaFile;
        this.context = Objects.requireNonNull(context, "context");
        this.protocols = List.copyOf(protocols);
        this.cipherSuites = List.copyOf(cipherSuites);
        if (this.protocols.isEmpty()) throw new IllegalArgumentException("no TLS protocol versions");
        if (this.cipherSuites.isEmpty()) throw new IllegalArgumentException("no cipher suites");
    }

    /**
     * @param context an initialised context whose key managers hold the server's certificate chain and
     *                key (and whose trust managers, for client certificates, the CAs to accept)
     * @return a configuration with the default protocols and cipher suites
     */
    public static TlsConfig of(SSLContext context) {
        return new TlsConfig(context, DEFAULT_PROTOCOLS, DEFAULT_CIPHER_SUITES);
    }

    /**
     * Reads a certificate chain and its private key from PEM files (RFC 7468), as nginx, Caddy and
     * Python's {@code ssl} take them: the chain leaf first (a {@code fullchain.pem}); the key in PKCS#8,
     * PKCS#1 (RSA) or SEC1 (EC) form, unencrypted. The files are read now, and again when they change (at
     * most once a second, when a new connection needs them): new connections get the new certificate, open
     * ones are not dropped, and a change that cannot be used (half-written, a key that does not match) is
     * logged and the certificate before it kept.
     *
     * @throws IOException if a file cannot be read or parsed, or the key does not belong to the certificate;
     *                     the message names the file
     */
    public static TlsConfig fromPem(Path chain, Path key) throws IOException {
        return fromPem(chain, key, null);
    }

    /**
     * As {@link #fromPem(Path, Path)}, for a key encrypted with a password (PKCS#8's
     * {@code ENCRYPTED PRIVATE KEY}, or OpenSSL's traditional encryption).
     *
     * @param password the key's password, or {@code null} if it is not encrypted
     */
    public static TlsConfig fromPem(Path chain, Path key, char[] password) throws IOException {
        List<PemKeyManager.CertificateFiles> files = List.of(new PemKeyManager.CertificateFiles(chain, key, password));
        return new TlsConfig(context(files, null), DEFAULT_PROTOCOLS, DEFAULT_CIPHER_SUITES, files, ClientAuth.NONE, null);
    }

    /**
     * Adds a certificate, served to clients that ask for a host name it covers (by SNI; its DNS names,
     * wildcards included). The first certificate stays the default, for clients asking for another name
     * or none.
     *
     * @param password the key's password, or {@code null}
     * @return a copy with it
     * @throws IOException           as {@link #fromPem(Path, Path)}
     * @throws IllegalStateException if this configuration was made from a context ({@link #of}), not from files
     */
    public TlsConfig withCertificate(Path chain, Path key, char[] password) throws IOException {
        if (pemFiles == null) throw new IllegalStateException("certificates can be added to a configuration made from PEM files only");
        List<PemKeyManager.CertificateFiles> files = new ArrayList<>(pemFiles);
        files.add(new PemKeyManager.CertificateFiles(chain, key, password));
        return new TlsConfig(context(files, clientCaFile), protocols, cipherSuites, files, clientAuth, clientCaFile);
    }

    /**
     * Asks clients for a certificate (mutual TLS), trusting those issued by the CAs in a PEM file. The
     * request's {@link Request#tlsSession()} then holds the client's certificates, and CGI scripts see
     * {@code SSL_CLIENT_VERIFY} and {@code SSL_CLIENT_S_DN}.
     *
     * @param mode   {@link ClientAuth#OPTIONAL} or {@link ClientAuth#REQUIRED} ({@link ClientAuth#NONE} to stop asking)
     * @param caFile the CA certificates, PEM; for a configuration made with {@link #of}, {@code null}
     *               (its context's trust managers decide)
     * @return a copy with it
     * @throws IOException if the CA file cannot be read
     */
    public TlsConfig withClientAuth(ClientAuth mode, Path caFile) throws IOException {
        Objects.requireNonNull(mode, "mode");
        if (pemFiles == null) {
            if (caFile != null) throw new IllegalStateException("a configuration made from a context uses that context's trust managers");
            return new TlsConfig(context, protocols, cipherSuites, null, mode, null);
        }
        if (mode != ClientAuth.NONE && caFile == null) throw new IllegalArgumentException("client certificates need a CA file to check them against");
        Path ca = mode == ClientAuth.NONE ? null : caFile;
        return new TlsConfig(context(pemFiles, ca), protocols, cipherSuites, pemFiles, mode, ca);
    }

    /** @return whether clients are asked for a certificate */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    private static SSLContext context(List<PemKeyManager.CertificateFiles> files, Path caFile) throws IOException {
        try {
            TrustManager[] trust = null;
            if (caFile != null) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                int i = 0;
                for (X509Certificate ca : PemFiles.readCertificates(caFile)) store.setCertificateEntry("ca" + i++, ca);
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                trust = tmf.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new PemKeyManager(files)}, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** @return the context connections are made from */
    public SSLContext context() {
        return context;
    }

    /** @return the protocol versions offered, as the JDK names them ({@code TLSv1.3}) */
    public List<String> protocols() {
        return protocols;
    }

    /** @return the cipher suites offered, as the JDK names them (IANA names) */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /**
     * @param value the protocol versions to offer, e.g. {@code TLSv1.3} only
     * @return a copy with them
     */
    public TlsConfig withProtocols(List<String> value) {
        return new TlsConfig(context, value, cipherSuites, pemFiles, clientAuth, clientCaFile);
    }

    /**
     * @param value the cipher suites to offer (IANA names), most preferred first: the server picks the
     *              first one the client also offers
     * @return a copy with them
     */
    public TlsConfig withCipherSuites(List<String> value) {
        return new TlsConfig(context, protocols, value, pemFiles, clientAuth, clientCaFile);
    }

    @Override
    public String toString() {
        return "TlsConfig" + protocols;
    }
}
