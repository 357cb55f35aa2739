package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.cli.browser.Chromium;
import io.sockeye.cli.browser.Page;

/**
 * The README's first command, {@code sockeye -d site --cgi}, with HTTPS, in a real browser: Chromium shows
 * the demo page, its JPEG, and the CGI script's answer to the form as a user fills and sends it. Plain
 * HTTP too, so that a failure says which layer broke. Chromium trusts the tests' certificate by its key
 * and nothing else, so a broken or wrong certificate gets its error page, not the site.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DemoSiteInChromiumTest {

    /** What the user types: not ASCII, and characters that mean something in a form body and in HTML. */
    private static final String NAME = "Zoë 🐟 & <i>co</i>";

    @TempDir
    static Path tmp;
    static Path certificateFile;
    static Path keyFile;
    static Chromium chromium; // one for the class: a start takes a second or more

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private Main.Launch launch;

    @BeforeAll
    static void startChromium() throws Exception {
        if (!Chromium.installed()) return; // each test says it is skipped, and why
        certificateFile = copyResource("tls/localhost-cert.pem");
        keyFile = copyResource("tls/localhost-key.pem");
        X509Certificate certificate;
        try (InputStream in = Files.newInputStream(certificateFile)) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        chromium = Chromium.start(Chromium.Options.defaults().trusting(certificate));
    }

    @AfterAll
    static void stopChromium() {
        if (chromium != null) chromium.close();
    }

    @BeforeEach
    void needsChromium() {
        assumeTrue(chromium != null, "no " + Chromium.BINARY + " (Debian's chromium package, which .ci/run installs):"
                + " the demo site is not tried in a browser");
    }

    @AfterEach
    void stopServer() {
        if (launch != null) launch.stop();
    }

    @Test
    void overHttpsThePageTheJpegAndTheFormWork() {
        int port = serve("--tls-cert", certificateFile.toString(), "--tls-key", keyFile.toString());
        try (Page page = chromium.open("https://localhost:" + port + "/")) {
            assertEquals("https:", page.evaluate("location.protocol"));
            assertEquals(true, page.evaluate("window.isSecureContext"));
            assertDemoSiteWorks(page, "https:");
        }
    }

    @Test
    void overPlainHttpThePageTheJpegAndTheFormWork() {
        int port = serve();
        try (Page page = chromium.open("http://localhost:" + port + "/")) {
            assertEquals("http:", page.evaluate("location.protocol"));
            assertDemoSiteWorks(page, "http:");
        }
    }

    @Test
    void aCertificateChromiumWasNotToldToTrustGetsItsErrorPageNotTheSite() throws Exception {
        // What the HTTPS test would meet if the server sent the wrong certificate: it must fail there.
        SelfSignedCertificate other = SelfSignedCertificate.generate(List.of("localhost"),
                List.of(InetAddress.getByName("127.0.0.1")), Duration.ofDays(30));
        Path otherCert = tmp.resolve("other-cert.pem");
        Path otherKey = tmp.resolve("other-key.pem");
        other.writePem(otherCert, otherKey);
        int port = serve("--tls-cert", otherCert.toString(), "--tls-key", otherKey.toString());
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> chromium.open("https://localhost:" + port + "/").close());
        assertTrue(refused.getMessage().contains("net::ERR_CERT_AUTHORITY_INVALID"), refused.getMessage());
    }

    /** Starts the README's command on a free port of 127.0.0.1, with {@code more} options. */
    private int serve(String... more) {
        List<String> args = new ArrayList<>(List.of("-q", "-b", "127.0.0.1", "-p", "0", "-d", demoSite().toString(), "--cgi"));
        args.addAll(List.of(more));
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        launch = Main.launch(args.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), err);
        assertTrue(launch.started(), errBytes.toString(StandardCharsets.UTF_8));
        return launch.server().port();
    }

    private static void assertDemoSiteWorks(Page page, String protocol) {
        assertEquals("WOW", page.evaluate("document.title"));
        assertEquals("Wow, Python Server", page.evaluate("document.querySelector('p').textContent"));

        // The JPEG: fetched, decoded (decode() rejects what it cannot), and as large as the file says.
        page.evaluate("document.querySelector('img').decode()");
        assertEquals(true, page.evaluate("document.querySelector('img').complete"));
        int[] size = jpegSize();
        assertEquals(List.of((long) size[0], (long) size[1]),
                page.evaluate("[document.querySelector('img').naturalWidth, document.querySelector('img').naturalHeight]"));

        // The form, as a user fills it in and sends it; the script answers with what it was sent.
        page.type("input[name=firstname]", NAME);
        page.click("input[type=submit]");
        page.waitFor("location.pathname === '/cgi-bin/post.py' && document.readyState === 'complete'");
        assertEquals(protocol, page.evaluate("location.protocol"));
        assertEquals("", page.evaluate("location.search"), "the form's fields went in a POST body, not in the URL");
        assertEquals(List.of("Hello world!", NAME), page.evaluate("[...document.querySelectorAll('p')].map(p => p.textContent)"));
    }

    /** @return the demo JPEG's width and height, as its header gives them */
    private static int[] jpegSize() {
        try (ImageInputStream in = ImageIO.createImageInputStream(demoSite().resolve("test.jpg").toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            try {
                reader.setInput(in);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return {@code site/} at the repository root (tests run in the module's directory) */
    private static Path demoSite() {
        for (Path p : new Path[] {Path.of("..", "site"), Path.of("site")}) {
            if (Files.isRegularFile(p.resolve("cgi-bin/post.py"))) return p.toAbsolutePath().normalize();
        }
        throw new IllegalStateException("cannot find the demo site from " + Path.of("").toAbsolutePath());
    }

    /** @return a file holding a resource of core's test jar (which may be a jar, not a directory) */
    private static Path copyResource(String name) throws IOException {
        try (InputStream in = DemoSiteInChromiumTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IOException("missing test resource " + name);
            Path file = tmp.resolve(Path.of(name).getFileName());
            Files.copy(in, file);
            return file;
        }
    }
}
