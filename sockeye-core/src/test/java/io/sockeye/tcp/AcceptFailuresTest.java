package io.sockeye.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.sockeye.testsupport.LogCapture;

/**
 * accept failing (EMFILE: out of descriptors) must not spin the accept loop nor flood the log: each
 * failure waits longer (5 ms doubling to 1 s), and a run of failures is one line when it starts and one
 * when it ends.
 */
class AcceptFailuresTest {

    @Test
    void failuresBackOffAndAreLoggedOncePerEpisode() {
        try (LogCapture log = LogCapture.of("io.sockeye.test-accept")) {
            AcceptFailures failures = new AcceptFailures(System.getLogger("io.sockeye.test-accept"), 8000);
            IOException emfile = new IOException("Too many open files");
            long t0 = System.nanoTime();
            for (int i = 0; i < 6; i++) failures.failed(emfile);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            // 5 + 10 + 20 + 40 + 80 + 160 ms: backing off, not spinning
            assertTrue(ms >= 300, "six failures took only " + ms + " ms");
            failures.recovered();
            failures.recovered(); // nothing to say when nothing failed
            List<String> lines = log.messages();
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("Too many open files"), lines.get(0));
            assertTrue(lines.get(1).contains("after 6 failed"), lines.get(1));
            // a new episode starts from 5 ms again
            long t1 = System.nanoTime();
            failures.failed(emfile);
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1) < 200, "the back-off starts over");
            assertEquals(3, log.messages().size());
        }
    }
}
