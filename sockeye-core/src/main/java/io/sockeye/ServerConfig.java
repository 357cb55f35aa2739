package io.sockeye;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything an {@link HttpServer} can be told: where it listens, and the limit on every size and time a
 * client controls. Immutable; start from {@link #defaults()} and change what you need, one value at a
 * time with the {@code with*} methods or several with a {@linkplain #toBuilder() builder}:
 *
 * <pre>{@code
 * ServerConfig config = ServerConfig.defaults()
 *         .withPort(8080)
 *         .withMaxBodyBytes(100 << 20)
 *         .withAccessLog(true);
 *
 * ServerConfig same = ServerConfig.builder().port(8080).maxBodyBytes(100 << 20).accessLog(true).build();
 * }</pre>
 *
 * <p>Each limit, when a request breaks it, gets the status named here and a line in the log; the
 * connection is then closed, because what follows on it can no longer be trusted.
 */
public final class ServerConfig {

    /** The {@code Server} field value by default. */
    public static final String DEFAULT_SERVER_HEADER = "Sockeye/" + Version.VERSION;

    private final InetAddress bindAddress;
    private final int port;
    private final int backlog;
    private final int maxConnections;
    private final int maxConnectionsPerAddress;
    private final int maxRequestLineBytes;
    private final int maxHeaderBytes;
    private final int maxHeaderCount;
    private final long maxBodyBytes;
    private final long maxDrainBytes;
    private final Duration requestHeadTimeout;
    private final Duration idleTimeout;
    private final Duration ioTimeout;
    private final int minBodyRate;
    private final Duration shutdownGrace;
    private final String serverHeader;
    private final boolean accessLog;
    private final AccessLogFormat accessLogFormat;
    private final FormLimits formLimits;
    private final int parkIdleAbove;
    private final TlsConfig tls;

    private ServerConfig(Builder b) {
        if (b.port < 0 || b.port > 65535) throw new IllegalArgumentException("port must be 0 to 65535: " + b.port);
        positive("backlog", b.backlog);
        positive("maxConnections", b.maxConnections);
        if (b.maxConnectionsPerAddress < 0) throw new IllegalArgumentException("maxConnectionsPerAddress must not be negative");
        if (b.maxRequestLineBytes < 16) throw new IllegalArgumentException("maxRequestLineBytes must be at least 16");
        positive("maxHeaderBytes", b.maxHeaderBytes);
        positive("maxHeaderCount", b.maxHeaderCount);
        if (b.maxBodyBytes < 0) throw new IllegalArgumentException("maxBodyBytes must not be negative");
        if (b.maxDrainBytes < 0) throw new IllegalArgumentException("maxDrainBytes must not be negative");
        positive("requestHeadTimeout", b.requestHeadTimeout);
        positive("idleTimeout", b.idleTimeout);
        positive("ioTimeout", b.ioTimeout);
        Objects.requireNonNull(b.shutdownGrace, "shutdownGrace");
        if (b.shutdownGrace.isNegative()) throw new IllegalArgumentException("shutdownGrace must not be negative");
        Objects.requireNonNull(b.formLimits, "formLimits");
        if (b.parkIdleAbove < 0) throw new IllegalArgumentException("parkIdleAbove must not be negative");
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.backlog = b.backlog;
        this.maxConnections = b.maxConnections;
        this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
        this.maxRequestLineBytes = b.maxRequestLineBytes;
        this.maxHeaderBytes = b.maxHeaderBytes;
        this.maxHeaderCount = b.maxHeaderCount;
        this.maxBodyBytes = b.maxBodyBytes;
        this.maxDrainBytes = b.maxDrainBytes;
        this.requestHeadTimeout = b.requestHeadTimeout;
        this.idleTimeout = b.idleTimeout;
        this.ioTimeout = b.ioTimeout;
        if (b.minBodyRate < 0) throw new IllegalArgumentException("minBodyRate must not be negative");
        this.minBodyRate = b.minBodyRate;
        this.shutdownGrace = b.shutdownGrace;
        this.serverHeader = b.serverHeader != null && b.serverHeader.isBlank() ? null : b.serverHeader;
        this.accessLog = b.accessLog;
        this.accessLogFormat = Objects.requireNonNull(b.accessLogFormat, "accessLogFormat");
        this.formLimits = b.formLimits;
        this.parkIdleAbove = b.parkIdleAbove;
        this.tls = b.tls;
    }

    private static void positive(String name, long value) {
        if (value < 1) throw new IllegalArgumentException(name + " must be at least 1: " + value);
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) throw new IllegalArgumentException(name + " must be positive: " + value);
    }

    /**
     * Port 8000 on all interfaces; 10,000 connections, no cap per address; an 8 KiB request-line, 32 KiB
     * and 100 header fields, a 10 MiB body, 256 KiB drained; 10 s for a request head, 60 s idle, 30 s
     * without I/O progress, bodies at 500 bytes/s at least once they kept the server waiting 10 s, 5 s to shut down; a {@code Server} field; no access log;
     * {@link FormLimits#defaults()}; idle connections parked above 256.
     *
     * @return the defaults
     */
    public static ServerConfig defaults() {
        return new Builder().build();
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** @return the address to listen on, or {@code null} for all interfaces (IPv4 and IPv6) */
    public InetAddress bindAddress() {
        return bindAddress;
    }

    /** @return the port, or 0 for any free one ({@link HttpServer#port()} tells which) */
    public int port() {
        return port;
    }

    /** @return connections the kernel queues before the server accepts them */
    public int backlog() {
        return backlog;
    }

    /** @return connections open at once. At the cap, the connections idle the longest are closed to admit a new
     *         client (never one in the middle of an exchange); only when none is idle does it wait. Lowered at
     *         start, with a log line, to what the open-files limit ({@code ulimit -n}) allows */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return connections one client address may hold at once, or 0 for no cap. A client over it has its
     *         own longest-idle connection closed, or, with none idle, its new connection closed at once */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    /** @return longest request-line; longer gets 414 (URI Too Long) */
    public int maxRequestLineBytes() {
        return maxRequestLineBytes;
    }

    /** @return most bytes in all header field lines together; more gets 431 */
    public int maxHeaderBytes() {
        return maxHeaderBytes;
    }

    /** @return most header fields; more gets 431 */
    public int maxHeaderCount() {
        return maxHeaderCount;
    }

    /** @return largest request body, declared or chunked; larger gets 413 */
    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    /** @return how much of a body a handler left unread is read and discarded to keep the connection; with
     *         more left, the connection is closed instead */
    public long maxDrainBytes() {
        return maxDrainBytes;
    }

    /** @return how long a client may take to send a whole request head once it has begun (slower gets 408:
     *         the defence against slowloris), and how long a new connection may wait before it begins */
    public Duration requestHeadTimeout() {
        return requestHeadTimeout;
    }

    /** @return how long a kept-alive connection may wait for its next request. Both this and a new
     *         connection's wait for its first request shrink as the server fills up: in full above half of
     *         {@link #maxConnections()}, then less in proportion, down to a tenth of it when every slot is taken */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** @return how long a read of the request body or a write of the response may go without progress
     *         before the connection is dropped */
    public Duration ioTimeout() {
        return ioTimeout;
    }

    /**
     * @return bytes a second a request body must arrive at, at least, once it has kept the server waiting
     *         as long as a whole request head may take ({@link #requestHeadTimeout()}; each byte received
     *         buys {@code 1/minBodyRate} s more, as Apache's {@code mod_reqtimeout} has it), or 0 for no such floor; slower
     *         gets 408. A client trickling a large body a byte at a time otherwise holds its connection,
     *         and whatever its handler set aside for it, for as long as it likes (the I/O timeout only
     *         counts time without any byte). Only time spent waiting for the client counts, not time the
     *         handler takes between its reads
     */
    public int minBodyRate() {
        return minBodyRate;
    }

    /** @return how long {@link HttpServer#close()} lets requests in flight finish */
    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** @return the {@code Server} field sent with every response, or {@code null} for none */
    public String serverHeader() {
        return serverHeader;
    }

    /** @return whether each exchange is logged (in the {@link #accessLogFormat()}) to the
     *         {@code System.Logger} named {@code io.sockeye.access}, at level INFO */
    public boolean accessLog() {
        return accessLog;
    }

    /** @return the form of each access log message: the Combined Log Format (the default) or a JSON object */
    public AccessLogFormat accessLogFormat() {
        return accessLogFormat;
    }

    /** @return what {@link Request#form()} accepts */
    public FormLimits formLimits() {
        return formLimits;
    }

    /** @return open connections above which an idle one waits for its next request without a thread of its
     *         own (parked in a shared selector, its buffers given back: a few hundred bytes instead of several
     *         KiB each); below it, each waits on its own thread, which costs nothing to resume */
    public int parkIdleAbove() {
        return parkIdleAbove;
    }

    /**
     * @return how the server speaks TLS, or {@code null} (the default) for plain HTTP. With it, every
     *         connection must begin with a TLS handshake, done within {@link #requestHeadTimeout()}; a
     *         plain HTTP request gets a 400 that says to use {@code https://}
     */
    public TlsConfig tls() {
        return tls;
    }

    /** @param value see {@link #bindAddress()} @return a copy with it */
    public ServerConfig withBindAddress(InetAddress value) {
        return toBuilder().bindAddress(value).build();
    }

    /**
     * @param address an IP address ({@code "127.0.0.1"}, {@code "::1"}, {@code "[::1]"}) or a host name
     *                resolved now ({@code "localhost"}), the address to listen on
     * @return a copy with it
     * @throws IllegalArgumentException if the name does not resolve
     */
    public ServerConfig withBindAddress(String address) {
        return toBuilder().bindAddress(address).build();
    }

    /** @param value see {@link #port()} @return a copy with it */
    public ServerConfig withPort(int value) {
        return toBuilder().port(value).build();
    }

    /** @param value see {@link #backlog()} @return a copy with it */
    public ServerConfig withBacklog(int value) {
        return toBuilder().backlog(value).build();
    }

    /** @param value see {@link #maxConnections()} @return a copy with it */
    public ServerConfig withMaxConnections(int value) {
        return toBuilder().maxConnections(value).build();
    }

    /** @param value see {@link #maxConnectionsPerAddress()} @return a copy with it */
    public ServerConfig withMaxConnectionsPerAddress(int value) {
        return toBuilder().maxConnectionsPerAddress(value).build();
    }

    /** @param value see {@link #maxRequestLineBytes()} @return a copy with it */
    public ServerConfig withMaxRequestLineBytes(int value) {
        return toBuilder().maxRequestLineBytes(value).build();
    }

    /** @param value see {@link #maxHeaderBytes()} @return a copy with it */
    public ServerConfig withMaxHeaderBytes(int value) {
        return toBuilder().maxHeaderBytes(value).build();
    }

    /** @param value see {@link #maxHeaderCount()} @return a copy with it */
    public ServerConfig withMaxHeaderCount(int value) {
        return toBuilder().maxHeaderCount(value).build();
    }

    /** @param value see {@link #maxBodyBytes()} @return a copy with it */
    public ServerConfig withMaxBodyBytes(long value) {
        return toBuilder().maxBodyBytes(value).build();
    }

    /** @param value see {@link #maxDrainBytes()} @return a copy with it */
    public ServerConfig withMaxDrainBytes(long value) {
        return toBuilder().maxDrainBytes(value).build();
    }

    /** @param value see {@link #requestHeadTimeout()} @return a copy with it */
    public ServerConfig withRequestHeadTimeout(Duration value) {
        return toBuilder().requestHeadTimeout(value).build();
    }

    /** @param value see {@link #idleTimeout()} @return a copy with it */
    public ServerConfig withIdleTimeout(Duration value) {
        return toBuilder().idleTimeout(value).build();
    }

    /** @param value see {@link #ioTimeout()} @return a copy with it */
    public ServerConfig withIoTimeout(Duration value) {
        return toBuilder().ioTimeout(value).build();
    }

    /** @param value see {@link #minBodyRate()} @return a copy with it */
    public ServerConfig withMinBodyRate(int value) {
        return toBuilder().minBodyRate(value).build();
    }

    /** @param value see {@link #shutdownGrace()} @return a copy with it */
    public ServerConfig withShutdownGrace(Duration value) {
        return toBuilder().shutdownGrace(value).build();
    }

    /** @param value see {@link #serverHeader()} @return a copy with it */
    public ServerConfig withServerHeader(String value) {
        return toBuilder().serverHeader(value).build();
    }

    /** @param value see {@link #accessLog()} @return a copy with it */
    public ServerConfig withAccessLog(boolean value) {
        return toBuilder().accessLog(value).build();
    }

    /** @param value see {@link #accessLogFormat()} @return a copy with it */
    public ServerConfig withAccessLogFormat(AccessLogFormat value) {
        return toBuilder().accessLogFormat(value).build();
    }

    /** @param value see {@link #formLimits()} @return a copy with it */
    public ServerConfig withFormLimits(FormLimits value) {
        return toBuilder().formLimits(value).build();
    }

    /** @param value see {@link #parkIdleAbove()} @return a copy with it */
    public ServerConfig withParkIdleAbove(int value) {
        return toBuilder().parkIdleAbove(value).build();
    }

    /** @param value see {@link #tls()} @return a copy with it */
    public ServerConfig withTls(TlsConfig value) {
        return toBuilder().tls(value).build();
    }

    @Override
    public String toString() {
        return "ServerConfig[" + (tls != null ? "https " : "") + (bindAddress == null ? "*" : bindAddress.getHostAddress())
                + ":" + port + ", " + maxConnections + " connections]";
    }

    /** Collects the values of a {@link ServerConfig}; each method sets one (see its accessor) and returns the builder. */
    public static final class Builder {
        private InetAddress bindAddress;
        private int port = 8000;
        private int backlog = 1024;
        private int maxConnections = 10_000;
        private int maxConnectionsPerAddress = 0;
        private int maxRequestLineBytes = 8 * 1024;
        private int maxHeaderBytes = 32 * 1024;
        private int maxHeaderCount = 100;
        private long maxBodyBytes = 10L << 20;
        private long maxDrainBytes = 256 * 1024;
        private Duration requestHeadTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration ioTimeout = Duration.ofSeconds(30);
        private int minBodyRate = 500;
        private Duration shutdownGrace = Duration.ofSeconds(5);
        private String serverHeader = DEFAULT_SERVER_HEADER;
        private boolean accessLog = false;
        private AccessLogFormat accessLogFormat = AccessLogFormat.COMBINED;
        private FormLimits formLimits = FormLimits.defaults();
        private int parkIdleAbove = 256;
        private TlsConfig tls;

        private Builder() {
        }

        private Builder(ServerConfig c) {
            bindAddress = c.bindAddress;
            port = c.port;
            backlog = c.backlog;
            maxConnections = c.maxConnections;
            maxConnectionsPerAddress = c.maxConnectionsPerAddress;
            maxRequestLineBytes = c.maxRequestLineBytes;
            maxHeaderBytes = c.maxHeaderBytes;
            maxHeaderCount = c.maxHeaderCount;
            maxBodyBytes = c.maxBodyBytes;
            maxDrainBytes = c.maxDrainBytes;
            requestHeadTimeout = c.requestHeadTimeout;
            idleTimeout = c.idleTimeout;
            ioTimeout = c.ioTimeout;
            minBodyRate = c.minBodyRate;
            shutdownGrace = c.shutdownGrace;
            serverHeader = c.serverHeader;
            accessLog = c.accessLog;
            accessLogFormat = c.accessLogFormat;
            formLimits = c.formLimits;
            parkIdleAbove = c.parkIdleAbove;
            tls = c.tls;
        }

        /** @param value see {@link ServerConfig#bindAddress()} @return this */
        public Builder bindAddress(InetAddress value) {
            bindAddress = value;
            return this;
        }

        /**
         * @param address an IP address or a host name resolved now, as {@link ServerConfig#withBindAddress(String)}
         * @return this
         * @throws IllegalArgumentException if the name does not resolve
         */
        public Builder bindAddress(String address) {
            String host = address.length() > 2 && address.startsWith("[") && address.endsWith("]")
                    ? address.substring(1, address.length() - 1) : address;
            if (host.isEmpty()) throw new IllegalArgumentException("an empty bind address (null means all interfaces)");
            try {
                bindAddress = InetAddress.getByName(host);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("cannot resolve the bind address: " + address, e);
            }
            return this;
        }

        /** @param value see {@link ServerConfig#port()} @return this */
        public Builder port(int value) {
            port = value;
            return this;
        }

        /** @param value see {@link ServerConfig#backlog()} @return this */
        public Builder backlog(int value) {
            backlog = value;
            return this;
        }

        /** @param value see {@link ServerConfig#maxConnections()} @return this */
        public Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        /** @param value see {@link ServerConfig#maxConnectionsPerAddress()} @return this */
        public Builder maxConnectionsPerAddress(int value) {
            maxConnectionsPerAddress = value;
            return this;
        }

        /** @param value see {@link ServerConfig#maxRequestLineBytes()} @return this */
        public Builder maxRequestLineBytes(int value) {
            maxRequestLineBytes = value;
            return this;
        }

        /** @param value see {@link ServerConfig#maxHeaderBytes()} @return this */
        public Builder maxHeaderBytes(int value) {
            maxHeaderBytes = value;
            return this;
        }

        /** @param value see {@link ServerConfig#maxHeaderCount()} @return this */
        public Builder maxHeaderCount(int value) {
            maxHeaderCount = value;
            return this;
        }

        /** @param value see {@link ServerConfig#maxBodyBytes()} @return this */
        public Builder maxBodyBytes(long value) {
            maxBodyBytes = value;
            return this;
        }

        /** @param value see {@link ServerConfig#maxDrainBytes()} @return this */
        public Builder maxDrainBytes(long value) {
            maxDrainBytes = value;
            return this;
        }

        /** @param value see {@link ServerConfig#requestHeadTimeout()} @return this */
        public Builder requestHeadTimeout(Duration value) {
            requestHeadTimeout = value;
            return this;
        }

        /** @param value see {@link ServerConfig#idleTimeout()} @return this */
        public Builder idleTimeout(Duration value) {
            idleTimeout = value;
            return this;
        }

        /** @param value see {@link ServerConfig#ioTimeout()} @return this */
        public Builder ioTimeout(Duration value) {
            ioTimeout = value;
            return this;
        }

        /** @param value see {@link ServerConfig#minBodyRate()} @return this */
        public Builder minBodyRate(int value) {
            minBodyRate = value;
            return this;
        }

        /** @param value see {@link ServerConfig#shutdownGrace()} @return this */
        public Builder shutdownGrace(Duration value) {
            shutdownGrace = value;
            return this;
        }

        /** @param value see {@link ServerConfig#serverHeader()} @return this */
        public Builder serverHeader(String value) {
            serverHeader = value;
            return this;
        }

        /** @param value see {@link ServerConfig#accessLog()} @return this */
        public Builder accessLog(boolean value) {
            accessLog = value;
            return this;
        }

        /** @param value see {@link ServerConfig#accessLogFormat()} @return this */
        public Builder accessLogFormat(AccessLogFormat value) {
            accessLogFormat = value;
            return this;
        }

        /** @param value see {@link ServerConfig#formLimits()} @return this */
        public Builder formLimits(FormLimits value) {
            formLimits = value;
            return this;
        }

        /** @param value see {@link ServerConfig#parkIdleAbove()} @return this */
        public Builder parkIdleAbove(int value) {
            parkIdleAbove = value;
            return this;
        }

        /** @param value see {@link ServerConfig#tls()} @return this */
        public Builder tls(TlsConfig value) {
            tls = value;
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException if a value is out of range
         */
        public ServerConfig build() {
            return new ServerConfig(this);
        }
    }
}
