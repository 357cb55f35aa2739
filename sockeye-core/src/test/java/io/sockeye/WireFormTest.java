package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

@Timeout(20)
class WireFormTest {

    private HttpServer server;
    private final AtomicReference<Path> spilled = new AtomicReference<>();
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        Handler echo = (req, res) -> {
            Form form = req.form();
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < form.fields().size(); i++) {
                sb.append(form.fields().name(i)).append('=').append(form.fields().value(i)).append('\n');
            }
            for (FormFile f : form.files()) {
                sb.append("file ").append(f.name()).append(' ').append(f.fileName()).append(' ').append(f.size()).append('\n');
                spilled.set(newUpload());
            }
            res.send(sb.toString());
        };
        ServerConfig config = ServerConfig.defaults().withBindAddress(InetAddress.getLoopbackAddress()).withPort(0)
                .withFormLimits(new FormLimits(100, 1 << 16, 1 << 20, 4096, 1024));
        server = HttpServer.create(config, echo).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private final java.util.Set<Path> uploadsBefore = new java.util.HashSet<>();

    private static java.util.Set<Path> uploads() throws java.io.IOException {
        try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("sockeye-upload-")).collect(java.util.stream.Collectors.toSet());
        }
    }

    /** The upload file this test's request made (others may be in the shared directory). */
    private Path newUpload() throws java.io.IOException {
        java.util.Set<Path> now = uploads();
        now.removeAll(uploadsBefore);
        return now.isEmpty() ? null : now.iterator().next();
    }

    @org.junit.jupiter.api.Test
    void aFormThatFailedToParseFailsTheSameWayWhenAskedAgain() throws Exception {
        Handler twice = (req, res) -> {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 2; i++) {
                try {
                    req.form();
                    sb.append("parsed\n");
                } catch (HttpException e) {
                    sb.append(e.status()).append(' ').append(e.getMessage()).append('\n');
                }
            }
            res.send(sb.toString());
        };
        try (HttpServer s = HttpServer.create(ServerConfig.defaults().withBindAddress(InetAddress.getLoopbackAddress()).withPort(0),
                twice).start()) {
            // the first part's header is broken; the parser stops there, with the second part still unread
            byte[] body = ("--b\r\nno colon in this header\r\n\r\nx\r\n--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
                    + "y".repeat(100_000) + "\r\n--b--\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/"))
                    .header("Content-Type", "multipart/form-data; boundary=b").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            java.util.List<String> lines = r.body().lines().toList();
            assertEquals(2, lines.size(), r.body());
            assertTrue(lines.get(0).startsWith("400 "), r.body());
            assertEquals(lines.get(0), lines.get(1), "the second call reports the first failure: " + r.body());
        }
    }

    private HttpResponse<String> post(String contentType, byte[] body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void urlencodedFormsDecodePlusPercentAndUtf8InOrder() throws Exception {
        HttpResponse<String> r = post("application/x-www-form-urlencoded",
                "firstname=Va+mei&b=%E5%BC%A0%E4%B8%89&firstname=x%26y&flag".getBytes(StandardCharsets.US_ASCII));
        assertEquals(200, r.statusCode());
        assertEquals("firstname=Va mei\nb=张三\nfirstname=x&y\nflag=\n", r.body());
    }

    @Test
    void malformedEscapesAre400() throws Exception {
        assertEquals(400, post("application/x-www-form-urlencoded", "a=%zz".getBytes(StandardCharsets.US_ASCII)).statusCode());
        assertEquals(400, post("application/x-www-form-urlencoded", "a=%C3%28".getBytes(StandardCharsets.US_ASCII)).statusCode());
    }

    @Test
    void aBodyThatIsNotAFormIs415() throws Exception {
        assertEquals(415, post("application/json", "{}".getBytes(StandardCharsets.US_ASCII)).statusCode());
    }

    @Test
    void multipartFilesSpillToDiskAndAreDeletedWhenTheExchangeEnds() throws Exception {
        uploadsBefore.addAll(uploads());
        String boundary = "XyZ123";
        byte[] content = "0123456789".repeat(500).getBytes(StandardCharsets.US_ASCII); // 5000 > 1024 threshold
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        byte[] body = (head + new String(content, StandardCharsets.US_ASCII) + tail).getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> r = post("multipart/form-data; boundary=" + boundary, body);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("note=hello\nfile doc a.txt 5000\n", r.body());
        Path upload = spilled.get();
        assertTrue(upload != null, "the file went to a temporary file");
        long deadline = System.nanoTime() + 3_000_000_000L; // deleted as the exchange ends, just after the answer
        while (Files.exists(upload) && System.nanoTime() < deadline) Thread.sleep(10);
        assertTrue(Files.notExists(upload), "and it was deleted after the exchange: " + upload);
    }

    @Test
    void tooManyFieldsIs413AndTheConnectionStaysUsable() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 101; i++) sb.append("f").append(i).append("=v&");
        try (RawClient c = new RawClient(server.port())) {
            RawResponse r = c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                    + sb.length() + "\r\n\r\n" + sb).read();
            assertEquals(413, r.status());
            RawResponse again = c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 3\r\n\r\na=b").read();
            assertEquals("a=b\n", again.text());
        }
    }
}
