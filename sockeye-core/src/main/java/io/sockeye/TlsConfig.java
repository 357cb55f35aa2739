package io.sockeye;

import java.util.List;
import java.util.Objects;

import javax.net.ssl.SSLContext;

/**
 * How a server speaks TLS (HTTPS): the certificates and keys, as an {@link SSLContext}, and which
 * protocol versions and cipher suites it offers. Set it on the configuration with
 * {@link ServerConfig#withTls(TlsConfig)}; a server without it speaks plain HTTP.
 *
 * <pre>{@code
 * SSLContext context = ...;                       // a KeyManager with the certificate chain and key
 * HttpServer server = HttpServer.create(
 *         ServerConfig.defaults().withPort(8443).withTls(TlsConfig.of(context)), handler);
 * }</pre>
 *
 * <p>The defaults follow Mozilla's "intermediate" recommendation (server-side TLS, version 5.7): TLS 1.3
 * and 1.2 only, and for TLS 1.2 only forward-secret AEAD suites; the client's preference among them is
 * honoured, as all are strong. Suites or protocols the JDK does not support are left out; a
 * configuration that leaves none fails when the server starts. ALPN offers {@code http/1.1}.
 *
 * <p>Immutable and thread-safe.
 */
public final class TlsConfig {

    /** TLS 1.3 and 1.2: the versions offered by default. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * Mozilla's intermediate cipher suites, in its order: TLS 1.3's three, then TLS 1.2's ECDHE and DHE
     * suites with AES-GCM or ChaCha20-Poly1305.
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

    private final SSLContext context;
    private final List<String> protocols;
    private final List<String> cipherSuites;

    private TlsConfig(SSLContext context, List<String> protocols, List<String> cipherSuites) {
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
        return new TlsConfig(context, value, cipherSuites);
    }

    /**
     * @param value the cipher suites to offer (IANA names)
     * @return a copy with them
     */
    public TlsConfig withCipherSuites(List<String> value) {
        return new TlsConfig(context, protocols, value);
    }

    @Override
    public String toString() {
        return "TlsConfig" + protocols;
    }
}
