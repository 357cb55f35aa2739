package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SelfSignedCertificate} and its {@link Der} encoding: the certificate the JDK, OpenSSL and curl
 * read, and a TLS handshake that curl and {@code openssl s_client} verify against it.
 * {@link DevelopmentCertificateTest} has the kept certificate of {@code --tls}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SelfSignedCertificateTest {

    @TempDir
    Path dir;

    static final List<InetAddress> LOOPBACK = List.of(address("127.0.0.1"), address("::1"));

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static SelfSignedCertificate localhost() {
        return SelfSignedCertificate.generate(List.of("localhost", "example.test"), LOOPBACK, Duration.ofDays(365));
    }

    @Test
    void theCertificateIsASelfSignedServerCertificateForItsNames() throws Exception {
        Instant before = Instant.now();
        SelfSignedCertificate s = localhost();
        X509Certificate c = s.certificate();
        c.verify(c.getPublicKey()); // signed by its own key
        assertEquals(3, c.getVersion());
        assertEquals("SHA256withECDSA", c.getSigAlgName());
        assertEquals("EC", c.getPublicKey().getAlgorithm());
        assertEquals("EC", s.privateKey().getAlgorithm());
        assertEquals(c.getSubjectX500Principal(), c.getIssuerX500Principal());
        assertEquals("CN=localhost,O=Sockeye development certificate", c.getSubjectX500Principal().getName());
        assertEquals(127, c.getSerialNumber().bitLength(), "16 random octets, positive, top octet 01xxxxxx");

        Set<List<?>> sans = Set.copyOf(c.getSubjectAlternativeNames());
        assertEquals(Set.of(List.of(2, "localhost"), List.of(2, "example.test"), List.of(7, "127.0.0.1"),
                List.of(7, "0:0:0:0:0:0:0:1")), sans);

        // notBefore an hour back, notAfter the validity on; both to the second
        Instant notBefore = c.getNotBefore().toInstant();
        Instant notAfter = c.getNotAfter().toInstant();
        assertTrue(!notBefore.isBefore(before.minusSeconds(3601)) && !notBefore.isAfter(Instant.now().minusSeconds(3599)), notBefore::toString);
        assertEquals(Duration.ofDays(365).plusHours(1).toSeconds(), Duration.between(notBefore, notAfter).toSeconds(), 1);

        assertEquals(Set.of("2.5.29.15", "2.5.29.19"), c.getCriticalExtensionOIDs(), "keyUsage, basicConstraints");
        assertEquals(Set.of("2.5.29.17", "2.5.29.37", "2.5.29.14"), c.getNonCriticalExtensionOIDs(), "SAN, EKU, SKI");
        boolean[] keyUsage = c.getKeyUsage();
        assertTrue(keyUsage[0], "digitalSignature");
        for (int i = 1; i < keyUsage.length; i++) assertFalse(keyUsage[i], "key usage bit " + i);
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), c.getExtendedKeyUsage(), "serverAuth");
        assertEquals(-1, c.getBasicConstraints(), "CA:FALSE");
    }

    @Test
    void opensslReadsWhatTheJdkReads() throws Exception {
        SelfSignedCertificate s = localhost();
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        s.writePem(cert, key);
        String text = Tools.run("openssl", "x509", "-noout", "-text", "-in", cert.toString()).ok();
        for (String expected : List.of("Version: 3", "ecdsa-with-SHA256", "NIST CURVE: P-256", "DNS:localhost", "DNS:example.test",
                "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1", "X509v3 Basic Constraints: critical", "CA:FALSE",
                "X509v3 Key Usage: critical", "Digital Signature", "TLS Web Server Authentication", "X509v3 Subject Key Identifier")) {
            assertTrue(text.contains(expected), () -> "no " + expected + " in\n" + text);
        }
        // "sha256 Fingerprint=AB:CD:..." (OpenSSL 1.1 writes SHA256)
        String line = Tools.run("openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", cert.toString()).ok().strip();
        assertEquals(s.sha256Fingerprint(), line.substring(line.indexOf('=') + 1));
        assertTrue(s.sha256Fingerprint().matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), s::sha256Fingerprint);
        // the key file holds the certificate's key
        assertEquals(Tools.run("openssl", "x509", "-noout", "-pubkey", "-in", cert.toString()).ok(),
                Tools.run("openssl", "pkey", "-pubout", "-in", key.toString()).ok());
        // the subjectKeyIdentifier is RFC 5280's method 1, as OpenSSL computes it
        assertTrue(text.contains(skiAsOpensslComputes(cert)), () -> "SKI differs from OpenSSL's hash in\n" + text);
    }

    /** SHA-1 of the public key's point, by OpenSSL's tools, as OpenSSL prints a key identifier. */
    private static String skiAsOpensslComputes(Path cert) throws Exception {
        String sha1 = Tools.run("sh", "-c", "openssl x509 -noout -pubkey -in '" + cert
                + "' | openssl ec -pubin -outform DER 2>/dev/null | tail -c 65 | sha1sum | cut -c1-40").ok().strip();
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(HexFormat.of().parseHex(sha1));
    }

    @Test
    void writtenFilesAreRfc7468PemAndTheKeyIsTheOwnersAlone() throws Exception {
        SelfSignedCertificate s = localhost();
        Path folder = dir.resolve("new/tls");
        s.writePem(folder.resolve("cert.pem"), folder.resolve("key.pem"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve("key.pem"))));
        assertEquals(Set.of("cert.pem", "key.pem"), names(folder), "no temporary file left");

        List<String> lines = Files.readAllLines(folder.resolve("cert.pem"));
        assertEquals("-----BEGIN CERTIFICATE-----", lines.get(0));
        assertEquals("-----END CERTIFICATE-----", lines.get(lines.size() - 1));
        for (String l : lines.subList(1, lines.size() - 2)) assertEquals(64, l.length(), l);
        assertTrue(Files.readString(folder.resolve("key.pem")).startsWith("-----BEGIN PRIVATE KEY-----\n"));

        // written again: replaced in place, still 0600
        SelfSignedCertificate again = localhost();
        again.writePem(folder.resolve("cert.pem"), folder.resolve("key.pem"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve("key.pem"))));
        SelfSignedCertificate read = SelfSignedCertificate.readPem(folder.resolve("cert.pem"), folder.resolve("key.pem"));
        assertEquals(again.sha256Fingerprint(), read.sha256Fingerprint());
        assertArrayEquals(again.privateKey().getEncoded(), read.privateKey().getEncoded());
        assertEquals(Set.of("cert.pem", "key.pem"), names(folder));
    }

    static Set<String> names(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void readingRefusesAKeyThatIsNotTheCertificates() throws Exception {
        localhost().writePem(dir.resolve("a.pem"), dir.resolve("a.key"));
        localhost().writePem(dir.resolve("b.pem"), dir.resolve("b.key"));
        assertThrows(IOException.class, () -> SelfSignedCertificate.readPem(dir.resolve("a.pem"), dir.resolve("b.key")));
        Files.writeString(dir.resolve("c.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
        assertThrows(IOException.class, () -> SelfSignedCertificate.readPem(dir.resolve("c.pem"), dir.resolve("a.key")));
    }

    @Test
    void datesFrom2050AreGeneralizedTime() {
        assertArrayEquals(bytes(0x17, 13, "491231235959Z"), Der.time(Instant.parse("2049-12-31T23:59:59.999Z")));
        assertArrayEquals(bytes(0x18, 15, "20500101000000Z"), Der.time(Instant.parse("2050-01-01T00:00:00Z")));
        assertArrayEquals(bytes(0x17, 13, "500101000000Z"), Der.time(Instant.parse("1950-01-01T00:00:00Z")));
        // a certificate running past 2050 parses, its end to the second
        Instant end = Instant.now().plus(Duration.ofDays(40 * 366)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        X509Certificate c = SelfSignedCertificate.generate(List.of("localhost"), List.of(), Duration.ofDays(40 * 366)).certificate();
        assertEquals(end.getEpochSecond(), c.getNotAfter().toInstant().getEpochSecond(), 2);
    }

    private static byte[] bytes(int tag, int length, String ascii) {
        return Der.concat(new byte[] {(byte) tag, (byte) length}, ascii.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void derLengthsTagsAndOids() {
        assertArrayEquals(new byte[] {0x04, 0x7f}, java.util.Arrays.copyOf(Der.octetString(new byte[127]), 2));
        assertArrayEquals(new byte[] {0x04, (byte) 0x81, (byte) 0x80}, java.util.Arrays.copyOf(Der.octetString(new byte[128]), 3));
        assertArrayEquals(new byte[] {0x04, (byte) 0x82, 0x01, 0x00}, java.util.Arrays.copyOf(Der.octetString(new byte[256]), 4));
        assertEquals(65536 + 5, Der.octetString(new byte[65536]).length, "83 01 00 00");
        assertEquals("06082a8648ce3d040302", HexFormat.of().formatHex(Der.oid("1.2.840.10045.4.3.2")));
        assertEquals("020200ff", HexFormat.of().formatHex(Der.integer(255)), "a leading zero keeps it positive");
        assertEquals("0101ff", HexFormat.of().formatHex(Der.bool(true)));
        assertEquals("03020780", HexFormat.of().formatHex(Der.bitString(new byte[] {(byte) 0x80}, 7)));
        assertEquals("a003020102", HexFormat.of().formatHex(Der.explicit(0, Der.integer(2))));
        assertEquals("82096c6f63616c686f7374", HexFormat.of().formatHex(Der.implicitPrimitive(2, "localhost".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void badNamesAreRefused() {
        for (String bad : List.of("", "-x.test", "a..b", "under_score", "x.", "1.2.3.4", "exämple.test", "a".repeat(64))) {
            assertFalse(SelfSignedCertificate.isDnsName(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> SelfSignedCertificate.generate(List.of(bad), List.of(), Duration.ofDays(1)), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> SelfSignedCertificate.generate(List.of(), List.of(), Duration.ofDays(1)));
        assertTrue(SelfSignedCertificate.isDnsName("My-Host.example"));
    }

    /** A one-connection-at-a-time HTTPS server on 127.0.0.1 answering "hello", with this key and certificate. */
    static final class TlsServer implements AutoCloseable {
        private final SSLServerSocket server;

        TlsServer(SelfSignedCertificate s) throws Exception {
            char[] password = "unused".toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("dev", s.privateKey(), password, new Certificate[] {s.certificate()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), null, null);
            server = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 50, address("127.0.0.1"));
            Thread t = new Thread(this::serve, "tls-test-server");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket c = server.accept()) {
                    c.setSoTimeout(10_000);
                    InputStream in = c.getInputStream();
                    int state = 0; // count of "\r\n\r\n" matched; handshakes on the first read
                    for (int b; state < 4 && (b = in.read()) >= 0;) state = b == "\r\n\r\n".charAt(state) ? state + 1 : b == '\r' ? 1 : 0;
                    if (state < 4) continue; // no request (openssl s_client): handshake only
                    OutputStream out = c.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    // a client that gave up (curl without the certificate): next
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    void curlTrustsItGivenTheCertificate() throws Exception {
        SelfSignedCertificate s = localhost();
        Path cert = dir.resolve("cert.pem");
        s.writePem(cert, dir.resolve("key.pem"));
        try (TlsServer server = new TlsServer(s)) {
            int port = server.port();
            // the name: localhost, pinned to 127.0.0.1 where the test server listens
            assertEquals("hello", Tools.run("curl", "-sS", "--max-time", "10", "--cacert", cert.toString(), "--resolve",
                    "localhost:" + port + ":127.0.0.1", "https://localhost:" + port + "/").ok());
            // the address
            assertEquals("hello", Tools.run("curl", "-sS", "--max-time", "10", "--cacert", cert.toString(),
                    "https://127.0.0.1:" + port + "/").ok());
            // and without it, curl refuses: the check above is not vacuous
            Tools.Output refused = Tools.run("curl", "-sS", "--max-time", "10", "https://127.0.0.1:" + port + "/");
            assertEquals(60, refused.exit(), refused.text()); // CURLE_PEER_FAILED_VERIFICATION
        }
    }

    @Test
    void opensslVerifiesTheHandshake() throws Exception {
        SelfSignedCertificate s = localhost();
        Path cert = dir.resolve("cert.pem");
        s.writePem(cert, dir.resolve("key.pem"));
        try (TlsServer server = new TlsServer(s)) {
            String out = Tools.run("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(), "-CAfile", cert.toString(),
                    "-verify_return_error", "-verify_ip", "127.0.0.1").ok();
            assertTrue(out.contains("Verify return code: 0 (ok)"), out);
            assertTrue(out.contains("Server public key is 256 bit"), out);
            // a name the certificate does not have fails
            Tools.Output wrong = Tools.run("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(), "-CAfile", cert.toString(),
                    "-verify_return_error", "-verify_hostname", "example.com");
            assertNotEquals(0, wrong.exit(), wrong.text());
        }
    }

    /** External programs for the checks, with a clear failure, not a skip, where one is missing. */
    static final class Tools {
        record Output(int exit, String text) {
            String ok() {
                if (exit != 0) fail("exit status " + exit + ":\n" + text);
                return text;
            }
        }

        static Output run(String... command) throws Exception {
            Path output = Files.createTempFile("tool", ".out");
            try {
                Process p;
                try {
                    p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
                } catch (IOException e) {
                    throw new AssertionError(command[0] + " is needed by this test (CI installs it; on Debian: apt-get install "
                            + command[0] + "): " + e.getMessage(), e);
                }
                p.getOutputStream().close(); // no input: openssl s_client ends after the handshake
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail(String.join(" ", command) + " did not end:\n" + Files.readString(output));
                }
                return new Output(p.exitValue(), Files.readString(output));
            } finally {
                Files.deleteIfExists(output);
            }
        }
    }
}
