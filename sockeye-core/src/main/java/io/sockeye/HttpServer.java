package io.sockeye;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

import io.sockeye.http1.Http1Protocol;
import io.sockeye.tcp.TcpConfig;
import io.sockeye.tcp.TcpServer;

/**
 * An HTTP/1.1 server: a {@link Handler} served on a port, one virtual thread per connection.
 *
 * <pre>{@code
 * HttpServer server = HttpServer.create(ServerConfig.defaults().withPort(8080),
 *         Router.create()
 *                 .get("/hello", (req, res) -> res.send("Hello!"))
 *                 .get("/time", (req, res) -> res.send(java.time.Instant.now().toString())));
 * server.start();                       // returns once listening
 * System.out.println("http://localhost:" + server.port() + "/hello");
 * ...
 * server.close();                       // lets requests in flight finish, then stops
 * }</pre>
 *
 * <p>Thread-safe. The server uses one platform thread to accept connections and one to enforce timeouts,
 * and over TLS up to one per core for the costly steps of handshakes (see {@link TlsConfig}); everything
 * else runs on virtual threads.
 */
public final class HttpServer implements AutoCloseable {

    private final ServerConfig config;
    private final Handler handler;
    private volatile TcpServer tcp;
    private volatile Http1Protocol protocol;

    private HttpServer(ServerConfig config, Handler handler) {
        this.config = Objects.requireNonNull(config, "config");
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * Creates a server; {@link #start()} makes it listen.
     *
     * @param config  where to listen and the limits to enforce
     * @param handler what answers every request
     * @return the server, not yet started
     */
    public static HttpServer create(ServerConfig config, Handler handler) {
        return new HttpServer(config, handler);
    }

    /**
     * The common case in one line: serves {@code handler} on {@code port} of every interface with the
     * {@linkplain ServerConfig#defaults() default limits}, as {@code create(ServerConfig.defaults().withPort(port),
     * handler).start()}.
     *
     * <pre>{@code
     * HttpServer server = HttpServer.start(8080, (req, res) -> res.send("Hello!"));
     * }</pre>
     *
     * @param port    the port, or 0 for any free one ({@link #port()} then says which)
     * @param handler what answers every request
     * @return the server, listening
     * @throws java.net.BindException if the port is in use; the message says which
     * @throws IOException            if the socket cannot be opened
     */
    public static HttpServer start(int port, Handler handler) throws IOException {
        return create(ServerConfig.defaults().withPort(port), handler).start();
    }

    /**
     * Binds the port and starts serving; returns once the socket is listening.
     *
     * @return this
     * @throws java.net.BindException if the address is in use or cannot be bound; the message says which
     * @throws IOException            if the socket cannot be opened
     * @throws IllegalStateException  if already started
     */
    public synchronized HttpServer start() throws IOException {
        if (tcp != null) throw new IllegalStateException("already started");
        InetSocketAddress address = config.bindAddress() == null
                ? new InetSocketAddress(config.port())
                : new InetSocketAddress(config.bindAddress(), config.port());
        TcpConfig tcpConfig = TcpConfig.defaults().toBuilder()
                .address(address)
                .backlog(config.backlog())
                .maxConnections(config.maxConnections())
                .maxConnectionsPerAddress(config.maxConnectionsPerAddress())
                .parkIdleAbove(config.parkIdleAbove())
                .tcpNoDelay(true)
                .sweepInterval(sweepInterval(config))
                .name("http")
                .build();
        Http1Protocol http = new Http1Protocol(config, handler);
        protocol = http; // before the TCP server: a shutdown on another thread that sees one closes both
        try {
            tcp = TcpServer.start(tcpConfig, http);
        } catch (IOException | RuntimeException e) {
            protocol = null;
            http.close();
            throw e;
        }
        return this;
    }

    // Timeouts are enforced by a sweep; check often enough that each fires within a quarter of its length.
    private static Duration sweepInterval(ServerConfig config) {
        long shortest = Math.min(config.requestHeadTimeout().toMillis(),
                Math.min(config.idleTimeout().toMillis(), config.ioTimeout().toMillis()));
        return Duration.ofMillis(Math.max(10, Math.min(250, shortest / 4)));
    }

    /** @return the port the server listens on; the one picked for it when configured with port 0 */
    public int port() {
        return running().port();
    }

    /** @return the address the server is bound to, with its actual port */
    public InetSocketAddress address() {
        return running().localAddress();
    }

    /** @return the configuration the server runs with */
    public ServerConfig config() {
        return config;
    }

    /**
     * @return the connections served at once: {@link ServerConfig#maxConnections()}, or fewer if the
     *         open-files limit did not allow that many when the server started
     */
    public int maxConnections() {
        return running().maxConnections();
    }

    /** @return connections open right now (idle ones included) */
    public int connectionCount() {
        return running().connectionCount();
    }

    /**
     * @return exchanges in progress right now: connections busy with a request (reading it, running its
     *         handler or sending its response), which a graceful {@link #shutdown(Duration)} waits for;
     *         kept-alive connections waiting for their next request are not counted
     */
    public int activeExchangeCount() {
        return running().activeConnectionCount();
    }

    /**
     * Stops now: stops accepting and closes every connection, busy or not, interrupting the handlers still
     * running. If a graceful {@link #shutdown(Duration)} is under way on another thread, its grace period
     * ends at once (a second Ctrl-C, say). Returns when everything is closed; safe to call more than once.
     */
    public void shutdownNow() {
        TcpServer t = tcp;
        if (t != null) t.shutdownNow();
        closeProtocol();
    }

    /**
     * Stops gracefully: stops accepting, closes idle connections, lets exchanges in flight finish for up
     * to {@code grace}, then closes the rest. Returns when everything is closed. Safe to call more than once.
     *
     * @param grace how long requests in flight may take to finish
     */
    public void shutdown(Duration grace) {
        TcpServer t = tcp;
        if (t != null) t.shutdown(grace);
        closeProtocol();
    }

    /** Stops with the configured {@link ServerConfig#shutdownGrace()}; see {@link #shutdown(Duration)}. */
    @Override
    public void close() {
        shutdown(config.shutdownGrace());
    }

    /**
     * Blocks until the server has been shut down (by another thread, or a shutdown hook).
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void awaitTermination() throws InterruptedException {
        running().awaitTermination();
    }

    /** After the TCP server has stopped: its connections are closed, and no handshake starts any more. */
    private void closeProtocol() {
        Http1Protocol p = protocol;
        if (p != null) p.close();
    }

    private TcpServer running() {
        TcpServer t = tcp;
        if (t == null) throw new IllegalStateException("not started");
        return t;
    }
}
