package io.sockeye.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import io.sockeye.TlsConfig;

/**
 * The tests' TLS material (src/test/resources/tls: a self-signed certificate for localhost, 127.0.0.1
 * and ::1): a server context holding its key, and client contexts that trust it.
 */
public final class TestTls {

    private static final char[] PASSWORD = "changeit".toCharArray();

    private TestTls() {
    }

    /** @return the server side: the test certificate and its key */
    public static SSLContext serverContext() {
        try (InputStream in = resource("tls/localhost.p12")) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the server's TLS configuration with the test certificate */
    public static TlsConfig serverConfig() {
        return TlsConfig.of(serverContext());
    }

    /** @return a client context that trusts the test certificate and nothing else */
    public static SSLContext clientContext() {
        try (InputStream in = resource("tls/localhost-cert.pem")) {
            Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("localhost", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the certificate's PEM file, for curl's {@code --cacert} and openssl's {@code -CAfile} */
    public static Path certificateFile() {
        try {
            return Path.of(TestTls.class.getClassLoader().getResource("tls/localhost-cert.pem").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return a TLS socket to 127.0.0.1:port, handshake done, that trusts the test certificate */
    public static SSLSocket connect(int port, String... protocols) throws IOException {
        SSLSocket s = (SSLSocket) clientContext().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        if (protocols.length > 0) s.setEnabledProtocols(protocols);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    private static InputStream resource(String name) {
        InputStream in = TestTls.class.getClassLoader().getResourceAsStream(name);
        if (in == null) throw new UncheckedIOException(new IOException("missing test resource " + name));
        return in;
    }
}
