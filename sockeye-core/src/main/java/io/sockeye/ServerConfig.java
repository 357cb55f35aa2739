package io.sockeye;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything an {@link HttpServer} can be told: where it listens, and the limit on every size and time a
 * client controls. Immutable; start from {@link #defaults()} and change what you need:
 *
 * <pre>{@code
 * ServerConfig config = ServerConfig.defaults()
 *         .withPort(8080)
 *         .withMaxBodyBytes(100 << 20)
 *         .withAccessLog(true);
 * }</pre>
 *
 * <p>Each limit, when a request breaks it, gets the status named here and a line in the log; the
 * connection is then closed, because what follows on it can no longer be trusted.
 *
 * @param bindAddress         the address to listen on, or {@code null} for all interfaces (IPv4 and IPv6)
 * @param port                the port, or 0 for any free one ({@link HttpServer#port()} tells which)
 * @param backlog             connections the kernel queues before the server accepts them
 * @param maxConnections      connections served at once; more wait in the backlog
 * @param maxRequestLineBytes longest request-line; longer gets 414 (URI Too Long)
 * @param maxHeaderBytes      most bytes in all header field lines together; more gets 431
 * @param maxHeaderCount      most header fields; more gets 431
 * @param maxBodyBytes        largest request body, declared or chunked; larger gets 413
 * @param maxDrainBytes       how much of a body a handler left unread is read and discarded to keep the
 *                            connection; with more left, the connection is closed instead
 * @param requestHeadTimeout  how long a client may take to send a whole request head once it has begun;
 *                            slower gets 408 (the defence against slowloris)
 * @param idleTimeout         how long a kept-alive connection may wait for its next request (a new
 *                            connection's first request must begin within {@code requestHeadTimeout})
 * @param ioTimeout           how long a read of the request body or a write of the response may go
 *                            without progress before the connection is dropped
 * @param shutdownGrace       how long {@link HttpServer#close()} lets requests in flight finish
 * @param serverHeader        the {@code Server} field sent with every response, or {@code null} for none
 * @param accessLog           whether each exchange is logged in Combined Log Format to the
 *                            {@code System.Logger} named {@code io.sockeye.access}, at level INFO
 * @param formLimits          what {@link Request#form()} accepts
 */
public record ServerConfig(
        InetAddress bindAddress,
        int port,
        int backlog,
        int maxConnections,
        int maxRequestLineBytes,
        int maxHeaderBytes,
        int maxHeaderCount,
        long maxBodyBytes,
        long maxDrainBytes,
        Duration requestHeadTimeout,
        Duration idleTimeout,
        Duration ioTimeout,
        Duration shutdownGrace,
        String serverHeader,
        boolean accessLog,
        FormLimits formLimits) {

    /** The {@code Server} field value by default. */
    public static final String DEFAULT_SERVER_HEADER = "Sockeye/" + Version.VERSION;

    /** Checks that every limit is positive and every time is set. */
    public ServerConfig {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0 to 65535: " + port);
        positive("backlog", backlog);
        positive("maxConnections", maxConnections);
        if (maxRequestLineBytes < 16) throw new IllegalArgumentException("maxRequestLineBytes must be at least 16");
        positive("maxHeaderBytes", maxHeaderBytes);
        positive("maxHeaderCount", maxHeaderCount);
        if (maxBodyBytes < 0) throw new IllegalArgumentException("maxBodyBytes must not be negative");
        if (maxDrainBytes < 0) throw new IllegalArgumentException("maxDrainBytes must not be negative");
        positive("requestHeadTimeout", requestHeadTimeout);
        positive("idleTimeout", idleTimeout);
        positive("ioTimeout", ioTimeout);
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (shutdownGrace.isNegative()) throw new IllegalArgumentException("shutdownGrace must not be negative");
        if (serverHeader != null && serverHeader.isBlank()) serverHeader = null;
        Objects.requireNonNull(formLimits, "formLimits");
    }

    private static void positive(String name, long value) {
        if (value < 1) throw new IllegalArgumentException(name + " must be at least 1: " + value);
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) throw new IllegalArgumentException(name + " must be positive: " + value);
    }

    /**
     * Port 8000 on all interfaces; 10,000 connections; an 8 KiB request-line, 32 KiB and 100 header
     * fields, a 10 MiB body, 256 KiB drained; 10 s for a request head, 60 s idle, 30 s without I/O
     * progress, 5 s to shut down; a {@code Server} field; no access log; {@link FormLimits#defaults()}.
     *
     * @return the defaults
     */
    public static ServerConfig defaults() {
        return new ServerConfig(null, 8000, 1024, 10_000, 8 * 1024, 32 * 1024, 100, 10L << 20, 256 * 1024,
                Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(5),
                DEFAULT_SERVER_HEADER, false, FormLimits.defaults());
    }

    /** @param address where to listen, or {@code null} for all interfaces @return a copy with it */
    public ServerConfig withBindAddress(InetAddress address) {
        return new ServerConfig(address, port, backlog, maxConnections, maxRequestLineBytes, maxHeaderBytes,
                maxHeaderCount, maxBodyBytes, maxDrainBytes, requestHeadTimeout, idleTimeout, ioTimeout,
                shutdownGrace, serverHeader, accessLog, formLimits);
    }

    /** @param newPort the port, or 0 for any free one @return a copy with it */
    public ServerConfig withPort(int newPort) {
        return new ServerConfig(bindAddress, newPort, backlog, maxConnections, maxRequestLineBytes, maxHeaderBytes,
                maxHeaderCount, maxBodyBytes, maxDrainBytes, requestHeadTimeout, idleTimeout, ioTimeout,
                shutdownGrace, serverHeader, accessLog, formLimits);
    }

    /** @param newBacklog the listen queue length @return a copy with it */
    public ServerConfig withBacklog(int newBacklog) {
        return new ServerConfig(bindAddress, port, newBacklog, maxConnections, maxRequestLineBytes, maxHeaderBytes,
                maxHeaderCount, maxBodyBytes, maxDrainBytes, requestHeadTimeout, idleTimeout, ioTimeout,
                shutdownGrace, serverHeader, accessLog, formLimits);
    }

    /** @param max connections served at once @return a copy with it */
    public ServerConfig withMaxConnections(int max) {
        return new ServerConfig(bindAddress, port, backlog, max, maxRequestLineBytes, maxHeaderBytes,
                maxHeaderCount, maxBodyBytes, maxDrainBytes, requestHeadTimeout, idleTimeout, ioTimeout,
                shutdownGrace, serverHeader, accessLog, formLimits);
    }

    /** @param max longest request-line in bytes @return a copy with it */
    public ServerConfig withMaxRequestLineBytes(int max) {
        return new ServerConfig(bindAddress, port, backlog, maxConnections, max, maxHeaderBytes,
                maxHeaderCount, maxBodyBytes, maxDrainBytes, requestHeadTimeout, idleTimeout, ioTimeout,
                shutdownGrace, serverHeader, accessLog, formLimits);
    }

    /** @param max most bytes of header field lines @return a copy with it */
    public ServerConfig withMaxHeaderBytes(int max) {
        return new ServerConfig(bindAddress, port, backlog, maxConnections, maxRequestLineBytes, max,
                maxHeaderCount, maxBodyBytes, maxDrainBytes, requestHeadTimeout, idleTimeout, ioTimeout,
                shutdownGrace, serverHeader, accessLog, formLimits);
    }

    /** @param max most header fields @return a copy with it */
    public ServerConfig withMaxHeaderCount(int max) {
        return new ServerConfig(bindAddress, port, backlog, maxConnections, maxRequestLineBytes, maxHeaderBytes,
                max, maxBodyBytes, maxDrainBytes, requestHeadTimeout, idleTimeout, ioTimeout,
                shutdownGrace, serverHeader, accessLog, formLimits);
    }

    /** @param max largest request body in bytes @return a copy with it */
    public ServerConfig withMaxBodyBytes(long max) {
        return new ServerConfig(bindAddress, port, backlog, maxConnections, maxRequestLineBytes, maxHeaderBytes,
                maxHeaderCount, max, maxDrainBytes, requestHeadTimeout, idleTimeout, ioTimeout,
                shutdownGrace, serverHeader, accessLog, formLimits);
    }

    /** @param max unread body bytes discarded to keep a connection @return a copy with it */
    public ServerConfig withMaxDrainBytes(long max) {
        return new ServerConfig(bindAddress, port, backlog, maxConnections, maxRequestLineBytes, maxHeaderBytes,
                maxHeaderCount, maxBodyBytes, max, requestHeadTimeout, idleTimeout, ioTimeout,
                shutdownGrace, serverHeader, accessLog, formLimits);
    }

    /** @param timeout time to send a whole request head @return a copy with it */
    public ServerConfig withRequestHeadTimeout(Duration timeout) {
        return new ServerConfig(bindAddress, port, backlog, maxConnections, maxRequestLineBytes, maxHeaderBytes,
                maxHeaderCount, maxBodyBytes, maxDrainBytes, timeout, idleTimeout, ioTimeout,
                shutdownGrace, serverHeader, accessLog, formLimits);
    }

    /** @param timeout time a kept-alive connection may stay idle @return a copy with it */
    public ServerConfig withIdleTimeout(Duration timeout) {
        return new ServerConfig(bindAddress, port, backlog, maxConnections, maxRequestLineBytes, maxHeaderBytes,
                maxHeaderCount, maxBodyBytes, maxDrainBytes, requestHeadTimeout, timeout, ioTimeout,
                shutdownGrace, serverHeader, accessLog, formLimits);
    }

    /** @param timeout time a body read or response write may go without progress @return a copy with it */
    public ServerConfig withIoTimeout(Duration timeout) {
        return new ServerConfig(bindAddress, port, backlog, maxConnections, maxRequestLineBytes, maxHeaderBytes,
                maxHeaderCount, maxBodyBytes, maxDrainBytes, requestHeadTimeout, idleTimeout, timeout,
                shutdownGrace, serverHeader, accessLog, formLimits);
    }

    /** @param grace time requests in flight get to finish on close @return a copy with it */
    public ServerConfig withShutdownGrace(Duration grace) {
        return new ServerConfig(bindAddress, port, backlog, maxConnections, maxRequestLineBytes, maxHeaderBytes,
                maxHeaderCount, maxBodyBytes, maxDrainBytes, requestHeadTimeout, idleTimeout, ioTimeout,
                grace, serverHeader, accessLog, formLimits);
    }

    /** @param value the {@code Server} field, or {@code null} for none @return a copy with it */
    public ServerConfig withServerHeader(String value) {
        return new ServerConfig(bindAddress, port, backlog, maxConnections, maxRequestLineBytes, maxHeaderBytes,
                maxHeaderCount, maxBodyBytes, maxDrainBytes, requestHeadTimeout, idleTimeout, ioTimeout,
                shutdownGrace, value, accessLog, formLimits);
    }

    /** @param on whether to write the access log @return a copy with it */
    public ServerConfig withAccessLog(boolean on) {
        return new ServerConfig(bindAddress, port, backlog, maxConnections, maxRequestLineBytes, maxHeaderBytes,
                maxHeaderCount, maxBodyBytes, maxDrainBytes, requestHeadTimeout, idleTimeout, ioTimeout,
                shutdownGrace, serverHeader, on, formLimits);
    }

    /** @param limits what forms may hold @return a copy with them */
    public ServerConfig withFormLimits(FormLimits limits) {
        return new ServerConfig(bindAddress, port, backlog, maxConnections, maxRequestLineBytes, maxHeaderBytes,
                maxHeaderCount, maxBodyBytes, maxDrainBytes, requestHeadTimeout, idleTimeout, ioTimeout,
                shutdownGrace, serverHeader, accessLog, limits);
    }
}
