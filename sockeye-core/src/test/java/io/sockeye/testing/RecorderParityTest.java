package io.sockeye.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.sockeye.Handler;
import io.sockeye.HttpException;
import io.sockeye.HttpServer;
import io.sockeye.Status;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/**
 * The same handlers, on a real server over a socket and in a recorder: a client must receive the same
 * status, fields (but the date) and body from both, for every way of answering and every kind of request
 * whose answer differs (HEAD, HTTP/1.0).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RecorderParityTest {

    static final Map<String, Handler> ANSWERS = new LinkedHashMap<>();

    static {
        ANSWERS.put("/text", (req, res) -> res.send("héllo"));
        ANSWERS.put("/created", (req, res) -> res.status(Status.CREATED).header("Location", "/items/42")
                .send("application/json", "{\"id\":42}"));
        ANSWERS.put("/nothing", (req, res) -> { });
        ANSWERS.put("/cookies", (req, res) -> {
            res.headers().add("Set-Cookie", "a=1").add("Set-Cookie", "b=2");
            res.send(new byte[] {1, 2, 3});
        });
        ANSWERS.put("/small-stream", (req, res) -> res.body().write(ResponseRecorderTest.bytes(100)));
        ANSWERS.put("/large-stream", (req, res) -> {
            OutputStream out = res.body();
            for (int i = 0; i < 30; i++) out.write(ResponseRecorderTest.bytes(1000));
        });
        ANSWERS.put("/flushed", (req, res) -> {
            res.body().write(ResponseRecorderTest.bytes(10));
            res.body().flush();
            res.body().write(ResponseRecorderTest.bytes(20));
        });
        ANSWERS.put("/declared-length", (req, res) -> {
            res.header("Content-Length", "20000");
            for (int i = 0; i < 20; i++) res.body().write(ResponseRecorderTest.bytes(1000));
        });
        ANSWERS.put("/no-content", (req, res) -> {
            res.status(Status.NO_CONTENT);
            res.body().write(ResponseRecorderTest.bytes(10));
        });
        ANSWERS.put("/not-modified", (req, res) -> res.status(Status.NOT_MODIFIED).header("ETag", "\"v\"")
                .header("Content-Length", "99").send(new byte[0]));
        ANSWERS.put("/thrown", (req, res) -> {
            res.header("ETag", "\"v\"");
            throw new HttpException(Status.NOT_FOUND, "no <item>");
        });
        ANSWERS.put("/error", (req, res) -> {
            res.body().write(ResponseRecorderTest.bytes(10));
            res.sendError(Status.FORBIDDEN, "nope");
        });
        ANSWERS.put("/redirect", (req, res) -> res.redirect(Status.FOUND, "/there?a=1&b=2"));
        ANSWERS.put("/asks-to-close", (req, res) -> res.header("Connection", "close").send("bye"));
        ANSWERS.put("/own-date", (req, res) -> res.header("Date", "Mon, 01 Jan 2024 00:00:00 GMT").send("dated"));
    }

    static final Handler ALL = (req, res) -> ANSWERS.get(req.rawPath()).handle(req, res);

    static HttpServer server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerFixture.start(ServerFixture.loopback(), ALL);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> exchanges() {
        List<Arguments> all = new ArrayList<>();
        for (String path : ANSWERS.keySet()) {
            all.add(Arguments.of("GET", path, "HTTP/1.1"));
            all.add(Arguments.of("HEAD", path, "HTTP/1.1"));
            all.add(Arguments.of("GET", path, "HTTP/1.0"));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("exchanges")
    void aClientReceivesTheSameFromBoth(String method, String path, String version) throws Exception {
        boolean http10 = version.equals("HTTP/1.0");
        RawResponse wire;
        try (RawClient client = new RawClient(server.port(), 5_000)) {
            client.send(method + " " + path + " " + version + "\r\n" + (http10 ? "" : "Host: localhost\r\n") + "\r\n");
            wire = client.read(method.equals("HEAD"));
        }
        RecordedResponse recorded = ResponseRecorder.record(ALL, TestRequest.builder(method, path).version(version).build());

        assertEquals(wire.status(), recorded.status());
        assertEquals(fields(wire.headers()), fields(recorded), "the fields, in order");
        assertArrayEquals(wire.body(), recorded.body(), "the body");
        assertTrue(recorded.complete());
    }

    /** The fields as "name: value" lines, but the server's date, which changes each second. */
    private static List<String> fields(List<String[]> headers) {
        List<String> lines = new ArrayList<>();
        for (String[] h : headers) {
            if (!isServersDate(h[0], h[1])) lines.add(h[0] + ": " + h[1]);
        }
        return lines;
    }

    private static List<String> fields(RecordedResponse r) {
        List<String> lines = new ArrayList<>();
        r.headers().forEach((name, value) -> {
            if (!isServersDate(name, value)) lines.add(name + ": " + value);
        });
        return lines;
    }

    private static boolean isServersDate(String name, String value) {
        return name.equalsIgnoreCase("Date") && !value.startsWith("Mon, 01 Jan 2024");
    }
}
