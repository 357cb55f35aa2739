package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testing.RawClient;
import io.sockeye.testing.ServerFixture;

/**
 * Which way connections learn that their sockets are readable: natively where the JDK allows it (Linux,
 * Java 22+, native access and sun.nio.ch exported, as the build's test runs have), the JDK's way in the
 * run with {@code sockeye.nativePolling=false}. Without this, a broken native poller would quietly fall
 * back and the wire tests would test the JDK's way twice.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WireNativePollingTest {

    @Test
    void theNativePollerIsUsedWhereverItCanBe() throws Exception {
        boolean possible = Runtime.version().feature() >= 22 && "Linux".equals(System.getProperty("os.name"))
                && Object.class.getModule().isExported("sun.nio.ch", HttpServer.class.getModule());
        boolean wanted = !"false".equals(System.getProperty("sockeye.nativePolling"));
        try (HttpServer server = ServerFixture.start(ServerFixture.loopback(), (req, res) -> res.send("ok"))) {
            assertEquals(possible && wanted, server.nativePolling(), "native polling in use");
            try (RawClient c = new RawClient(server.port(), 3_000)) {
                for (int i = 0; i < 200; i++) {
                    assertEquals("ok", c.send("GET /" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
                }
            }
        }
    }
}
