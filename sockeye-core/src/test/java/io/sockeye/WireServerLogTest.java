package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import io.sockeye.testsupport.LogCapture;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.ServerFixture;

/**
 * The server's own log lines (not the access log) quote what clients sent: a request-line, a handler's
 * message about the request. Terminal escapes and forged line breaks in it are shown, never acted on.
 */
class WireServerLogTest {

    @Test
    void aRefusedRequestLineIsLoggedEscaped() throws Exception {
        try (LogCapture log = LogCapture.of("io.sockeye");
             HttpServer server = ServerFixture.start(ServerFixture.loopback(), (req, res) -> {
                 throw new HttpException(Status.BAD_REQUEST, "no such thing: " + req.header("X-Thing"));
             })) {
            // a C1 CSI (0x9b) in the request-line: a malformed percent-escape gets it a 400 and a log line
            try (RawClient c = new RawClient(server.port(), 3_000)) {
                byte[] request = "GET /a%zz\u009b31mRED HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
                assertEquals(400, c.send(request).read().status());
            }
            // a handler's message quoting a header with a C1 escape sequence (obs-text, which a field value
            // may hold; C0 controls such as ESC are refused there by the parser)
            try (RawClient c = new RawClient(server.port(), 3_000)) {
                byte[] request = "GET /x HTTP/1.1\r\nHost: a\r\nX-Thing: \u009b2J\u009b31mpwned\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1);
                assertEquals(400, c.send(request).read().status());
            }
            LogRecord first = log.await("/a%zz");
            LogRecord second = log.await("pwned");
            for (LogRecord r : List.of(first, second)) {
                String m = r.getMessage();
                assertFalse(m.chars().anyMatch(ch -> ch < 0x20 || (ch >= 0x7f && ch <= 0x9f)), "a control character was logged raw: " + m);
            }
            assertTrue(first.getMessage().contains("/a%zz\\x9b31mRED"), first.getMessage());
            assertTrue(second.getMessage().contains("\\x9b2J\\x9b31mpwned"), second.getMessage());
        }
    }
}
