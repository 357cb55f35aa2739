package io.sockeye.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import io.sockeye.Handler;
import io.sockeye.HttpServer;
import io.sockeye.Request;
import io.sockeye.testing.TestRequest;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/** Shared helpers for the static-file tests: a loopback server, requests, content, and small parsers. */
final class FilesTestSupport {

    static final HttpClient CLIENT = ServerFixture.httpClient();

    private FilesTestSupport() {
    }

    /** The two ways files are opened; every hostile test runs both. */
    enum Access {
        /** Linux's calls through FFM (Java 22+, native access enabled): skipped where not available. */
        NATIVE,
        /** The JDK's SecureDirectoryStream, on platform threads. */
        JDK;

        FileHandler.Builder builder(Path root) {
            if (this == NATIVE) {
                org.junit.jupiter.api.Assumptions.assumeTrue(NativeFiles.isNative(), "native file access is not available here");
                return FileHandler.builder(root).fileAccess(NativeFiles.best());
            }
            return FileHandler.builder(root).fileAccess(new JdkFileSystemAccess());
        }
    }

    /** Polls until the condition holds or the deadline passes. @return whether it held */
    static boolean await(Duration limit, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(20);
        }
        return true;
    }

    static HttpServer start(Handler handler) throws IOException {
        return ServerFixture.start(ServerFixture.loopback(), handler);
    }

    /** A GET with header fields given as name, value, name, value... */
    static HttpResponse<byte[]> get(HttpServer server, String path, String... headers) throws Exception {
        return send(server, "GET", path, headers);
    }

    static HttpResponse<byte[]> send(HttpServer server, String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(5))
                .method(method, method.equals("POST") || method.equals("PUT")
                        ? HttpRequest.BodyPublishers.ofString("x") : HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    /** One raw GET (or other request line) on its own connection, with {@code Connection: close}. */
    static RawResponse raw(HttpServer server, String method, String target, String... headerLines) throws IOException {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            StringBuilder sb = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
            for (String h : headerLines) sb.append(h).append("\r\n");
            c.send(sb.append("Connection: close\r\n\r\n").toString());
            return c.read(method.equals("HEAD"));
        }
    }

    /** Deterministic binary content, so a misplaced byte shows. */
    static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + i / 251);
        return b;
    }

    /** Deterministic text that compresses well but not trivially. */
    static byte[] textBytes(int n) {
        StringBuilder sb = new StringBuilder(n + 64);
        int line = 0;
        while (sb.length() < n) sb.append("line ").append(line++).append(": the quick brown fox jumps over the lazy dog\n");
        sb.setLength(n);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static Path write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, content);
    }

    static Path write(Path file, String content) throws IOException {
        return write(file, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Sets a whole-second modification time, so HTTP dates compare exactly. */
    static void touch(Path file, Instant when) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(when));
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    static void assertNoBody(RawResponse r) {
        assertEquals(0, r.body().length, "no body expected for " + r.statusLine());
    }

    /** A request for {@code /f} with a method and header fields, for the pure functions that take one. */
    static Request request(String method, String... headers) {
        TestRequest.Builder b = TestRequest.builder(method, "/f");
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return b.build();
    }

    // ---- multipart/byteranges ------------------------------------------------------------------------

    record Part(Map<String, String> headers, byte[] body) {
    }

    /** Parses a multipart body (RFC 2046 §5.1.1) strictly: every delimiter, every part's head, the close. */
    static List<Part> multipart(String contentType, byte[] body) {
        int b = contentType.indexOf("boundary=");
        assertTrue(contentType.startsWith("multipart/byteranges") && b > 0, "a multipart/byteranges type: " + contentType);
        String boundary = contentType.substring(b + 9).strip();
        if (boundary.startsWith("\"")) boundary = boundary.substring(1, boundary.length() - 1);
        String s = new String(body, StandardCharsets.ISO_8859_1);
        String delimiter = "--" + boundary;
        int i = s.indexOf(delimiter);
        if (i < 0) fail("no boundary in the body");
        assertTrue(i == 0 || s.substring(0, i).endsWith("\r\n"), "the first delimiter starts a line");
        List<Part> parts = new ArrayList<>();
        while (true) {
            i += delimiter.length();
            if (s.startsWith("--", i)) break;
            assertTrue(s.startsWith("\r\n", i), "CRLF after a delimiter");
            int headEnd = s.indexOf("\r\n\r\n", i);
            assertTrue(headEnd >= 0, "a part head ends with an empty line");
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : s.substring(i + 2, headEnd).split("\r\n")) {
                if (line.isEmpty()) continue;
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).strip().toLowerCase(), line.substring(colon + 1).strip());
            }
            int next = s.indexOf("\r\n" + delimiter, headEnd + 4);
            if (next < 0) fail("a part is not followed by a delimiter");
            byte[] part = new byte[next - (headEnd + 4)];
            System.arraycopy(body, headEnd + 4, part, 0, part.length);
            parts.add(new Part(headers, part));
            i = next + 2;
        }
        return parts;
    }

    // ---- a strict little JSON reader -------------------------------------------------------------------

    /** Parses JSON text (RFC 8259) into maps, lists, strings, doubles, booleans and null; fails if invalid. */
    static Object json(String text) {
        Json p = new Json(text);
        p.ws();
        Object v = p.value();
        p.ws();
        if (p.i != text.length()) throw new IllegalArgumentException("trailing text at " + p.i);
        return v;
    }

    private static final class Json {
        final String s;
        int i;

        Json(String s) {
            this.s = s;
        }

        void ws() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++;
        }

        char peek() {
            if (i >= s.length()) throw new IllegalArgumentException("unexpected end");
            return s.charAt(i);
        }

        void expect(char c) {
            if (peek() != c) throw new IllegalArgumentException("expected " + c + " at " + i + " in " + s);
            i++;
        }

        Object value() {
            char c = peek();
            switch (c) {
                case '{' -> {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    ws();
                    if (peek() == '}') {
                        i++;
                        return m;
                    }
                    while (true) {
                        ws();
                        String k = string();
                        ws();
                        expect(':');
                        ws();
                        m.put(k, value());
                        ws();
                        if (peek() == ',') {
                            i++;
                            continue;
                        }
                        expect('}');
                        return m;
                    }
                }
                case '[' -> {
                    i++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (peek() == ']') {
                        i++;
                        return l;
                    }
                    while (true) {
                        ws();
                        l.add(value());
                        ws();
                        if (peek() == ',') {
                            i++;
                            continue;
                        }
                        expect(']');
                        return l;
                    }
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    if (s.startsWith("true", i)) {
                        i += 4;
                        return true;
                    }
                    if (s.startsWith("false", i)) {
                        i += 5;
                        return false;
                    }
                    if (s.startsWith("null", i)) {
                        i += 4;
                        return null;
                    }
                    int start = i;
                    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
                    if (start == i) throw new IllegalArgumentException("unexpected " + c + " at " + i);
                    return Double.parseDouble(s.substring(start, i));
                }
            }
        }

        String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = peek();
                i++;
                if (c == '"') return sb.toString();
                if (c < 0x20) throw new IllegalArgumentException("raw control character in a JSON string at " + (i - 1));
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = peek();
                i++;
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw new IllegalArgumentException("bad escape \\" + e);
                }
            }
        }
    }
}
