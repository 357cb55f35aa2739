package io.sockeye.tcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link TcpServer} listens and how many connections it serves at once. Immutable; start from
 * {@link #defaults()} and change what you need with the {@code with*} methods, or with a
 * {@linkplain #toBuilder() builder} for several at once:
 *
 * <pre>{@code
 * TcpConfig config = TcpConfig.defaults().toBuilder()
 *         .address(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
 *         .maxConnections(20_000)
 *         .maxConnectionsPerAddress(64)
 *         .build();
 * }</pre>
 *
 * <h2>Connection slots</h2>
 * At most {@link #maxConnections()} connections are open at once. When a new client arrives and every
 * slot is taken, the server closes the connections that have been idle the longest (waiting for a
 * request, never one in the middle of one) to admit it, as nginx reuses its keep-alive connections; only
 * when none is idle does the newcomer wait in the kernel's backlog. The cap is lowered at start to what the
 * open-files limit ({@code ulimit -n}) allows, with room left for files and pipes. An optional cap per
 * client address ({@link #maxConnectionsPerAddress()}) keeps one address from taking every slot.
 */
public final class TcpConfig {

    private final InetSocketAddress address;
    private final int backlog;
    private final int maxConnections;
    private final int maxConnectionsPerAddress;
    private final boolean tcpNoDelay;
    private final Duration sweepInterval;
    private final String name;
    private final int loopbackSendBuffer;
    private final int parkIdleAbove;

    private TcpConfig(Builder b) {
        this.address = Objects.requireNonNull(b.address, "address");
        this.sweepInterval = Objects.requireNonNull(b.sweepInterval, "sweepInterval");
        this.name = Objects.requireNonNull(b.name, "name");
        if (b.backlog < 1) throw new IllegalArgumentException("backlog must be at least 1: " + b.backlog);
        if (b.maxConnections < 1) throw new IllegalArgumentException("maxConnections must be at least 1: " + b.maxConnections);
        if (b.maxConnectionsPerAddress < 0) throw new IllegalArgumentException("maxConnectionsPerAddress must not be negative");
        if (b.sweepInterval.toMillis() < 1) throw new IllegalArgumentException("sweepInterval must be at least 1 ms");
        if (b.loopbackSendBuffer < 0) throw new IllegalArgumentException("loopbackSendBuffer must not be negative");
        if (b.parkIdleAbove < 0) throw new IllegalArgumentException("parkIdleAbove must not be negative");
        this.backlog = b.backlog;
        this.maxConnections = b.maxConnections;
        this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
        this.tcpNoDelay = b.tcpNoDelay;
        this.loopbackSendBuffer = b.loopbackSendBuffer;
        this.parkIdleAbove = b.parkIdleAbove;
    }

    /**
     * Port 8000 on all interfaces, a backlog of 1024, 10,000 connections, no cap per address,
     * {@code TCP_NODELAY} on, deadlines checked every 250 ms, a 256 KiB send buffer for local peers, idle
     * connections parked without a thread above 256 open connections.
     *
     * @return the defaults
     */
    public static TcpConfig defaults() {
        return new Builder().build();
    }

    /** @return a builder holding this configuration's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** @return where to listen; an unresolved or wildcard address with port 0 picks a free port */
    public InetSocketAddress address() {
        return address;
    }

    /** @return the listen queue length handed to the kernel (accepted by the kernel, not yet by the server) */
    public int backlog() {
        return backlog;
    }

    /** @return connections open at once; see the class description for what happens at the cap */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * @return connections one client address may hold at once, or 0 for no such cap. A client at its cap
     *         that connects again has its own longest-idle connection closed to make room, or, with none
     *         idle, the new connection closed at once (IPv6 addresses count one by one, not by prefix)
     */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    /**
     * @return whether {@code TCP_NODELAY} is set on accepted sockets (on for request/response protocols,
     *         whose small writes would otherwise wait on delayed ACKs)
     */
    public boolean tcpNoDelay() {
        return tcpNoDelay;
    }

    /** @return how often connection deadlines are checked; the resolution of every timeout */
    public Duration sweepInterval() {
        return sweepInterval;
    }

    /** @return a short name for thread names and log lines */
    public String name() {
        return name;
    }

    /**
     * @return the send buffer ({@code SO_SNDBUF}) of connections from this machine, or 0 to leave it to
     *         the kernel. On loopback a large, autotuned buffer only queues data that is then sent from
     *         the receiver's side as it acknowledges, on the receiver's CPU; a modest fixed one (256 KiB by
     *         default) keeps sending with the sender, which measured here tripled the rate of large
     *         downloads to a local client. Remote peers keep autotuning, which long, fast paths need.
     */
    public int loopbackSendBuffer() {
        return loopbackSendBuffer;
    }

    /**
     * @return how many open connections the server keeps each on a thread of its own while it waits for
     *         its peer; above this, an idle connection {@linkplain TcpConnection#parkUntilReadable() may
     *         be parked} in a shared selector with no thread, stack or buffers until its peer sends more
     *         (a few hundred bytes each instead of several KiB). Below it, waits cost no hand-off at all.
     */
    public int parkIdleAbove() {
        return parkIdleAbove;
    }

    /**
     * @param host an address or host name to bind, or {@code null} for all interfaces
     * @param port a port, or 0 for any free one
     * @return a copy listening there
     */
    public TcpConfig withAddress(InetAddress host, int port) {
        return withAddress(host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port));
    }

    /** @param newAddress where to listen @return a copy listening there */
    public TcpConfig withAddress(InetSocketAddress newAddress) {
        return toBuilder().address(newAddress).build();
    }

    /** @param newBacklog the listen queue length @return a copy with it */
    public TcpConfig withBacklog(int newBacklog) {
        return toBuilder().backlog(newBacklog).build();
    }

    /** @param newMax connections open at once @return a copy with it */
    public TcpConfig withMaxConnections(int newMax) {
        return toBuilder().maxConnections(newMax).build();
    }

    /** @param on whether to set {@code TCP_NODELAY} @return a copy with it */
    public TcpConfig withTcpNoDelay(boolean on) {
        return toBuilder().tcpNoDelay(on).build();
    }

    /** @param interval how often deadlines are checked @return a copy with it */
    public TcpConfig withSweepInterval(Duration interval) {
        return toBuilder().sweepInterval(interval).build();
    }

    /** @param newName a short name for threads and logs @return a copy with it */
    public TcpConfig withName(String newName) {
        return toBuilder().name(newName).build();
    }

    /** @param bytes the send buffer for peers on this machine, or 0 for the kernel's choice @return a copy with it */
    public TcpConfig withLoopbackSendBuffer(int bytes) {
        return toBuilder().loopbackSendBuffer(bytes).build();
    }

    @Override
    public String toString() {
        return "TcpConfig[" + address + ", backlog " + backlog + ", max " + maxConnections
                + (maxConnectionsPerAddress > 0 ? " (" + maxConnectionsPerAddress + " per address)" : "") + "]";
    }

    /** Collects the values of a {@link TcpConfig}; each method sets one and returns the builder. */
    public static final class Builder {
        private InetSocketAddress address = new InetSocketAddress(8000);
        private int backlog = 1024;
        private int maxConnections = 10_000;
        private int maxConnectionsPerAddress;
        private boolean tcpNoDelay = true;
        private Duration sweepInterval = Duration.ofMillis(250);
        private String name = "tcp";
        private int loopbackSendBuffer = 256 * 1024;
        private int parkIdleAbove = 256;

        private Builder() {
        }

        private Builder(TcpConfig c) {
            address = c.address;
            backlog = c.backlog;
            maxConnections = c.maxConnections;
            maxConnectionsPerAddress = c.maxConnectionsPerAddress;
            tcpNoDelay = c.tcpNoDelay;
            sweepInterval = c.sweepInterval;
            name = c.name;
            loopbackSendBuffer = c.loopbackSendBuffer;
            parkIdleAbove = c.parkIdleAbove;
        }

        /** @param value see {@link TcpConfig#address()} @return this */
        public Builder address(InetSocketAddress value) {
            address = value;
            return this;
        }

        /** @param value see {@link TcpConfig#backlog()} @return this */
        public Builder backlog(int value) {
            backlog = value;
            return this;
        }

        /** @param value see {@link TcpConfig#maxConnections()} @return this */
        public Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        /** @param value see {@link TcpConfig#maxConnectionsPerAddress()} @return this */
        public Builder maxConnectionsPerAddress(int value) {
            maxConnectionsPerAddress = value;
            return this;
        }

        /** @param value see {@link TcpConfig#tcpNoDelay()} @return this */
        public Builder tcpNoDelay(boolean value) {
            tcpNoDelay = value;
            return this;
        }

        /** @param value see {@link TcpConfig#sweepInterval()} @return this */
        public Builder sweepInterval(Duration value) {
            sweepInterval = value;
            return this;
        }

        /** @param value see {@link TcpConfig#name()} @return this */
        public Builder name(String value) {
            name = value;
            return this;
        }

        /** @param value see {@link TcpConfig#loopbackSendBuffer()} @return this */
        public Builder loopbackSendBuffer(int value) {
            loopbackSendBuffer = value;
            return this;
        }

        /** @param value see {@link TcpConfig#parkIdleAbove()} @return this */
        public Builder parkIdleAbove(int value) {
            parkIdleAbove = value;
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException if a value is out of range
         */
        public TcpConfig build() {
            return new TcpConfig(this);
        }
    }
}
