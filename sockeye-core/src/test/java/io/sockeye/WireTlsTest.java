package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.sockeye.testsupport.LogCapture;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;
import io.sockeye.testsupport.TestTls;

/** HTTPS on the wire: real TLS clients (the JDK's HttpClient, TLS sockets) against a server with a TlsConfig. */
class WireTlsTest {

    private static final int BIG = 10 << 20;
    private HttpServer server;
    private LogCapture log;

    @BeforeEach
    void start() throws IOException {
        log = LogCapture.of("io.sockeye");
        server = ServerFixture.start(ServerFixture.loopback()
                        .withTls(TestTls.serverConfig())
                        .withRequestHeadTimeout(Duration.ofMillis(800)),
                (req, res) -> {
                    switch (req.rawPath()) {
                        case "/info" -> res.send(req.scheme() + " " + req.tlsSession().orElseThrow().getProtocol());
                        case "/echo" -> res.send(req.body().readAllBytes());
                        case "/big" -> {
                            try (OutputStream out = res.body()) {
                                out.write(bigBody());
                            }
                        }
                        default -> res.send("hello over " + req.scheme());
                    }
                });
    }

    @AfterEach
    void stop() {
        server.close();
        log.close();
    }

    private static byte[] bigBody() {
        byte[] b = new byte[BIG];
        new Random(42).nextBytes(b);
        return b;
    }

    private HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(TestTls.clientContext())
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private URI uri(String path) {
        return URI.create("https://localhost:" + server.port() + path);
    }

    @Test
    void httpClientGetsAnswersOverTls13WithSchemeHttps() throws Exception {
        HttpClient client = client();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/info")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("https TLSv1.3", r.body());
        assertEquals("TLSv1.3", r.sslSession().orElseThrow().getProtocol());
        // the same client again: the connection is kept alive
        for (int i = 0; i < 5; i++) {
            assertEquals("hello over https",
                    client.send(HttpRequest.newBuilder(uri("/x")).build(), HttpResponse.BodyHandlers.ofString()).body());
        }
        assertEquals(1, server.connectionCount(), "one kept-alive connection for six requests");
    }

    @Test
    void largeBodiesBothWaysArriveIntact() throws Exception {
        HttpClient client = client();
        byte[] body = bigBody();
        // a chunked upload (length unknown to the client) echoed back
        HttpResponse<byte[]> echo = client.send(HttpRequest.newBuilder(uri("/echo"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, echo.statusCode());
        assertArrayEquals(sha256(body), sha256(echo.body()));
        HttpResponse<byte[]> big = client.send(HttpRequest.newBuilder(uri("/big")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(BIG, big.body().length);
        assertArrayEquals(sha256(body), sha256(big.body()));
    }

    @Test
    void curlTrustingTheCertificateGetsTheAnswer() throws Exception {
        assertEquals("https TLSv1.3", curl("--cacert", TestTls.certificateFile().toString(), uri("/info").toString()));
        assertEquals("https TLSv1.2", curl("--cacert", TestTls.certificateFile().toString(), "--tls-max", "1.2",
                uri("/info").toString()));
        // a 10 MiB body through curl, as a browser's download would be
        assertEquals(Integer.toString(BIG), curl("--cacert", TestTls.certificateFile().toString(), "-o", "/dev/null",
                "-w", "%{size_download}", uri("/big").toString()));
    }

    /** @return what curl printed; fails the test if curl fails (it is installed by .ci/run) */
    static String curl(String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("curl", "-sS", "--max-time", "20"));
        command.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = text(p.getInputStream());
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "curl did not finish");
        assertEquals(0, p.exitValue(), "curl " + command + " failed: " + out);
        return out;
    }

    @Test
    void tls12IsAcceptedAndOlderVersionsAreNot() throws Exception {
        try (SSLSocket s = TestTls.connect(server.port(), "TLSv1.2"); RawClient c = new RawClient(s, 5_000)) {
            assertEquals("TLSv1.2", s.getSession().getProtocol());
            assertEquals("https TLSv1.2", c.send("GET /info HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
        }
        // the JDK client refuses to offer TLS 1.1 at all unless re-enabled, which shows as a handshake failure
        assertThrows(IOException.class, () -> TestTls.connect(server.port(), "TLSv1.1").close());
    }

    @Test
    void tls12RenegotiationIsRefusedWithAFatalAlertNotASilentClose() throws Exception {
        // CVE-2011-1473: each renegotiation costs the server a handshake. A silent close would look to the
        // client (and to testssl.sh) like a renegotiation still in progress; an alert says it was refused.
        try (SSLSocket s = TestTls.connect(server.port(), "TLSv1.2"); RawClient c = new RawClient(s, 5_000)) {
            assertEquals("https TLSv1.2", c.send("GET /info HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
            // the JDK client sends its ClientHello here and finishes the handshake as it reads
            javax.net.ssl.SSLException e = assertThrows(javax.net.ssl.SSLException.class, () -> {
                s.startHandshake();
                s.getInputStream().read();
            });
            assertTrue(e.getMessage().contains("Received fatal alert"), () -> "no alert, only: " + e);
        }
        log.await("TLS renegotiation refused");
    }

    @Test
    void aFailedHandshakeTellsTheClientWhyWithAnAlert() throws Exception {
        // a client offering only CBC suites, which the intermediate profile leaves out: no common cipher
        SSLSocket s = (SSLSocket) TestTls.clientContext().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.port());
        s.setSoTimeout(5_000);
        s.setEnabledProtocols(new String[] {"TLSv1.2"});
        s.setEnabledCipherSuites(new String[] {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"});
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, s::startHandshake);
        s.close();
        assertTrue(e.getMessage().contains("Received fatal alert: handshake_failure"), () -> "no alert, only: " + e);
        log.await("TLS handshake from 127.0.0.1:");
    }

    @Test
    void theServersCipherOrderDecidesNotTheClients() throws Exception {
        SSLSocket s = (SSLSocket) TestTls.clientContext().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.port());
        s.setSoTimeout(5_000);
        s.setEnabledProtocols(new String[] {"TLSv1.2"});
        s.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
        s.startHandshake();
        assertEquals("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", s.getSession().getCipherSuite());
        s.close();
    }

    @Test
    void alpnAgreesOnHttp11() throws Exception {
        SSLSocket s = (SSLSocket) TestTls.clientContext().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.port());
        var p = s.getSSLParameters();
        p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        s.setSSLParameters(p);
        s.startHandshake();
        assertEquals("http/1.1", s.getApplicationProtocol());
        s.close();
    }

    @Test
    void aClientOfferingOnlyHttp10InAlpnIsServedNotRefused() throws Exception {
        // RFC 7301 §3.2 lets a server refuse a handshake with no protocol in common; nginx accepts http/1.0
        // (and our HTTP/1.1 server answers HTTP/1.0), so refusing such a client would be needless
        SSLSocket s = (SSLSocket) TestTls.clientContext().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.port());
        var p = s.getSSLParameters();
        p.setApplicationProtocols(new String[] {"http/1.0"});
        s.setSSLParameters(p);
        s.setSoTimeout(10_000);
        s.startHandshake();
        assertEquals("http/1.0", s.getApplicationProtocol());
        try (RawClient c = new RawClient(s, 5_000)) {
            RawResponse r = c.send("GET / HTTP/1.0\r\nHost: a\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("hello over https", r.text());
        }
    }

    @Test
    void pipelinedRequestsOverTlsAreAnsweredInOrder() throws Exception {
        try (RawClient c = new RawClient(TestTls.connect(server.port()), 5_000)) {
            c.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /info HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            assertEquals("hello over https", c.read().text());
            assertEquals("hello", c.read().text());
            assertEquals("https TLSv1.3", c.read().text());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void plainHttpOnTheTlsPortGetsA400SayingToUseHttps() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            RawResponse r = c.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
            assertEquals(400, r.status());
            assertTrue(r.text().contains("https://127.0.0.1:" + server.port() + "/"), r.text());
            assertTrue(c.closedByServer());
        }
        assertTrue(log.await("a plain HTTP request on the HTTPS port").getMessage().contains("TLS handshake from 127.0.0.1:"));
    }

    @Test
    void garbageIsClosedWithoutAnAnswer() throws Exception {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            assertEquals("", c.readUntilClosed());
        }
        // a TLS record header with nonsense inside: the engine refuses it, one line says so
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            c.send(new byte[] {0x16, 3, 1, 0, 5, 9, 9, 9, 9, 9});
            c.readUntilClosed();
        }
        assertEquals("hello over https",
                client().send(HttpRequest.newBuilder(uri("/")).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void aRecordLargerThanTlsAllowsIsRefusedAtOnceNotBuffered() {
        // a handshake record announced one byte longer than the receive buffer, then a stream of zeros: the
        // server must give up after at most one largest record, not keep growing its buffer with the stream
        // (a head timeout far away, so that only the record's size can end it)
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (HttpServer patient = ServerFixture.start(ServerFixture.loopback().withTls(TestTls.serverConfig())
                         .withRequestHeadTimeout(Duration.ofSeconds(60)), (req, res) -> res.send("x"));
                 Socket s = new Socket(InetAddress.getLoopbackAddress(), patient.port())) {
                OutputStream out = s.getOutputStream();
                out.write(new byte[] {0x16, 3, 1, 0x41, 0x41});
                byte[] zeros = new byte[64 * 1024];
                long sent = 0;
                IOException refused = null;
                try {
                    while (sent < (256L << 20)) {
                        out.write(zeros);
                        sent += zeros.length;
                    }
                } catch (IOException e) {
                    refused = e;
                }
                assertTrue(refused != null && sent < (16L << 20), "the server took " + (sent >> 20) + " MiB of one record");
            }
        });
    }

    @Test
    void aClientThatNeverFinishesItsHandshakeIsDroppedAtTheHeadTimeout() {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                s.setSoTimeout(4_000);
                long t0 = System.nanoTime();
                // half a ClientHello record header, then silence
                s.getOutputStream().write(new byte[] {0x16, 3, 1});
                assertEquals(-1, s.getInputStream().read());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms >= 600 && ms < 3_000, "dropped after " + ms + " ms");
            }
        });
        assertTrue(log.messages().stream().anyMatch(m -> m.contains("not finished within 800 ms")), log.messages().toString());
    }

    @Test
    void tenThousandAbandonedAndFailedHandshakesLeakNoDescriptorThreadOrMemory() throws Exception {
        java.nio.file.Path fdDir = java.nio.file.Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(fdDir), "needs /proc/self/fd");
        for (int i = 0; i < 20; i++) { // warm up (classes, pools, the JIT), then close
            try (RawClient c = new RawClient(TestTls.connect(server.port()), 5_000)) {
                assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read().status());
            }
        }
        awaitNoConnections();
        long fdsBefore = fdCount(fdDir);
        int threadsBefore = Thread.getAllStackTraces().size(); // platform threads (virtual ones end with their connection)
        long heapBefore = heapAfterGc();
        for (int i = 0; i < 10_000; i++) {
            switch (i % 20 == 0 ? 3 : i % 4) {
                case 0 -> {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                        s.getOutputStream().write(new byte[] {0x16, 3, 1, 0, (byte) 200, 1, 0}); // a ClientHello cut short
                        s.setSoLinger(true, 0); // and reset
                    }
                }
                case 1 -> {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                        s.getOutputStream().write(new byte[] {0x16, 3, 1, 0, 5, 9, 9, 9, 9, 9}); // nonsense inside
                        s.setSoTimeout(5_000);
                        s.getInputStream().readAllBytes(); // the alert, then the close
                    }
                }
                case 3 -> TestTls.connect(server.port()).close(); // a whole handshake, then gone
                default -> {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                        if (i % 8 == 2) s.getOutputStream().write(0x16); // one byte of a record
                        s.setSoLinger(true, 0); // reset
                    }
                }
            }
        }
        awaitNoConnections();
        long fdsAfter = fdCount(fdDir);
        assertTrue(fdsAfter <= fdsBefore + 2, "descriptors: " + fdsBefore + " before, " + fdsAfter + " after 10,000 failed handshakes");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Thread.getAllStackTraces().size() > threadsBefore + 2 && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(Thread.getAllStackTraces().size() <= threadsBefore + 2, "threads: " + threadsBefore + " before, "
                + Thread.getAllStackTraces().size() + " after");
        long grown = heapAfterGc() - heapBefore;
        assertTrue(grown < 8L << 20, "heap grew by " + grown + " bytes over 10,000 failed handshakes");
        try (RawClient c = new RawClient(TestTls.connect(server.port()), 5_000)) {
            assertEquals("hello over https", c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
        }
    }

    @Test
    void clientsThatConnectAndSayNothingHoldNoRecordBufferOrEngine() throws Exception {
        // a crowd of silent connections, each held until the head timeout: before a client's first byte the
        // server keeps no 16 KB record buffer and no SSLEngine for it (with them, 8,000 such clients filled
        // the command-line server's 256 MB heap; see TlsChannel.readFirstBytes)
        int crowd = 1000;
        try (HttpServer patient = ServerFixture.start(ServerFixture.loopback().withTls(TestTls.serverConfig())
                .withRequestHeadTimeout(Duration.ofSeconds(30)), (req, res) -> res.send("hi"))) {
            try (RawClient c = new RawClient(TestTls.connect(patient.port()), 5_000)) { // warm up: classes, pools
                assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            }
            java.util.List<Socket> silent = new java.util.ArrayList<>();
            try {
                long before = heapAfterGc();
                for (int i = 0; i < crowd; i++) silent.add(new Socket(InetAddress.getLoopbackAddress(), patient.port()));
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (patient.connectionCount() < crowd && System.nanoTime() < deadline) Thread.sleep(20);
                assertTrue(patient.connectionCount() >= crowd, "accepted " + patient.connectionCount());
                Thread.sleep(200); // each one's thread is now waiting in its first read
                long perConnection = (heapAfterGc() - before) / crowd;
                assertTrue(perConnection < 10_000, "heap per silent connection: " + perConnection + " bytes");
            } finally {
                for (Socket s : silent) s.close();
            }
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    }

    private void awaitNoConnections() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.connectionCount() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(0, server.connectionCount(), "connections still open after their clients left");
    }

    private static long fdCount(java.nio.file.Path dir) throws IOException {
        try (var list = java.nio.file.Files.list(dir)) {
            return list.count();
        }
    }

    @Test
    void anUntrustedClientCertificateCheckIsTheClientsBusinessAndAWrongNameFailsAtTheClient() {
        // a client that does not trust the certificate fails the handshake itself, and the server logs one line
        HttpClient untrusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThrows(SSLHandshakeException.class,
                () -> untrusting.send(HttpRequest.newBuilder(uri("/")).build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    static String text(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
