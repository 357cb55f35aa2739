package io.sockeye.tcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link TcpServer} listens and how many connections it serves at once.
 *
 * <p>Immutable; start from {@link #defaults()} and change what you need with the {@code with*} methods.
 *
 * @param address        where to listen; an unresolved or wildcard address with port 0 picks a free port
 * @param backlog        the listen queue length handed to the kernel (connections accepted by the kernel
 *                       but not yet by the server wait there)
 * @param maxConnections connections served at once; further ones wait in the backlog until a slot frees
 * @param tcpNoDelay     whether {@code TCP_NODELAY} is set on accepted sockets (on for request/response
 *                       protocols, whose small writes would otherwise wait on delayed ACKs)
 * @param sweepInterval  how often connection deadlines are checked; the resolution of every timeout
 * @param name           a short name for thread names and log lines
 * @param loopbackSendBuffer the send buffer ({@code SO_SNDBUF}) of connections from this machine, or 0
 *                       to leave it to the kernel. On loopback a large, autotuned buffer only queues
 *                       data that is then sent from the receiver's side as it acknowledges, on the
 *                       receiver's CPU; a modest fixed one (256 KiB by default) keeps sending with the
 *                       sender, which measured here tripled the rate of large downloads to a local client.
 *                       Remote peers keep autotuning, which long, fast paths need.
 */
public record TcpConfig(InetSocketAddress address, int backlog, int maxConnections, boolean tcpNoDelay,
                        Duration sweepInterval, String name, int loopbackSendBuffer) {

    /** Validates the values. */
    public TcpConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(sweepInterval, "sweepInterval");
        Objects.requireNonNull(name, "name");
        if (backlog < 1) throw new IllegalArgumentException("backlog must be at least 1: " + backlog);
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
        if (sweepInterval.toMillis() < 1) throw new IllegalArgumentException("sweepInterval must be at least 1 ms");
        if (loopbackSendBuffer < 0) throw new IllegalArgumentException("loopbackSendBuffer must not be negative");
    }

    /**
     * Port 8000 on all interfaces, a backlog of 1024, 10,000 connections, {@code TCP_NODELAY} on,
     * deadlines checked every 250 ms, a 256 KiB send buffer for local peers.
     *
     * @return the defaults
     */
    public static TcpConfig defaults() {
        return new TcpConfig(new InetSocketAddress(8000), 1024, 10_000, true, Duration.ofMillis(250), "tcp", 256 * 1024);
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
        return new TcpConfig(newAddress, backlog, maxConnections, tcpNoDelay, sweepInterval, name, loopbackSendBuffer);
    }

    /** @param newBacklog the listen queue length @return a copy with it */
    public TcpConfig withBacklog(int newBacklog) {
        return new TcpConfig(address, newBacklog, maxConnections, tcpNoDelay, sweepInterval, name, loopbackSendBuffer);
    }

    /** @param newMax connections served at once @return a copy with it */
    public TcpConfig withMaxConnections(int newMax) {
        return new TcpConfig(address, backlog, newMax, tcpNoDelay, sweepInterval, name, loopbackSendBuffer);
    }

    /** @param on whether to set {@code TCP_NODELAY} @return a copy with it */
    public TcpConfig withTcpNoDelay(boolean on) {
        return new TcpConfig(address, backlog, maxConnections, on, sweepInterval, name, loopbackSendBuffer);
    }

    /** @param interval how often deadlines are checked @return a copy with it */
    public TcpConfig withSweepInterval(Duration interval) {
        return new TcpConfig(address, backlog, maxConnections, tcpNoDelay, interval, name, loopbackSendBuffer);
    }

    /** @param newName a short name for threads and logs @return a copy with it */
    public TcpConfig withName(String newName) {
        return new TcpConfig(address, backlog, maxConnections, tcpNoDelay, sweepInterval, newName, loopbackSendBuffer);
    }

    /** @param bytes the send buffer for peers on this machine, or 0 for the kernel's choice @return a copy with it */
    public TcpConfig withLoopbackSendBuffer(int bytes) {
        return new TcpConfig(address, backlog, maxConnections, tcpNoDelay, sweepInterval, name, bytes);
    }
}
