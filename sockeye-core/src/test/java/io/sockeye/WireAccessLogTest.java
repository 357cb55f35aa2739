package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.LogCapture;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/** The access log: one Combined Log Format line per exchange on {@code io.sockeye.access}. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WireAccessLogTest {

    /** host ident user [time] "request-line" status bytes "referer" "user-agent" */
    static final Pattern COMBINED = Pattern.compile(
            "(\\S+) - - \\[(\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4})\\] \"((?:[^\"\\\\]|\\\\.)*)\" (\\d{3}) (\\d+|-) "
                    + "\"((?:[^\"\\\\]|\\\\.)*)\" \"((?:[^\"\\\\]|\\\\.)*)\"");
    static final DateTimeFormatter CLF_TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US);

    LogCapture access;
    HttpServer server;

    @BeforeEach
    void start() throws Exception {
        // the capture must exist before the server's connections look at whether INFO is loggable
        access = LogCapture.of("io.sockeye.access");
        server = ServerFixture.start(ServerFixture.loopback().withAccessLog(true).withMaxRequestLineBytes(64), (req, res) -> {
            switch (req.rawPath()) {
                case "/boom" -> throw new IllegalStateException("boom");
                case "/teapot" -> res.status(418).send("short and stout");
                default -> res.send("hello");
            }
        });
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (access != null) access.close();
    }

    private List<String> awaitLines(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (access.records().size() < expected && System.nanoTime() < deadline) Thread.sleep(10);
        Thread.sleep(50); // catch any extra line
        return access.records().stream().map(LogRecord::getMessage).toList();
    }

    private static Matcher parse(String line) {
        Matcher m = COMBINED.matcher(line);
        assertTrue(m.matches(), "not Combined Log Format: " + line);
        return m;
    }

    @Test
    void oneCombinedLineWithEscapedUserAgent() throws Exception {
        Instant before = Instant.now().minusSeconds(2);
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            RawResponse r = c.send("GET /path?q=1 HTTP/1.1\r\nHost: a\r\nReferer: http://example.com/from\r\n"
                    + "User-Agent: Mozilla/5.0 \"quoted\" \\slash\r\n\r\n").read();
            assertEquals("hello", r.text());
        }
        List<String> lines = awaitLines(1);
        assertEquals(1, lines.size(), lines.toString());
        String line = lines.get(0);
        Matcher m = parse(line);
        assertEquals("127.0.0.1", m.group(1));
        Instant at = ZonedDateTime.parse(m.group(2), CLF_TIME).toInstant();
        assertTrue(!at.isBefore(before) && !at.isAfter(Instant.now().plusSeconds(2)), "time is not now: " + m.group(2));
        assertEquals("GET /path?q=1 HTTP/1.1", m.group(3));
        assertEquals("200", m.group(4));
        assertEquals("5", m.group(5));
        assertEquals("http://example.com/from", m.group(6));
        assertEquals("Mozilla/5.0 \\\"quoted\\\" \\\\slash", m.group(7));
        assertTrue(line.endsWith("\"Mozilla/5.0 \\\"quoted\\\" \\\\slash\""), line);
        assertTrue(access.records().get(0).getLevel().equals(Level.INFO), "logged at " + access.records().get(0).getLevel());
    }

    @Test
    void theJsonFormatIsOneObjectWithTheFieldsEscaped() throws Exception {
        server.close();
        server = ServerFixture.start(ServerFixture.loopback().withAccessLog(true).withAccessLogFormat(AccessLogFormat.JSON),
                (req, res) -> res.send("hello"));
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("GET /p?q=\"1\" HTTP/1.0\r\nUser-Agent: a\u00e9\"\\\tz\r\n\r\n").read();
        }
        String line = awaitLines(1).get(0);
        assertTrue(line.matches("\\{\"time\":\"[-0-9T:.]+Z\",\"remote\":\"127\\.0\\.0\\.1\",\"method\":\"GET\","
                + "\"target\":\"/p\\?q=\\\\\"1\\\\\"\",\"protocol\":\"HTTP/1\\.0\",\"status\":200,\"bytes\":5,"
                + "\"referer\":null,\"user_agent\":\"a\\\\u00e9\\\\\"\\\\\\\\\\\\tz\",\"duration_ms\":\\d+\\.\\d{3}}"), line);
    }

    @Test
    void missingRefererAndUserAgentAreDashes() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").read();
        }
        Matcher m = parse(awaitLines(1).get(0));
        assertEquals("-", m.group(6));
        assertEquals("-", m.group(7));
    }

    @Test
    void oneLinePerRequestInOrderOnAKeptConnection() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /teapot HTTP/1.1\r\nHost: a\r\n\r\nHEAD /3 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /boom HTTP/1.1\r\nHost: a\r\n\r\n");
            c.read();
            c.read();
            c.read(true);
            RawResponse boom = c.read();
            assertEquals(500, boom.status());
        }
        List<String> lines = awaitLines(4);
        assertEquals(4, lines.size(), lines.toString());
        Matcher first = parse(lines.get(0));
        assertEquals("GET /1 HTTP/1.1", first.group(3));
        assertEquals("200", first.group(4));
        Matcher teapot = parse(lines.get(1));
        assertEquals("GET /teapot HTTP/1.1", teapot.group(3));
        assertEquals("418", teapot.group(4));
        assertEquals(Integer.toString("short and stout".length()), teapot.group(5));
        Matcher head = parse(lines.get(2));
        assertEquals("HEAD /3 HTTP/1.1", head.group(3));
        assertTrue(head.group(5).equals("-") || head.group(5).equals("0"), "no body was sent for HEAD: " + head.group(5));
        Matcher failed = parse(lines.get(3));
        assertEquals("GET /boom HTTP/1.1", failed.group(3));
        assertEquals("500", failed.group(4));
    }

    @Test
    void refusedRequestsAreLoggedToo() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            assertEquals(400, c.send("GET /nohost HTTP/1.1\r\nUser-Agent: x\r\n\r\n").read().status());
        }
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            assertEquals(414, c.send("GET /" + "a".repeat(100) + " HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            assertEquals(505, c.send("GET / HTTP/2.0\r\nHost: a\r\n\r\n").read().status());
        }
        List<String> lines = awaitLines(3);
        assertEquals(3, lines.size(), lines.toString());
        // each line is written once its answer is sent, so a client quick to connect again may be logged first:
        // match the lines by status, not by order
        Map<String, Matcher> byStatus = new HashMap<>();
        for (String line : lines) {
            Matcher m = parse(line);
            byStatus.put(m.group(4), m);
        }
        assertEquals(Set.of("400", "414", "505"), byStatus.keySet(), lines.toString());
        Matcher noHost = byStatus.get("400");
        assertEquals("127.0.0.1", noHost.group(1));
        assertEquals("GET /nohost HTTP/1.1", noHost.group(3));
        assertEquals("GET / HTTP/2.0", byStatus.get("505").group(3));
    }

    @Test
    void refusedRequestLineCannotForgeLogLines() throws Exception {
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            c.send("GET /\" 200 - \"-\" \"x\u0007 HTTP/1.1\r\n\r\n").read();
        }
        String line = awaitLines(1).get(0);
        Matcher m = parse(line);
        assertEquals("400", m.group(4), line);
        assertTrue(m.group(3).contains("\\\"") && m.group(3).contains("\\x07"), "quote and control escaped: " + line);
    }

    @Test
    void refusedRequestLogsTheBytesOfTheErrorPageItWasSent() throws Exception {
        // Combined Log Format's %b is the size of the response body sent; a refused request is sent an error page
        RawResponse r;
        try (RawClient c = new RawClient(server.port(), 3_000)) {
            r = c.send("GET /nohost HTTP/1.1\r\n\r\n").read();
        }
        assertEquals(400, r.status());
        Matcher m = parse(awaitLines(1).get(0));
        assertEquals(r.header("Content-Length"), m.group(5),
                "bytes field for a refused request that was sent a " + r.body().length + "-byte page");
    }

    @Test
    void normalClientRequestsAreLogged() throws Exception {
        var client = ServerFixture.httpClient();
        for (int i = 0; i < 3; i++) assertEquals(200, ServerFixture.get(client, server, "/n" + i).statusCode());
        List<String> lines = awaitLines(3);
        assertEquals(3, lines.size(), lines.toString());
        // the client may spread the requests over connections, whose lines need not come in order
        assertEquals(Set.of("GET /n0 HTTP/1.1", "GET /n1 HTTP/1.1", "GET /n2 HTTP/1.1"),
                Set.of(parse(lines.get(0)).group(3), parse(lines.get(1)).group(3), parse(lines.get(2)).group(3)));
        assertTrue(parse(lines.get(0)).group(7).startsWith("Java-http-client/"), lines.get(0));
    }

    @Test
    void noAccessLogUnlessConfigured() throws Exception {
        try (HttpServer quiet = ServerFixture.start(ServerFixture.loopback(), (req, res) -> res.send("x"));
             RawClient c = new RawClient(quiet.port(), 3_000)) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            c.send("GET /nohost HTTP/1.1\r\n\r\n").read();
            Thread.sleep(100);
        }
        assertEquals(List.of(), access.records().stream().map(LogRecord::getMessage).toList());
    }
}
