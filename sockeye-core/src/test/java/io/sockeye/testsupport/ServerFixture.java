package io.sockeye.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import io.sockeye.Handler;
import io.sockeye.HttpServer;
import io.sockeye.ServerConfig;

/** Small helpers shared by the wire-level tests: a loopback server, a fresh-connection probe, log filtering. */
public final class ServerFixture {

    private ServerFixture() {
    }

    /**
     * Set (to 0) by the build's second run of the wire tests, so that they run with every idle connection
     * parked in the server's selector rather than waiting on its own thread: both ways of waiting for a
     * client's next request are held to the same tests.
     */
    public static final Integer PARK_IDLE_ABOVE = Integer.getInteger("sockeye.test.parkIdleAbove");

    /**
     * @return the defaults on 127.0.0.1, any port, with a short shutdown grace so tests end quickly (and
     *         {@link #PARK_IDLE_ABOVE} when the build sets it)
     */
    public static ServerConfig loopback() {
        ServerConfig.Builder b = ServerConfig.defaults().toBuilder()
                .port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .shutdownGrace(Duration.ofMillis(500));
        if (PARK_IDLE_ABOVE != null) b.parkIdleAbove(PARK_IDLE_ABOVE);
        return b.build();
    }

    public static HttpServer start(ServerConfig config, Handler handler) throws IOException {
        return HttpServer.create(config, handler).start();
    }

    /** @return an HTTP/1.1 client (no h2c upgrade attempts) with a short timeout */
    public static HttpClient httpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static HttpResponse<String> get(HttpClient client, HttpServer server, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Asserts that a brand-new connection still gets a normal answer: the server survived whatever came before. */
    public static RawResponse assertStillServing(HttpServer server, String path) throws IOException {
        try (RawClient c = new RawClient(server.port(), 5_000)) {
            RawResponse r = c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(200, r.status(), "a fresh connection after the failure: " + r.statusLine());
            return r;
        }
    }

    /**
     * @return the records at INFO or above that the server's own logger ({@code io.sockeye}, not its
     * children) wrote about the connection from this client port
     */
    public static List<LogRecord> serverLines(LogCapture log, int clientPort) {
        String peer = "127.0.0.1:" + clientPort;
        return log.records().stream()
                .filter(r -> "io.sockeye".equals(r.getLoggerName()))
                .filter(r -> r.getLevel().intValue() >= Level.INFO.intValue())
                .filter(r -> r.getMessage() != null && r.getMessage().contains(peer))
                .toList();
    }

    /** Waits up to 5 s for at least one such record. */
    public static List<LogRecord> awaitServerLines(LogCapture log, int clientPort) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<LogRecord> lines = serverLines(log, clientPort);
        while (lines.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
            lines = serverLines(log, clientPort);
        }
        return lines;
    }

    /** @return whether the command runs and exits 0 (a tool a test needs, as {@code ss}, is installed) */
    public static boolean commandWorks(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
