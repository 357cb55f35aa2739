package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.ServerConfig;
import io.sockeye.testsupport.RawClient;

/** The options for connections and their timeouts: {@code --max-connections}, {@code --idle-timeout} and the rest. */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class ConnectionOptionsTest {

    @TempDir
    Path site;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    private Main.Launch launch;

    @AfterEach
    void stop() {
        if (launch != null) launch.stop();
    }

    private Main.Launch run(String... args) {
        String[] all = new String[args.length + 5];
        System.arraycopy(new String[] {"-q", "-b", "127.0.0.1", "-d", site.toString()}, 0, all, 0, 5);
        System.arraycopy(args, 0, all, 5, args.length);
        launch = Main.launch(all, out, err);
        return launch;
    }

    @Test
    void theOptionsReachTheServer() {
        Main.Launch l = run("--max-connections", "123", "--max-connections-per-address", "7", "--idle-timeout", "9",
                "--request-timeout", "4", "--io-timeout", "11", "0");
        assertTrue(l.started(), errBytes.toString(StandardCharsets.UTF_8));
        ServerConfig c = l.server().config();
        assertEquals(123, c.maxConnections());
        assertEquals(123, l.server().maxConnections());
        assertEquals(7, c.maxConnectionsPerAddress());
        assertEquals(Duration.ofSeconds(9), c.idleTimeout());
        assertEquals(Duration.ofSeconds(4), c.requestHeadTimeout());
        assertEquals(Duration.ofSeconds(11), c.ioTimeout());
    }

    @Test
    void theDefaultsAreTheLibrarys() {
        Main.Launch l = run("0");
        assertTrue(l.started());
        ServerConfig c = l.server().config();
        ServerConfig d = ServerConfig.defaults();
        assertEquals(d.maxConnections(), c.maxConnections());
        assertEquals(0, c.maxConnectionsPerAddress());
        assertEquals(d.idleTimeout(), c.idleTimeout());
        assertEquals(d.requestHeadTimeout(), c.requestHeadTimeout());
        assertEquals(d.ioTimeout(), c.ioTimeout());
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        Main.Launch l = run("--idle-timeout", "1", "0");
        assertTrue(l.started());
        try (RawClient c = new RawClient(l.server().port(), 5_000)) {
            assertEquals(404, c.send("GET /nothing HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            long t0 = System.nanoTime();
            assertTrue(c.closedByServer(), "closed by the server");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms > 500 && ms < 3000, "closed after " + ms + " ms with --idle-timeout 1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--max-connections=0", "--max-connections-per-address=-1", "--idle-timeout=0",
        "--request-timeout=0", "--io-timeout=-5", "--max-connections=lots"})
    void aValueOutOfRangeIsAUsageError(String option) {
        Main.Launch l = run(option, "0");
        assertEquals(2, l.exitCode());
        assertFalse(l.started());
        String name = option.substring(0, option.indexOf('='));
        assertTrue(errBytes.toString(StandardCharsets.UTF_8).contains(name), "the message names " + name + ": " + errBytes);
    }
}
