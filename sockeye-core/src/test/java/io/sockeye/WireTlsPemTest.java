package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.testsupport.LogCapture;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.ServerFixture;

/**
 * TLS from PEM files, over real connections: certificates chosen by SNI, files read again when they
 * change (and a bad change ignored), client certificates. Certificates are made by the openssl CLI,
 * from a test CA, as an administrator would make them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WireTlsPemTest {

    @TempDir
    Path dir;
    private HttpServer server;
    private LogCapture log;

    @BeforeEach
    void makeCertificates() throws Exception {
        log = LogCapture.of("io.sockeye");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca-key.pem",
                "-out", "ca.pem", "-days", "2", "-subj", "/CN=Sockeye test CA");
        for (String name : List.of("a", "b", "c")) issue(name, name + ".test", "DNS:" + name + ".test,DNS:*." + name + ".test", "serverAuth");
        issue("client", "client", "DNS:client", "clientAuth");
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        log.close();
    }

    /** Makes NAME.pem and NAME-key.pem: a certificate for CN, issued by the test CA. */
    private void issue(String name, String cn, String san, String usage) throws Exception {
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + "-key.pem",
                "-out", name + ".csr", "-subj", "/CN=" + cn);
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + san + "\nextendedKeyUsage=" + usage + "\n");
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    private void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("these tests need the openssl command (.ci/run installs it)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, command + ": " + out);
    }

    private HttpServer start(TlsConfig tls) throws IOException {
        server = ServerFixture.start(ServerFixture.loopback().withTls(tls), (req, res) -> {
            String who = req.tlsSession().map(s -> {
                try {
                    return ((X509Certificate) s.getPeerCertificates()[0]).getSubjectX500Principal().getName();
                } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                    return "anonymous";
                }
            }).orElse("plain");
            res.send(who);
        });
        return server;
    }

    /** A client trusting the test CA, presenting the client certificate if asked to. */
    private SSLContext clientContext(boolean withCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", cert("ca.pem"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (withCertificate) {
            openssl("pkcs12", "-export", "-in", "client.pem", "-inkey", "client-key.pem", "-out", "client.p12", "-passout", "pass:x");
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve("client.p12"))) {
                keys.load(in, "x".toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "x".toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    private X509Certificate cert(String file) throws Exception {
        try (InputStream in = Files.newInputStream(dir.resolve(file))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /**
     * @return the CN of the certificate the server presented for this SNI name ({@code null}: none sent),
     *         in a full handshake (a client context of its own: no session of an earlier one to resume)
     */
    private String servedFor(SSLContext ignored, String sniName) throws Exception {
        SSLContext context = clientContext(false);
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.port())) {
            if (sniName != null) {
                var p = s.getSSLParameters();
                p.setServerNames(List.of(new SNIHostName(sniName)));
                s.setSSLParameters(p);
            }
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    @Test
    void theCertificateIsChosenByTheNameTheClientAsksFor() throws Exception {
        start(TlsConfig.fromPem(dir.resolve("a.pem"), dir.resolve("a-key.pem"))
                .withCertificate(dir.resolve("b.pem"), dir.resolve("b-key.pem"), null));
        SSLContext client = clientContext(false);
        assertEquals("CN=a.test", servedFor(client, "a.test"));
        assertEquals("CN=b.test", servedFor(client, "b.test"));
        assertEquals("CN=b.test", servedFor(client, "www.b.test"), "the wildcard *.b.test");
        assertEquals("CN=a.test", servedFor(client, "x.www.b.test"), "a wildcard covers one label only: the default");
        assertEquals("CN=a.test", servedFor(client, "unknown.test"), "the first is the default");
        assertEquals("CN=a.test", servedFor(client, null));
    }

    @Test
    void changedFilesAreReadAgainForNewConnectionsAndABadChangeIsIgnored() throws Exception {
        Path chain = dir.resolve("live.pem");
        Path key = dir.resolve("live-key.pem");
        Files.copy(dir.resolve("a.pem"), chain);
        Files.copy(dir.resolve("a-key.pem"), key);
        start(TlsConfig.fromPem(chain, key));
        SSLContext client = clientContext(false);
        assertEquals("CN=a.test", servedFor(client, null));
        // a connection open across the renewal keeps working
        try (RawClient open = new RawClient(client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.port()), 5_000)) {
            assertEquals(200, open.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            // as an ACME client renews: new files renamed into place
            Files.copy(dir.resolve("b-key.pem"), dir.resolve("new-key.pem"));
            Files.copy(dir.resolve("b.pem"), dir.resolve("new.pem"));
            Files.move(dir.resolve("new-key.pem"), key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(dir.resolve("new.pem"), chain, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            awaitServed(client, "CN=b.test");
            assertEquals(200, open.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
        // half a renewal: a certificate whose key is not there yet; the one before stays in use, and one line says why
        Files.copy(dir.resolve("c.pem"), chain, StandardCopyOption.REPLACE_EXISTING);
        Thread.sleep(1_200);
        assertEquals("CN=b.test", servedFor(client, null));
        assertTrue(log.await("cannot be used").getMessage().contains("still serving the one read before"));
        // and the rest of it arrives
        Files.copy(dir.resolve("c-key.pem"), key, StandardCopyOption.REPLACE_EXISTING);
        awaitServed(client, "CN=c.test");
    }

    private void awaitServed(SSLContext client, String expected) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        String got;
        do {
            got = servedFor(client, null);
            if (got.equals(expected)) return;
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        assertEquals(expected, got, "the certificate after the files changed");
    }

    @Test
    void requiredClientCertificatesAreCheckedAndReachTheHandler() throws Exception {
        start(TlsConfig.fromPem(dir.resolve("a.pem"), dir.resolve("a-key.pem"))
                .withClientAuth(TlsConfig.ClientAuth.REQUIRED, dir.resolve("ca.pem")));
        try (RawClient c = new RawClient(clientContext(true).getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), server.port()), 5_000)) {
            assertEquals("CN=client", c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
        }
        // without one: the handshake fails (TLS 1.3 reports it at the first read)
        assertThrows(IOException.class, () -> {
            try (RawClient c = new RawClient(clientContext(false).getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), server.port()), 5_000)) {
                c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            }
        });
    }

    @Test
    void optionalClientCertificatesLetAnonymousClientsIn() throws Exception {
        start(TlsConfig.fromPem(dir.resolve("a.pem"), dir.resolve("a-key.pem"))
                .withClientAuth(TlsConfig.ClientAuth.OPTIONAL, dir.resolve("ca.pem")));
        for (boolean with : new boolean[] {true, false}) {
            try (RawClient c = new RawClient(clientContext(with).getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), server.port()), 5_000)) {
                assertEquals(with ? "CN=client" : "anonymous", c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
            }
        }
    }
}
