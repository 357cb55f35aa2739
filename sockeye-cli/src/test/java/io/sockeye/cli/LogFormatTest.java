package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.cli.browser.Json;
import io.sockeye.testsupport.RawClient;

/** {@code --log-format json}: one JSON object per request on standard output, whatever the client sends. */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class LogFormatTest {

    @TempDir
    Path site;

    private final CliRun cli = new CliRun();

    @AfterEach
    void stop() {
        cli.close();
    }

    private List<String> lines() {
        cli.launch.stop(); // flushes the log
        return cli.out().lines().toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String line) {
        for (char c : line.toCharArray()) {
            assertTrue(c >= 0x20 && c < 0x7f, "plain ASCII, no control characters: " + line);
        }
        return (Map<String, Object>) Json.parse(line);
    }

    @Test
    void eachRequestIsOneJsonObjectWithEveryField() throws Exception {
        Files.writeString(site.resolve("a b.txt"), "12345");
        cli.run(Map.of(), "-b", "127.0.0.1", "-d", site.toString(), "--log-format", "json", "0");
        assertTrue(cli.started(), cli.err());
        byte[] request = ("GET /a%20b.txt?q=\"x\" HTTP/1.1\r\nHost: h\r\nReferer: http://r/\\\"\r\n"
                + "User-Agent: Zo\u00eb \"quoted\" \\ back\ttab \u00ff\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        try (RawClient c = new RawClient(cli.port(), 5_000)) {
            c.send(request);
            assertEquals(200, c.read().status());
        }
        Instant before = Instant.now();
        List<String> lines = lines();
        assertEquals(1, lines.size(), lines.toString());
        Map<String, Object> e = parse(lines.get(0));
        assertEquals("127.0.0.1", e.get("remote"));
        assertEquals("GET", e.get("method"));
        assertEquals("/a%20b.txt?q=\"x\"", e.get("target"));
        assertEquals("HTTP/1.1", e.get("protocol"));
        assertEquals(200L, e.get("status"));
        assertEquals(5L, e.get("bytes"));
        assertEquals("http://r/\\\"", e.get("referer"));
        // the field's bytes, each as the ISO-8859-1 character: what was sent, escaped and read back whole
        assertEquals("Zo\u00eb \"quoted\" \\ back\ttab \u00ff", e.get("user_agent"));
        assertTrue(e.get("duration_ms") instanceof Number, e.toString());
        assertTrue(((Number) e.get("duration_ms")).doubleValue() >= 0, e.toString());
        Instant time = Instant.parse((String) e.get("time"));
        assertTrue(!time.isAfter(before.plusSeconds(1)) && time.isAfter(before.minusSeconds(30)), time.toString());
        assertTrue(lines.get(0).contains("\\u00eb") && lines.get(0).contains("\\t"), lines.get(0));
    }

    @Test
    void aRefusedRequestHasItsFirstLineAndNoMethod() throws Exception {
        cli.run(Map.of(), "-b", "127.0.0.1", "-d", site.toString(), "--log-format=JSON", "0");
        assertTrue(cli.started(), cli.err());
        try (RawClient c = new RawClient(cli.port(), 5_000)) {
            c.send("GET /\u0001\u001b[31m HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(400, c.read().status());
        }
        List<String> lines = lines();
        assertEquals(1, lines.size(), lines.toString());
        Map<String, Object> e = parse(lines.get(0));
        assertEquals(400L, e.get("status"));
        assertEquals(null, e.get("method"));
        assertTrue(e.containsKey("method") && e.containsKey("user_agent"), e.toString());
        assertEquals("GET /\u0001\u001b[31m HTTP/1.1", e.get("request"));
    }

    @Test
    void combinedIsTheDefault() throws Exception {
        cli.run(Map.of(), "-b", "127.0.0.1", "-d", site.toString(), "0");
        cli.get("/");
        String line = lines().get(0);
        assertTrue(line.matches("127\\.0\\.0\\.1 - - \\[[^]]+] \"GET / HTTP/1\\.1\" 200 \\d+ \"-\" \"Java-http-client/.*\""), line);
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        cli.run(Map.of(), "--log-format", "xml");
        assertEquals(2, cli.exitCode());
        assertTrue(cli.err().contains("combined or json"), cli.err());
    }
}
