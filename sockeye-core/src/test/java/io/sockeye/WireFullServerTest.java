package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.ServerFixture;

/**
 * A full server cuts short the waits it can: a request head that comes a byte at a time holds its slot
 * a tenth of the head timeout when every slot is taken (a slowloris attack needs to be ten times faster),
 * the whole of it when there is room.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WireFullServerTest {

    @Test
    void aHeadBegunOnAFullServerGets408Sooner() throws Exception {
        try (HttpServer server = ServerFixture.start(ServerFixture.loopback().withMaxConnections(4)
                .withRequestHeadTimeout(Duration.ofSeconds(5)), (req, res) -> res.send("hi"))) {
            List<RawClient> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) clients.add(new RawClient(server.port(), 10_000).send("G"));
            long t0 = System.nanoTime();
            for (RawClient c : clients) {
                try (c) {
                    assertEquals(408, c.read().status());
                }
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 2500, "heads begun on a full server timed out after " + ms + " ms (5 s on a server with room)");
        }
        try (HttpServer server = ServerFixture.start(ServerFixture.loopback().withMaxConnections(100)
                .withRequestHeadTimeout(Duration.ofSeconds(2)), (req, res) -> res.send("hi"));
             RawClient c = new RawClient(server.port(), 10_000)) {
            long t0 = System.nanoTime();
            c.send("G");
            assertEquals(408, c.read().status());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 1800, "a server with room cut the head timeout short: " + ms + " ms");
        }
    }
}
