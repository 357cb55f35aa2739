package io.sockeye.cgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.LogCapture;

/** A script's stderr in the log: bounded in memory, in line length and in lines; control characters escaped. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StderrLogTest {

    /** {@code total} bytes of 'a' without a newline, made as they are read. */
    static InputStream endlessLine(long total) {
        return new InputStream() {
            long left = total;

            @Override
            public int read() {
                return left-- > 0 ? 'a' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) return -1;
                int n = (int) Math.min(len, left);
                Arrays.fill(b, off, off + n, (byte) 'a');
                left -= n;
                return n;
            }
        };
    }

    static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void aLineOf200MegabytesIsNeitherHeldNorLoggedWhole() throws Exception {
        long total = 200L << 20;
        try (LogCapture log = LogCapture.of("io.sockeye.cgi")) {
            long before = allocatedByThisThread();
            new StderrLog("/cgi-bin/x.sh").drain(endlessLine(total));
            long allocated = allocatedByThisThread() - before;
            // a whole line in memory (BufferedReader.readLine) is at least 200 MB, twice over as it grows
            assertTrue(allocated < 4L << 20, "allocated " + allocated + " bytes reading a 200 MB line");
            List<String> lines = log.messages();
            assertEquals(1, lines.size(), "one line");
            String line = lines.get(0);
            assertTrue(line.startsWith("/cgi-bin/x.sh: aaaa"), line.substring(0, 40));
            assertTrue(line.length() < StderrLog.MAX_LINE_BYTES + 100, "logged " + line.length() + " chars");
            assertTrue(line.endsWith("... (" + (total - StderrLog.MAX_LINE_BYTES) + " more bytes)"), line.substring(line.length() - 60));
        }
    }

    @Test
    void controlCharactersAreEscaped() throws Exception {
        byte[] err = ("red \u001b[31mALERT\u001b[0m\u0007 csi \u009b2J bidi \u202eevil back\\slash nul\u0000 del\u007f\r\n"
                + "second\n").getBytes(StandardCharsets.UTF_8);
        byte[] raw = Arrays.copyOf(err, err.length + 3);
        raw[err.length] = (byte) 0x9b; // a lone C1 byte, not UTF-8
        raw[err.length + 1] = 'x';
        raw[err.length + 2] = '\n';
        try (LogCapture log = LogCapture.of("io.sockeye.cgi")) {
            new StderrLog("s").drain(new ByteArrayInputStream(raw));
            List<String> lines = log.messages();
            assertEquals(List.of(
                    "s: red \\x1b[31mALERT\\x1b[0m\\x07 csi \\x9b2J bidi \\u202eevil back\\\\slash nul\\x00 del\\x7f",
                    "s: second",
                    "s: \ufffdx"), lines);
            for (String l : lines) {
                for (char c : l.toCharArray()) assertFalse(c < 0x20 || (c >= 0x7f && c <= 0x9f), "raw control " + (int) c + " in " + l);
            }
        }
    }

    @Test
    void aRunLogsAtMostSoManyLinesAndCountsTheRest() throws Exception {
        byte[] err = "line\n".repeat(StderrLog.MAX_LINES + 500).getBytes(StandardCharsets.US_ASCII);
        try (LogCapture log = LogCapture.of("io.sockeye.cgi")) {
            new StderrLog("s").drain(new ByteArrayInputStream(err));
            List<String> lines = log.messages();
            assertEquals(StderrLog.MAX_LINES + 1, lines.size());
            assertEquals("s: 500 more stderr line(s) not logged", lines.get(lines.size() - 1));
        }
    }

    @Test
    void aLastLineWithoutANewlineIsLogged() throws Exception {
        try (LogCapture log = LogCapture.of("io.sockeye.cgi")) {
            new StderrLog("s").drain(new ByteArrayInputStream("no newline".getBytes(StandardCharsets.US_ASCII)));
            assertEquals(List.of("s: no newline"), log.messages());
        }
    }
}
