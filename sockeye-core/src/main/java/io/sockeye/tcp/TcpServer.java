package io.sockeye.tcp;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * <p>One platform thread accepts; a permit per connection caps how many are open at once. At the cap, a
 * new client is admitted by closing the connections that have been idle longest (never one in the middle
 * of a unit of work); only when none is idle does it wait in the kernel's backlog, so a flood of idle
 * connections cannot lock new clients out (see {@link TcpConfig}). A second platform thread enforces the
 * connections' deadlines, shortening idle waits as the server fills up. Idle connections may be
 * {@linkplain TcpConnection#parkUntilReadable() parked} without a thread when there are many.
 * {@link #shutdown(Duration)} stops gracefully: it stops accepting, closes idle connections, lets active
 * ones finish up to a deadline, then closes what is left.
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
    /** How long the acceptor waits for a slot before it looks again for idle connections to close. */
    private static final long SLOT_WAIT_MILLIS = 20;
    /** How long the acceptor waits for the slots of connections it closed before it closes more. */
    private static final long RECLAIM_WAIT_MILLIS = 1000;
    private static final int MIN_RECLAIM_BATCH = 32;
    private static final int MAX_RECLAIM_BATCH = 1024;
    /** Reclaims closer together than this mean newcomers keep pressing on the cap. */
    private static final long PRESSING_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** A connection that has not yet finished a request is not reclaimed before this age. */
    private static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final TcpConfig config;
    private final ConnectionHandler handler;
    private final ServerSocketChannel serverChannel;
    private final InetSocketAddress boundAddress;
    private final int maxConnections;
    private final Semaphore permits;
    private final Set<TcpConnection> connections = ConcurrentHashMap.newKeySet();
    private final AddressCounts perAddress;
    private final AtomicLong ids = new AtomicLong();
    private final ThreadFactory connectionThreads;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread acceptor;
    private final Thread sweeper;
    private final String threadBase;
    private volatile IdleSelector idleSelector;
    private long lastReclaim;                       // acceptor thread only
    private boolean reclaimedOwn;                   // acceptor thread only: admit() closed one of the newcomer's own
    private int reclaimBatch = MIN_RECLAIM_BATCH;   // acceptor thread only
    private volatile boolean stopping;
    /** Set by {@link #shutdownNow()}: a graceful shutdown under way ends its grace period at once */
    private volatile boolean hurry;
    /** {@link System#nanoTime()} at the last sweep, plus one sweep interval: a deadline set from it never fires early. */
    private volatile long clock;

    private TcpServer(TcpConfig config, ConnectionHandler handler, ServerSocketChannel serverChannel) throws IOException {
        this.config = config;
        this.handler = handler;
        this.serverChannel = serverChannel;
        this.boundAddress = (InetSocketAddress) serverChannel.getLocalAddress();
        this.maxConnections = OpenFilesLimit.clampConnections(config.maxConnections(), LOG);
        this.permits = new Semaphore(maxConnections);
        this.perAddress = config.maxConnectionsPerAddress() > 0 ? new AddressCounts() : null;
        this.threadBase = "sockeye-" + config.name() + "-" + boundAddress.getPort();
        this.connectionThreads = Thread.ofVirtual().name(threadBase + "-conn-", 1).factory();
        this.acceptor = Thread.ofPlatform().name(threadBase + "-accept").daemon(false).unstarted(this::acceptLoop);
        this.sweeper = Thread.ofPlatform().name(threadBase + "-deadlines").daemon(true).unstarted(this::sweepLoop);
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

    /**
     * @return the connections open at once: {@link TcpConfig#maxConnections()}, or less if the open-files
     *         limit does not allow that many
     */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return the coarse clock deadlines are set from (see {@link TcpConnection#setTimeout(long)}) */
    long clock() {
        return clock;
    }

    /**
     * @return connections busy with a unit of work right now (a request, for HTTP): those a graceful
     *         {@link #shutdown(Duration)} waits for; idle ones are not counted
     */
    public int activeConnectionCount() {
        int n = 0;
        for (TcpConnection c : connections) {
            if (!c.isIdle()) n++;
        }
        return n;
    }

    /**
     * Stops now: as {@link #shutdown(Duration)} with no grace period, and if a graceful shutdown is
     * already under way (on another thread), ends its grace period at once, so that the connections still
     * busy are closed and their handlers interrupted now. Returns when the server has stopped.
     */
    public void shutdownNow() {
        hurry = true;
        shutdown(Duration.ZERO);
    }

    /** @return whether {@link #shutdown(Duration)} has begun */
    public boolean isStopping() {
        return stopping;
    }

    /** @return whether idle connections should wait parked, without a thread: there are many of them */
    boolean parkingAdvised() {
        return connections.size() > config.parkIdleAbove() && !stopping;
    }

    private void acceptLoop() {
        AcceptFailures failures = new AcceptFailures(LOG, port());
        while (!stopping) {
            try {
                acceptOne(failures);
            } catch (ClosedChannelException e) {
                break;
            } catch (RuntimeException | Error e) {
                // a bug here must not stop the server from accepting: log it, go on
                LOG.log(Level.ERROR, "the accept loop on port " + port() + " failed; accepting goes on", e);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    /** Accepts one client and starts serving it, once a slot is free. */
    private void acceptOne(AcceptFailures failures) throws ClosedChannelException {
        SocketChannel channel;
        try {
            channel = serverChannel.accept();
            failures.recovered();
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            if (stopping) throw new ClosedChannelException();
            // Out of file descriptors (EMFILE) and the like: idle connections hold descriptors that a
            // waiting client could use, so give some back, then back off rather than spin
            reclaimIdle(null);
            failures.failed(e);
            return;
        }
        // A client at its own cap is dealt with first, among its own connections: it must not make room at
        // everyone else's expense (by reclaiming their idle connections for a slot it is then refused)
        InetAddress counted = null;
        reclaimedOwn = false;
        if (perAddress != null) {
            counted = admit(channel);
            if (counted == null) {
                closeQuietly(channel);
                return;
            }
        }
        boolean slot = false;
        try {
            // a client that made room among its own connections takes that room, not anyone else's
            slot = permits.tryAcquire() || (reclaimedOwn && awaitOwnSlot()) || awaitSlot();
        } finally {
            if (!slot) {
                closeQuietly(channel);
                if (counted != null) perAddress.release(counted);
            }
        }
        if (slot) startConnection(channel, counted);
    }

    /** @return whether the slot of the connection admit() closed came free in time */
    private boolean awaitOwnSlot() {
        try {
            return permits.tryAcquire(RECLAIM_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Every slot is taken and a client is waiting: closes the longest-idle connections to make room, and
     * waits for a slot to free, looking again for idle connections while it waits.
     *
     * @return whether a slot was taken; {@code false} if the server is stopping
     */
    private boolean awaitSlot() {
        while (!stopping) {
            // the connections just closed give their slots back as their threads see the close: wait for
            // that (rather than close more meanwhile); with none idle, look again shortly
            long wait = reclaimIdle(null) > 0 ? RECLAIM_WAIT_MILLIS : SLOT_WAIT_MILLIS;
            try {
                if (permits.tryAcquire(wait, TimeUnit.MILLISECONDS)) return true;
            } catch (InterruptedException e) {
                return false;
            }
        }
        return false;
    }

    /**
     * Closes the connections idle the longest: a batch of them, so that a burst of newcomers does not scan
     * the connections for each one. As nginx drains its reusable connections, up to 32 at a time and an
     * eighth of those idle; when newcomers keep pressing (the last reclaim was moments ago), the batch
     * doubles each time, up to 1024, since each scan of the open connections costs as much as admitting
     * dozens of clients, and falls back to 32 once they stop.
     *
     * @param from only this client's connections (one at a time), or {@code null} for anyone's
     * @return how many were closed
     */
    private int reclaimIdle(InetAddress from) {
        int batch = 1;
        if (from == null) {
            long now = System.nanoTime();
            reclaimBatch = now - lastReclaim < PRESSING_NANOS ? Math.min(MAX_RECLAIM_BATCH, reclaimBatch * 2) : MIN_RECLAIM_BATCH;
            lastReclaim = now;
            batch = reclaimBatch;
        }
        OldestIdle<TcpConnection> oldest = new OldestIdle<>(batch);
        int idle = 0;
        long justAccepted = clock - FRESH_NANOS;
        for (TcpConnection c : connections) {
            if (!c.isIdle() || (from != null && !from.equals(c.countedAs()))) continue;
            // a connection accepted moments ago may have its first request on the way, not yet read:
            // closing it would lose that request, which clients do not retry (it was no kept-alive reuse)
            if (!c.served() && c.idleSince() - justAccepted > 0) continue;
            idle++;
            oldest.offer(c, c.idleSince(), c.id());
        }
        int closed = 0;
        int most = from != null ? 1 : Math.max(1, Math.min(batch, idle / 8));
        for (TcpConnection c : oldest.oldestFirst()) {
            if (closed == most) break;
            if (c.closeIfIdle()) closed++;
        }
        int n = closed;
        LOG.log(Level.DEBUG, () -> "closed " + n + " idle connection(s) to admit a new one"
                + (from == null ? "" : " from " + from.getHostAddress()));
        return closed;
    }

    /** Starts serving an accepted client that holds a slot (and its address's count, if counted). */
    private void startConnection(SocketChannel channel, InetAddress counted) {
        TcpConnection connection = null;
        try {
            InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
            if (config.tcpNoDelay()) channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (config.loopbackSendBuffer() > 0 && remote.getAddress().isLoopbackAddress()) {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, config.loopbackSendBuffer());
            }
            connection = new TcpConnection(this, channel, remote, (InetSocketAddress) channel.getLocalAddress(),
                    ids.incrementAndGet(), counted);
            connections.add(connection);
            // its handler runs at once, even when idle connections are being parked: it sets the deadline
            // within which a new connection must speak, then may park it
            startThread(connection);
        } catch (IOException | RuntimeException e) {
            // the peer reset before we got to it, or no thread could be started: drop this one, keep serving
            closeQuietly(channel);
            if (connection == null || connections.remove(connection)) {
                if (connection != null) connection.close();
                if (counted != null) perAddress.release(counted);
                permits.release();
            }
            if (!(e instanceof IOException)) LOG.log(Level.WARNING, "could not start a connection thread", e);
        }
    }

    /**
     * Counts a new connection against its address's cap (an IPv6 address by its /64, which one client
     * holds), closing one of that address's idle connections if it is full.
     *
     * @return the address as counted (to be released when the connection ends), or {@code null} if the
     *         connection is refused
     */
    private InetAddress admit(SocketChannel channel) {
        InetAddress key;
        try {
            key = AddressCounts.key(((InetSocketAddress) channel.getRemoteAddress()).getAddress());
        } catch (IOException e) {
            return null; // gone already
        }
        int cap = config.maxConnectionsPerAddress();
        if (perAddress.acquire(key, cap)) return key;
        if (reclaimIdle(key) > 0) {
            // the closed connection gives its count back when it ends; count this one now, over by one
            perAddress.acquire(key, Integer.MAX_VALUE);
            reclaimedOwn = true;
            return key;
        }
        perAddress.refused(key, cap, LOG);
        return null;
    }

    private void startThread(TcpConnection connection) {
        connectionThreads.newThread(() -> run(connection)).start();
    }

    /**
     * Hands a parked connection whose peer sent something back to its handler, on a new thread. Called by
     * the {@link IdleSelector}, which has taken the connection out of the parked state.
     */
    void resume(TcpConnection connection) {
        try {
            connection.channel().configureBlocking(true);
            connection.resumed();
            startThread(connection);
        } catch (IOException | RuntimeException e) {
            connection.close();
            ended(connection);
            if (!(e instanceof IOException)) LOG.log(Level.WARNING, "could not resume a connection", e);
        }
    }

    private void run(TcpConnection connection) {
        boolean parked = false;
        try {
            connection.runningOn(Thread.currentThread());
            if (stopping) return;
            handler.handle(connection);
            if (connection.takeParkRequest()) {
                connection.runningOn(null); // before it can be resumed on another thread
                parked = park(connection);
            }
        } catch (IOException e) {
            // peers vanish all the time; not worth more than a debug line
            LOG.log(Level.DEBUG, () -> connection + ": " + e);
        } catch (Exception e) {
            LOG.log(Level.ERROR, connection + ": connection handler failed", e);
        } catch (Error e) {
            LOG.log(Level.ERROR, connection + ": connection handler failed", e);
            throw e;
        } finally {
            if (!parked) {
                connection.close();
                ended(connection);
            }
        }
    }

    /** @return whether the connection was parked (and so is no longer this thread's to end) */
    private boolean park(TcpConnection connection) {
        if (stopping || !connection.isOpen() || !connection.isIdle()) return false;
        try {
            idleSelector().park(connection);
            return true;
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> connection + ": could not be parked: " + e);
            return false;
        }
    }

    private IdleSelector idleSelector() throws IOException {
        IdleSelector s = idleSelector;
        if (s != null) return s;
        synchronized (this) {
            if (idleSelector == null) idleSelector = new IdleSelector(this, threadBase + "-idle");
            return idleSelector;
        }
    }

    /** A connection is over: gives back its slot. Called once per connection, by whoever ended it. */
    void ended(TcpConnection connection) {
        if (!connections.remove(connection)) return;
        if (connection.countedAs() != null) perAddress.release(connection.countedAs());
        permits.release();
        IdleSelector s = idleSelector;
        if (s != null && !connection.channel().isBlocking()) s.wakeup(); // a parked channel is released by its selector
    }

    private void sweepLoop() {
        long interval = config.sweepInterval().toNanos();
        while (stopped.getCount() > 0) {
            LockSupport.parkNanos(interval);
            long now = System.nanoTime();
            clock = now + interval;
            double idleScale = idleScale(connections.size(), maxConnections);
            for (TcpConnection c : connections) {
                c.sweep(now, HARD_CLOSE_NANOS, idleScale);
            }
        }
    }

    /**
     * The share of an idle wait's allowance that is left at the present load: all of it up to half of
     * the slots taken, then less in proportion, down to a tenth when every slot is taken. A busy server
     * keeps its slots for clients that use them, and a new connection that says nothing (a slowloris
     * attack) is dropped sooner the harder it is pressed.
     */
    static double idleScale(int open, int max) {
        double load = (double) open / max;
        if (load <= 0.5) return 1;
        return Math.max(0.1, 1 - (load - 0.5) * 1.8);
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
            while (!connections.isEmpty() && System.nanoTime() - deadline < 0 && !hurry) {
                for (TcpConnection c : connections) c.closeIfIdle();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            int forced = 0;
            for (TcpConnection c : connections) {
                c.close();
                c.interrupt();
                if (c.unpark()) ended(c); // parked: no thread of its own will end it
                forced++;
            }
            if (forced > 0) {
                LOG.log(Level.INFO, "closed " + forced + " connection(s) still busy "
                        + (hurry ? "when told to stop now" : "after the " + grace.toMillis() + " ms grace period"));
            }
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
            IdleSelector s = idleSelector;
            if (s != null) s.stop();
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
