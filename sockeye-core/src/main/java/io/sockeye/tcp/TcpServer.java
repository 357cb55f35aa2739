package io.sockeye.tcp;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP server that runs a {@link ConnectionHandler} on one virtual thread per accepted connection.
 *
 * <p>One platform thread accepts; a permit per connection caps how many are served at once (excess
 * connections wait in the kernel's backlog, so a flood slows the server down rather than bringing it
 * down); a second platform thread enforces the connections' deadlines. {@link #shutdown(Duration)} stops
 * gracefully: it stops accepting, closes idle connections, lets active ones finish up to a deadline, then
 * closes what is left.
 *
 * <pre>{@code
 * try (TcpServer server = TcpServer.start(TcpConfig.defaults().withAddress(null, 0), handler)) {
 *     System.out.println("listening on " + server.port());
 *     ...
 * } // close() stops gracefully, waiting up to 5 seconds
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class TcpServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("io.sockeye");
    private static final long HARD_CLOSE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    private final TcpConfig config;
    private final ConnectionHandler handler;
    private final ServerSocketChannel serverChannel;
    private final InetSocketAddress boundAddress;
    private final Semaphore permits;
    private final Set<TcpConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private final ThreadFactory connectionThreads;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread acceptor;
    private final Thread sweeper;
    private volatile boolean stopping;
    /** {@link System#nanoTime()} at the last sweep, plus one sweep interval: a deadline set from it never fires early. */
    private volatile long clock;

    private TcpServer(TcpConfig config, ConnectionHandler handler, ServerSocketChannel serverChannel) throws IOException {
        this.config = config;
        this.handler = handler;
        this.serverChannel = serverChannel;
        this.boundAddress = (InetSocketAddress) serverChannel.getLocalAddress();
        this.permits = new Semaphore(config.maxConnections());
        String base = "sockeye-" + config.name() + "-" + boundAddress.getPort();
        this.connectionThreads = Thread.ofVirtual().name(base + "-conn-", 1).factory();
        this.acceptor = Thread.ofPlatform().name(base + "-accept").daemon(false).unstarted(this::acceptLoop);
        this.sweeper = Thread.ofPlatform().name(base + "-deadlines").daemon(true).unstarted(this::sweepLoop);
        this.clock = System.nanoTime() + config.sweepInterval().toNanos();
    }

    /**
     * Binds and starts serving; returns once the socket is listening.
     *
     * @param config  where to listen and how many connections to serve at once
     * @param handler what to run for each connection
     * @return the running server
     * @throws BindException if the address is taken or cannot be bound, with a message that says which
     * @throws IOException   if the socket cannot be opened
     */
    public static TcpServer start(TcpConfig config, ConnectionHandler handler) throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(handler, "handler");
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(config.address(), config.backlog());
        } catch (BindException e) {
            channel.close();
            BindException clear = new BindException("cannot listen on " + describe(config.address()) + ": "
                    + (e.getMessage() == null ? "address unavailable" : e.getMessage()));
            clear.initCause(e);
            throw clear;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        TcpServer server = new TcpServer(config, handler, channel);
        server.sweeper.start();
        server.acceptor.start();
        return server;
    }

    private static String describe(InetSocketAddress address) {
        String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** @return the address the server is bound to, with the actual port */
    public InetSocketAddress localAddress() {
        return boundAddress;
    }

    /** @return the port the server listens on (the one the kernel picked, if port 0 was asked for) */
    public int port() {
        return boundAddress.getPort();
    }

    /** @return connections open right now */
    public int connectionCount() {
        return connections.size();
    }

    /** @return the coarse clock deadlines are set from (see {@link TcpConnection#setTimeout(long)}) */
    long clock() {
        return clock;
    }

    /** @return whether {@link #shutdown(Duration)} has begun */
    public boolean isStopping() {
        return stopping;
    }

    private void acceptLoop() {
        long backoffMillis = 0;
        while (!stopping) {
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                break;
            }
            SocketChannel channel;
            try {
                channel = serverChannel.accept();
                backoffMillis = 0;
            } catch (ClosedChannelException e) {
                permits.release();
                break;
            } catch (IOException e) {
                permits.release();
                if (stopping) break;
                // Out of file descriptors and the like: back off as Go's Server.Serve does, from 5 ms to 1 s,
                // so that the loop does not spin while the condition lasts.
                backoffMillis = backoffMillis == 0 ? 5 : Math.min(backoffMillis * 2, 1000);
                LOG.log(Level.WARNING, "accept failed on port " + port() + ": " + e + "; retrying in " + backoffMillis + " ms");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMillis));
                continue;
            }
            startConnection(channel);
        }
    }

    private void startConnection(SocketChannel channel) {
        TcpConnection connection = null;
        try {
            if (config.tcpNoDelay()) channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
            if (config.loopbackSendBuffer() > 0 && remote.getAddress().isLoopbackAddress()) {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, config.loopbackSendBuffer());
            }
            connection = new TcpConnection(this, channel, remote, (InetSocketAddress) channel.getLocalAddress(),
                    ids.incrementAndGet());
            connections.add(connection);
            TcpConnection started = connection;
            connectionThreads.newThread(() -> run(started)).start();
        } catch (IOException | RuntimeException e) {
            // the peer reset before we got to it, or no thread could be started: drop this one, keep serving
            if (connection != null) connections.remove(connection);
            closeQuietly(channel);
            permits.release();
            if (!(e instanceof IOException)) LOG.log(Level.WARNING, "could not start a connection thread", e);
        }
    }

    private void run(TcpConnection connection) {
        try {
            connection.runningOn(Thread.currentThread());
            if (stopping) return;
            handler.handle(connection);
        } catch (IOException e) {
            // peers vanish all the time; not worth more than a debug line
            LOG.log(Level.DEBUG, () -> connection + ": " + e);
        } catch (Exception e) {
            LOG.log(Level.ERROR, connection + ": connection handler failed", e);
        } catch (Error e) {
            LOG.log(Level.ERROR, connection + ": connection handler failed", e);
            throw e;
        } finally {
            connection.close();
            connections.remove(connection);
            permits.release();
        }
    }

    private void sweepLoop() {
        long interval = config.sweepInterval().toNanos();
        while (stopped.getCount() > 0) {
            LockSupport.parkNanos(interval);
            long now = System.nanoTime();
            clock = now + interval;
            for (TcpConnection c : connections) {
                c.sweep(now, HARD_CLOSE_NANOS);
            }
        }
    }

    /**
     * Stops the server gracefully: stops accepting, closes idle connections at once, lets active ones
     * finish their current unit of work for up to {@code grace}, then closes whatever is still open,
     * interrupts the threads of handlers still running, and waits up to 2 seconds more for them to end (a
     * handler that ignores both is logged and left behind). Returns when done; safe to call more than once.
     *
     * @param grace how long active connections may take to finish
     */
    public void shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        synchronized (this) {
            if (stopping) {
                awaitStopped();
                return;
            }
            stopping = true;
        }
        try {
            closeQuietly(serverChannel);
            acceptor.interrupt();
            joinQuietly(acceptor);
            long deadline = System.nanoTime() + grace.toNanos();
            while (!connections.isEmpty() && System.nanoTime() - deadline < 0) {
                for (TcpConnection c : connections) c.closeIfIdle();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            int forced = 0;
            for (TcpConnection c : connections) {
                c.close();
                c.interrupt();
                forced++;
            }
            if (forced > 0) LOG.log(Level.INFO, "closed " + forced + " connection(s) still busy after the " + grace.toMillis() + " ms grace period");
            long threadsDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (!connections.isEmpty() && System.nanoTime() - threadsDeadline < 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            if (!connections.isEmpty()) {
                LOG.log(Level.WARNING, connections.size() + " connection handler(s) still running 2 s after their sockets were closed");
            }
        } finally {
            stopped.countDown();
            LockSupport.unpark(sweeper);
            joinQuietly(sweeper);
        }
    }

    /** Stops gracefully with a 5 second grace period; see {@link #shutdown(Duration)}. */
    @Override
    public void close() {
        shutdown(DEFAULT_GRACE);
    }

    /**
     * Blocks until the server has stopped.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    private void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // a socket that fails to close is already broken; nothing is left to release
        }
    }
}
