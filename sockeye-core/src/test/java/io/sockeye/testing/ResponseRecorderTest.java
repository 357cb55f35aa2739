package io.sockeye.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.FormFile;
import io.sockeye.FormLimits;
import io.sockeye.Handler;
import io.sockeye.HttpException;
import io.sockeye.Router;
import io.sockeye.ServerConfig;
import io.sockeye.Status;

/**
 * The recorder: that it captures what the handler sent as a client would receive it, and that it holds a
 * handler to the same rules a server's response does (these are the rules in {@link io.sockeye.Response}'s
 * Javadoc; {@code RecorderParityTest} compares with a real server).
 */
class ResponseRecorderTest {

    static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) ('a' + i % 26);
        return b;
    }

    @Test
    void recordsTheStatusFieldsAndBody() throws Exception {
        RecordedResponse r = ResponseRecorder.record((req, res) -> res.status(Status.CREATED)
                .header("Location", "/items/42").send("application/json", "{\"id\":42}"), TestRequest.get("/items"));
        assertEquals(201, r.status());
        assertEquals("/items/42", r.header("Location"));
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals("9", r.header("Content-Length"));
        assertEquals("{\"id\":42}", r.bodyText());
        assertTrue(r.complete());
    }

    @Test
    void theFieldsAreWhatTheServerSendsItsOwnIncluded() throws Exception {
        RecordedResponse r = ResponseRecorder.record((req, res) -> res.header("X-Mine", "1").send("hi"), TestRequest.get("/"));
        assertEquals(List.of("X-Mine", "Content-Type", "Date", "Server", "Content-Length"), List.copyOf(r.headers().names()));
        assertEquals(ServerConfig.DEFAULT_SERVER_HEADER, r.header("Server"));
        assertTrue(r.headers().isReadOnly());
        RecordedResponse noServer = ResponseRecorder.record((req, res) -> res.send("hi"),
                TestRequest.builder().config(ServerConfig.defaults().withServerHeader(null)).build());
        assertNull(noServer.header("Server"));
    }

    @Test
    void textIsUtf8PlainTextUnlessTheHandlerSaysOtherwise() throws Exception {
        RecordedResponse r = ResponseRecorder.record((req, res) -> res.send("héllo ✓"), TestRequest.get("/"));
        assertEquals("text/plain; charset=utf-8", r.header("Content-Type"));
        assertEquals("héllo ✓", r.bodyText());
        assertArrayEquals("héllo ✓".getBytes(StandardCharsets.UTF_8), r.body());
        assertEquals("text/html; charset=utf-8",
                ResponseRecorder.record((req, res) -> res.send("text/html", "<p>"), TestRequest.get("/")).header("Content-Type"));
    }

    @Test
    void aHandlerThatSendsNothingGetsAnEmpty200() throws Exception {
        RecordedResponse r = ResponseRecorder.record((req, res) -> { }, TestRequest.get("/"));
        assertEquals(200, r.status());
        assertEquals("0", r.header("Content-Length"));
        assertEquals(0, r.body().length);
    }

    @Test
    void aStreamedBodyThatStaysBufferedGetsAContentLength() throws Exception {
        RecordedResponse r = ResponseRecorder.record((req, res) -> res.body().write(bytes(100)), TestRequest.get("/"));
        assertEquals("100", r.header("Content-Length"));
        assertNull(r.header("Transfer-Encoding"));
        assertArrayEquals(bytes(100), r.body());
    }

    @Test
    void aLongStreamedBodyIsChunkedAndCommitsWhenItOutgrowsTheBuffer() throws Exception {
        List<String> seen = new ArrayList<>();
        RecordedResponse r = ResponseRecorder.record((req, res) -> {
            OutputStream out = res.body();
            out.write(bytes(8192));
            seen.add("8192 bytes: committed " + res.isCommitted());
            out.write('!');
            seen.add("8193 bytes: committed " + res.isCommitted());
            out.write(bytes(20_000));
        }, TestRequest.get("/"));
        assertEquals(List.of("8192 bytes: committed false", "8193 bytes: committed true"), seen);
        assertEquals("chunked", r.header("Transfer-Encoding"));
        assertNull(r.header("Content-Length"));
        assertEquals(8192 + 1 + 20_000, r.body().length);
        assertTrue(r.complete());
    }

    @Test
    void anHttp10StreamedBodyEndsWithTheConnection() throws Exception {
        RecordedResponse r = ResponseRecorder.record((req, res) -> res.body().write(bytes(20_000)),
                TestRequest.builder().version("HTTP/1.0").build());
        assertNull(r.header("Transfer-Encoding"));
        assertNull(r.header("Content-Length"));
        assertEquals("close", r.header("Connection"));
        assertArrayEquals(bytes(20_000), r.body());
    }

    @Test
    void afterCommitTheStatusAndFieldsAreFixed() throws Exception {
        List<String> seen = new ArrayList<>();
        RecordedResponse r = ResponseRecorder.record((req, res) -> {
            res.header("X-Before", "1");
            res.body().write('a');
            res.body().flush();
            seen.add("committed " + res.isCommitted());
            seen.add(thrown(() -> res.status(500)));
            seen.add(thrown(() -> res.header("X-After", "1")));
            seen.add(thrown(() -> res.send("again")));
            res.headers().set("X-Late", "1"); // no error, but too late to be sent
        }, TestRequest.get("/"));
        assertEquals(List.of("committed true", "IllegalStateException", "IllegalStateException", "IllegalStateException"), seen);
        assertEquals(200, r.status());
        assertEquals("1", r.header("X-Before"));
        assertNull(r.header("X-After"));
        assertNull(r.header("X-Late"));
        assertEquals("a", r.bodyText());
    }

    @Test
    void theRulesOfTheBodyStream() throws Exception {
        List<String> seen = new ArrayList<>();
        ResponseRecorder.record((req, res) -> {
            res.body().write('a');
            seen.add(thrown(() -> res.send("other")));       // the stream is in use
            res.body().close();
            seen.add(thrown(() -> res.body().write('b')));   // after close
            res.body().flush();                              // harmless after close
        }, TestRequest.get("/"));
        assertEquals(List.of("IllegalStateException", "IOException"), seen);
        seen.clear();
        ResponseRecorder.record((req, res) -> {
            seen.add(thrown(() -> res.status(100)));
            seen.add(thrown(() -> res.header("Bad Name", "x")));
            seen.add(thrown(() -> res.header("X", "a\r\nInjected: yes")));
            seen.add(thrown(() -> res.redirect(200, "/x")));
        }, TestRequest.get("/"));
        assertEquals(List.of("IllegalArgumentException", "IllegalArgumentException", "IllegalArgumentException",
                "IllegalArgumentException"), seen);
    }

    @Test
    void headSendsNoBodyButItsLength() throws Exception {
        TestRequest head = TestRequest.builder("HEAD", "/").build();
        RecordedResponse r = ResponseRecorder.record((req, res) -> res.send("hello"), head);
        assertEquals("5", r.header("Content-Length"));
        assertEquals(0, r.body().length);
        assertTrue(r.complete(), "no body is due after a HEAD's head, whatever its Content-Length");
        RecordedResponse streamed = ResponseRecorder.record((req, res) -> res.body().write(bytes(30_000)),
                TestRequest.builder("HEAD", "/").build());
        assertEquals("30000", streamed.header("Content-Length"), "counted, not kept: the head still says how long");
        assertEquals(0, streamed.body().length);
    }

    @Test
    void statusesWithoutContentSendNoBody() throws Exception {
        RecordedResponse noContent = ResponseRecorder.record((req, res) -> {
            res.status(Status.NO_CONTENT);
            res.body().write(bytes(10));
        }, TestRequest.get("/"));
        assertEquals(204, noContent.status());
        assertNull(noContent.header("Content-Length"));
        assertEquals(0, noContent.body().length);
        RecordedResponse notModified = ResponseRecorder.record((req, res) -> res.status(Status.NOT_MODIFIED)
                .header("Content-Length", "1234").send(new byte[0]), TestRequest.get("/"));
        assertEquals("1234", notModified.header("Content-Length"), "a 304 may say the representation's length");
        assertEquals(0, notModified.body().length);
    }

    @Test
    void aBodyShorterThanItsContentLengthIsCutShort() throws Exception {
        RecordedResponse r = ResponseRecorder.record((req, res) -> {
            res.header("Content-Length", "10");
            res.body().write(bytes(3));
        }, TestRequest.get("/"));
        assertEquals("10", r.header("Content-Length"));
        assertArrayEquals(bytes(3), r.body());
        assertFalse(r.complete());
        assertTrue(r.toString().contains("cut short"), r.toString());
    }

    @Test
    void aBodyLongerThanItsContentLengthThrowsAsOnAServer() {
        IOException e = assertThrows(IOException.class, () -> ResponseRecorder.record((req, res) -> {
            res.header("Content-Length", "2");
            res.body().write(bytes(5));
        }, TestRequest.get("/")));
        assertTrue(e.getMessage().contains("longer than its Content-Length"), e.getMessage());
    }

    @Test
    void anHttpExceptionBecomesItsStatusAndErrorPage() throws Exception {
        RecordedResponse r = ResponseRecorder.record((req, res) -> {
            res.header("ETag", "\"v1\"");
            throw new HttpException(Status.NOT_FOUND, "no item <7>");
        }, TestRequest.get("/items/7"));
        assertEquals(404, r.status());
        assertEquals("text/html; charset=utf-8", r.header("Content-Type"));
        assertTrue(r.bodyText().contains("<h1>404 Not Found</h1>"), r.bodyText());
        assertTrue(r.bodyText().contains("no item &lt;7&gt;"), "the message, escaped: " + r.bodyText());
        assertNull(r.header("ETag"), "fields about a body the error page replaces are dropped");
    }

    @Test
    void aRequestBodyErrorTheHandlerWrappedIsStillItsStatus() throws Exception {
        ServerConfig small = ServerConfig.defaults().withMaxBodyBytes(10);
        TestRequest big = TestRequest.builder("POST", "/").body(new java.io.ByteArrayInputStream(bytes(100))).config(small).build();
        RecordedResponse r = ResponseRecorder.record((req, res) -> {
            try {
                req.body().readAllBytes();
            } catch (HttpException e) {
                throw new IllegalStateException("wrapped", e);
            }
        }, big);
        assertEquals(413, r.status());
    }

    @Test
    void anHttpExceptionAfterTheResponseBeganLeavesItCutShort() throws Exception {
        RecordedResponse r = ResponseRecorder.record((req, res) -> {
            res.body().write(bytes(10));
            res.body().flush();
            throw new HttpException(Status.BAD_REQUEST, "too late");
        }, TestRequest.get("/"));
        assertEquals(200, r.status());
        assertArrayEquals(bytes(10), r.body());
        assertFalse(r.complete(), "no last chunk");
    }

    @Test
    void anythingElseAHandlerThrowsIsThrownToTheTest() {
        IllegalStateException bug = new IllegalStateException("a bug");
        assertSame(bug, assertThrows(IllegalStateException.class,
                () -> ResponseRecorder.record((req, res) -> { throw bug; }, TestRequest.get("/"))));
        IOException io = new IOException("database gone");
        assertSame(io, assertThrows(IOException.class,
                () -> ResponseRecorder.record((req, res) -> { throw io; }, TestRequest.get("/"))));
        AssertionError failed = new AssertionError("assert in a handler");
        assertSame(failed, assertThrows(AssertionError.class,
                () -> ResponseRecorder.record((req, res) -> { throw failed; }, TestRequest.get("/"))));
        IOException afterCommit = new IOException("gone mid-way");
        assertSame(afterCommit, assertThrows(IOException.class, () -> ResponseRecorder.record((req, res) -> {
            res.send("sent");
            throw afterCommit;
        }, TestRequest.get("/"))));
    }

    @Test
    void aFormOfTheWrongTypeIsThe415AServerSends() throws Exception {
        RecordedResponse r = ResponseRecorder.record((req, res) -> res.send(req.form().first("a").orElse("")),
                TestRequest.builder("POST", "/").header("Content-Type", "text/plain").body("a=1").build());
        assertEquals(415, r.status());
        RecordedResponse ok = ResponseRecorder.record((req, res) -> res.send(req.form().first("a").orElse("")),
                TestRequest.builder("POST", "/").form("a", "1").build());
        assertEquals("1", ok.bodyText());
    }

    @Test
    void aClientThatExpects100ContinueGetsTheFinalResponseRecorded() throws Exception {
        TestRequest r = TestRequest.builder("PUT", "/f").header("Expect", "100-continue").body("payload").build();
        RecordedResponse echoed = ResponseRecorder.record((req, res) -> res.send(req.body().readAllBytes()), r);
        assertEquals(200, echoed.status());
        assertEquals("payload", echoed.bodyText());
    }

    @Test
    void sendErrorReplacesWhatWasBuffered() throws Exception {
        RecordedResponse r = ResponseRecorder.record((req, res) -> {
            res.header("ETag", "\"v1\"").header("X-Kept", "1");
            res.body().write(bytes(10));
            res.sendError(Status.FORBIDDEN, "nope");
        }, TestRequest.get("/"));
        assertEquals(403, r.status());
        assertNull(r.header("ETag"));
        assertEquals("1", r.header("X-Kept"));
        assertTrue(r.bodyText().contains("<p>nope</p>"), r.bodyText());
    }

    @Test
    void redirectsFilesAndBuffers(@TempDir Path dir) throws Exception {
        RecordedResponse redirect = ResponseRecorder.record((req, res) -> res.redirect(Status.SEE_OTHER, "/done?a=1&b=2"),
                TestRequest.get("/"));
        assertEquals(303, redirect.status());
        assertEquals("/done?a=1&b=2", redirect.header("Location"));
        assertTrue(redirect.bodyText().contains("href=\"/done?a=1&amp;b=2\""), redirect.bodyText());

        Path file = Files.write(dir.resolve("f.bin"), bytes(100));
        RecordedResponse region = ResponseRecorder.record((req, res) -> {
            try (FileChannel ch = FileChannel.open(file)) {
                res.sendFile(ch, 10, 20);
            }
        }, TestRequest.get("/"));
        assertArrayEquals(java.util.Arrays.copyOfRange(bytes(100), 10, 30), region.body());

        ByteBuffer direct = ByteBuffer.allocateDirect(5).put("bytes".getBytes(StandardCharsets.US_ASCII)).flip();
        assertEquals("bytes", ResponseRecorder.record((req, res) -> res.send(direct), TestRequest.get("/")).bodyText());
        assertEquals(0, direct.position(), "the buffer is left as it was");
    }

    @Test
    void aRequestIsRecordedOnce() throws Exception {
        TestRequest r = TestRequest.get("/");
        ResponseRecorder.record((req, res) -> res.send("one"), r);
        assertThrows(IllegalStateException.class, () -> new ResponseRecorder(r));
    }

    @Test
    void uploadedFilesAreDeletedWhenTheExchangeEnds() throws Exception {
        String body = "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"big.bin\"\r\n\r\n"
                + "x".repeat(5000) + "\r\n--B--\r\n";
        ServerConfig spillEarly = ServerConfig.defaults().withFormLimits(new FormLimits(10, 1000, 100_000, 1024, 100));
        AtomicReference<FormFile> kept = new AtomicReference<>();
        RecordedResponse r = ResponseRecorder.record((req, res) -> {
            FormFile f = req.form().file("f").orElseThrow();
            kept.set(f);
            res.send(Long.toString(f.size()));
        }, TestRequest.builder("POST", "/").header("Content-Type", "multipart/form-data; boundary=B").body(body)
                .config(spillEarly).build());
        assertEquals("5000", r.bodyText());
        assertThrows(IOException.class, () -> kept.get().open(), "the temporary file is gone");
    }

    @Test
    void theRecorderCanBeDrivenByHand() throws Exception {
        TestRequest request = TestRequest.get("/events");
        ResponseRecorder response = new ResponseRecorder(request);
        Handler streaming = (req, res) -> {
            res.header("Content-Type", "text/event-stream");
            res.body().write("data: 1\n\n".getBytes(StandardCharsets.UTF_8));
            res.body().flush();
        };
        streaming.handle(request, response);
        assertTrue(response.isCommitted(), "it streamed");
        RecordedResponse r = response.finish();
        assertSame(r, response.finish());
        assertEquals("data: 1\n\n", r.bodyText());
        assertEquals("chunked", r.header("Transfer-Encoding"));
    }

    @Test
    void routersAreHandlersToo() throws Exception {
        Router router = Router.create()
                .get("/users/{id}", (req, res) -> res.send("user " + req.pathParameter("id")))
                .mount("/static/", (req, res) -> res.send(req.mountPath() + " " + req.pathWithinMount()));
        assertEquals("user 7", ResponseRecorder.record(router, TestRequest.get("/users/7")).bodyText());
        assertEquals("/static /a/b.css", ResponseRecorder.record(router, TestRequest.get("/static/a/b.css")).bodyText());
        RecordedResponse notAllowed = ResponseRecorder.record(router, TestRequest.builder("POST", "/users/7").build());
        assertEquals(405, notAllowed.status());
        assertNotNull(notAllowed.header("Allow"));
        assertEquals(404, ResponseRecorder.record(router, TestRequest.get("/nothing")).status());
    }

    @Test
    void aLargeBodyLeftUnreadClosesTheConnection() throws Exception {
        TestRequest upload = TestRequest.builder("POST", "/").body(bytes(300_000)).build();
        RecordedResponse r = ResponseRecorder.record((req, res) -> res.send("ignored it"), upload);
        assertEquals("close", r.header("Connection"), "more than the server drains is left: it says it will close");
    }

    private interface Action {
        void run() throws Exception;
    }

    /** @return the simple name of what the action threw, or "nothing" */
    private static String thrown(Action action) {
        try {
            action.run();
            return "nothing";
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }
}
