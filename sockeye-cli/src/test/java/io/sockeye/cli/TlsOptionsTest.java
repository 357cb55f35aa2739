package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.testsupport.RawClient;

/** {@code --tls-cert}, {@code --tls-key}, {@code --tls-password-file}: HTTPS from the command line, and its mistakes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TlsOptionsTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    private Main.Launch launch;

    @AfterEach
    void stop() {
        if (launch != null) launch.stop();
    }

    private Main.Launch run(String... args) throws Exception {
        Path site = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<p>secure hello</p>");
        String[] all = new String[args.length + 5];
        System.arraycopy(new String[] {"-q", "-b", "127.0.0.1", "-d", site.toString()}, 0, all, 0, 5);
        System.arraycopy(args, 0, all, 5, args.length);
        launch = Main.launch(all, out, err);
        return launch;
    }

    private String errText() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private SelfSignedCertificate certificate() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.generate(List.of("localhost"),
                List.of(InetAddress.getByName("127.0.0.1")), Duration.ofDays(30));
        cert.writePem(tmp.resolve("cert.pem"), tmp.resolve("key.pem"));
        return cert;
    }

    private static HttpClient trusting(SelfSignedCertificate cert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", cert.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(context)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void certificateAndKeyFilesServeHttpsAndTheBannerSaysSo() throws Exception {
        SelfSignedCertificate cert = certificate();
        Main.Launch l = run("--tls-cert", tmp.resolve("cert.pem").toString(), "--tls-key", tmp.resolve("key.pem").toString(), "0");
        assertTrue(l.started(), errText());
        int port = l.server().port();
        assertTrue(errText().contains("at https://127.0.0.1:" + port + "/"), errText());
        HttpResponse<String> r = trusting(cert).send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("<p>secure hello</p>", r.body());
        // plain HTTP to it: told to use https
        try (RawClient c = new RawClient(port)) {
            assertEquals(400, c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
        }
    }

    @Test
    void plainHttpIsRedirectedToHttpsAndHttpsResponsesCarryHsts() throws Exception {
        SelfSignedCertificate cert = certificate();
        Main.Launch l = run("--tls-cert", tmp.resolve("cert.pem").toString(), "--tls-key", tmp.resolve("key.pem").toString(),
                "--redirect-http", "0", "--hsts", "600", "0");
        assertTrue(l.started(), errText());
        int https = l.server().port();
        int http = l.redirect().port();
        assertTrue(errText().contains("Redirecting http://127.0.0.1:" + http + "/ to HTTPS"), errText());
        try (RawClient c = new RawClient(http)) {
            var r = c.send("POST /form?x=1 HTTP/1.1\r\nHost: localhost:" + http + "\r\nContent-Length: 0\r\n\r\n").read();
            assertEquals(308, r.status(), "permanent, and the method kept");
            assertEquals("https://localhost:" + https + "/form?x=1", r.header("Location"));
            assertEquals(null, r.header("Strict-Transport-Security"), "never over plain HTTP");
            // a Host that is not one is refused rather than redirected to
            assertEquals(400, c.send("GET / HTTP/1.1\r\nHost: evil.test/x\r\n\r\n").read().status());
        }
        HttpResponse<String> r = trusting(cert).send(HttpRequest.newBuilder(URI.create("https://localhost:" + https + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("max-age=600", r.headers().firstValue("Strict-Transport-Security").orElse(null));
        l.stop();
        launch = null;
        try (RawClient ignored = new RawClient(http)) {
            throw new AssertionError("the redirect port still listens after stop");
        } catch (java.net.ConnectException expected) {
            // both servers stopped
        }
    }

    @Test
    void redirectAndHstsNeedHttps() throws Exception {
        Main.Launch l = run("--redirect-http", "0", "0");
        assertFalse(l.started());
        assertTrue(errText().contains("--redirect-http needs HTTPS"), errText());
    }

    @Test
    void anEncryptedKeyWithItsPasswordFile() throws Exception {
        SelfSignedCertificate cert = certificate();
        Path encrypted = tmp.resolve("key.enc.pem");
        Process p = new ProcessBuilder("openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", tmp.resolve("key.pem").toString(),
                "-out", encrypted.toString(), "-passout", "pass:s3cret word").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "openssl (installed by .ci/run): " + output);
        Files.writeString(tmp.resolve("pass.txt"), "s3cret word\n");
        Main.Launch l = run("--tls-cert", tmp.resolve("cert.pem").toString(), "--tls-key", encrypted.toString(),
                "--tls-password-file", tmp.resolve("pass.txt").toString(), "0");
        assertTrue(l.started(), errText());
        HttpResponse<String> r = trusting(cert).send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + l.server().port() + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
    }

    @Test
    void mistakesAreOneLineAndNoServer() throws Exception {
        certificate();
        Main.Launch l = run("--tls-cert", tmp.resolve("cert.pem").toString(), "0");
        assertFalse(l.started());
        assertEquals(2, l.exitCode());
        assertTrue(errText().contains("--tls-cert and --tls-key go together"), errText());

        errBytes.reset();
        Files.writeString(tmp.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        l = run("--tls-cert", tmp.resolve("garbage.pem").toString(), "--tls-key", tmp.resolve("key.pem").toString(), "0");
        assertFalse(l.started());
        assertEquals(1, l.exitCode());
        assertTrue(errText().startsWith("sockeye: cannot use the TLS certificate: "), errText());
        assertTrue(errText().contains("garbage.pem"), errText());
        assertEquals(1, errText().strip().lines().count(), errText());

        // a key that belongs to another certificate
        errBytes.reset();
        SelfSignedCertificate.generate(List.of("other"), List.of(), Duration.ofDays(30))
                .writePem(tmp.resolve("other-cert.pem"), tmp.resolve("other-key.pem"));
        l = run("--tls-cert", tmp.resolve("cert.pem").toString(), "--tls-key", tmp.resolve("other-key.pem").toString(), "0");
        assertFalse(l.started());
        assertTrue(errText().contains("does not belong"), errText());
    }
}
