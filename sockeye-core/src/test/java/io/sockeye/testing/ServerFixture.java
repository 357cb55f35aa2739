package io.sockeye.testing;

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

    /** @return the defaults on 127.0.0.1, any port, with a short shutdown grace so tests end quickly */
    public static ServerConfig loopback() {
        return ServerConfig.defaults()
                .withPort(0)
                .withBindAddress(InetAddress.getLoopbackAddress())
                .withShutdownGrace(Duration.ofMillis(500));
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
}
