package io.sockeye.tcp;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * One accepted connection: its channel, its peers' addresses, a deadline, and the idle/active state
 * that graceful shutdown relies on.
 *
 * <h2>States</h2>
 * A connection starts {@linkplain #markIdle() idle} (waiting for the peer to say something). A protocol
 * marks it {@linkplain #markActive() active} once a unit of work (an HTTP request, say) has begun and
 * idle again when that unit is finished. When the server stops it closes idle connections at once and
 * lets active ones finish their unit of work; {@link #isStopping()} tells the protocol to stop after it.
 *
 * <h2>Deadlines</h2>
 * A blocking read or write has no timeout of its own, so the server checks deadlines for it: once the
 * {@linkplain #setDeadline(long) deadline} has passed, the server marks the connection
 * {@linkplain #timedOut() timed out} and shuts its input down, so that a blocked read returns end of
 * stream and the protocol can still answer (HTTP's 408, say). If the connection is still open a moment
 * later (a write blocked on a peer that does not read, for one), the server closes the channel, which
 * ends any blocked operation with an exception.
 *
 * <p>Writes have a deadline of their own ({@link #setWriteTimeout(long)}): a protocol may read on one
 * thread while it writes on another (a request body copied elsewhere while the response streams), and
 * the writer finishing must not lift the reader's deadline, or a peer that stops sending mid-body would
 * hold the connection for ever.
 *
 * <p>The time an idle connection may wait for its peer shrinks as the server fills up: above half of
 * its connection slots, the allowance a protocol set for an idle wait is scaled down in proportion, to a
 * tenth of it when every slot is taken. An idle connection may also be closed at once, oldest first, to
 * admit a new client when every slot is taken (see {@link TcpConfig}).
 *
 * <h2>Parking</h2>
 * An idle connection normally waits for its peer in a blocking read on its own virtual thread, which
 * costs nothing to resume but holds the thread's stack (about 3 KiB) and whatever buffers the protocol
 * keeps. When the server holds many connections, a protocol that has nothing buffered may instead
 * {@linkplain #parkUntilReadable() park} the connection: its handler returns, the server waits for the
 * peer's next bytes in a shared selector, and then calls the handler again, on a new thread, with this
 * same connection; {@link #attach(Object)} keeps the protocol's state in between.
 *
 * <p>The state and deadline methods are safe to call from any thread; the channel is meant to be used by
 * the connection's own thread.
 */
public final class TcpConnection {

    private static final int IDLE = 0;
    private static final int ACTIVE = 1;
    private static final int CLOSED = 2;
    private static final VarHandle STATE;
    private static final VarHandle DEADLINE;
    private static final VarHandle WRITE_DEADLINE;
    private static final VarHandle PARKED;
    private static final VarHandle SHRINK_FROM;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(TcpConnection.class, "state", int.class);
            DEADLINE = MethodHandles.lookup().findVarHandle(TcpConnection.class, "deadline", long.class);
            WRITE_DEADLINE = MethodHandles.lookup().findVarHandle(TcpConnection.class, "writeDeadline", long.class);
            PARKED = MethodHandles.lookup().findVarHandle(TcpConnection.class, "parked", boolean.class);
            SHRINK_FROM = MethodHandles.lookup().findVarHandle(TcpConnection.class, "shrinkFrom", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TcpServer server;
    private final SocketChannel channel;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final long id;
    /** The address this connection counts against for the per-address cap (an IPv6 one's /64), or {@code null}. */
    private final InetAddress countedAs;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state = IDLE;
    @SuppressWarnings("unused") // accessed through DEADLINE
    private long deadline; // System.nanoTime() value, 0 = none; written with release, read by the sweeper
    @SuppressWarnings("unused") // accessed through WRITE_DEADLINE
    private long writeDeadline; // the same, for writes
    private volatile boolean timedOut;
    private long expiredAt;         // only touched by the sweeper
    private volatile Thread thread;
    /** The server's clock when the connection last became idle: the age that decides who is reclaimed first. */
    private volatile long idleSince;
    /** When a deadline that shrinks with the server's load was set (see {@link #setShrinkingTimeout}); 0: the deadline does not shrink. */
    @SuppressWarnings("unused") // accessed through SHRINK_FROM
    private long shrinkFrom;
    /** Whether the connection has finished a unit of work: a new one that has not may be reading its first request. */
    private volatile boolean served;
    /** Parked in the server's selector, with no thread: whoever clears this owns the connection. */
    @SuppressWarnings("unused") // accessed through PARKED
    private volatile boolean parked;
    private boolean parkRequested;  // only touched by the connection's thread
    private boolean resumed;        // set before a resumed connection's thread starts, read by it
    private Object attachment;      // only touched by the connection's thread (one at a time)

    TcpConnection(TcpServer server, SocketChannel channel, InetSocketAddress remote, InetSocketAddress local, long id,
                  InetAddress countedAs) {
        this.server = server;
        this.countedAs = countedAs;
        this.channel = channel;
        this.remote = remote;
        this.local = local;
        this.id = id;
        this.idleSince = server.clock();
    }

    /** @return the connected channel, in blocking mode */
    public SocketChannel channel() {
        return channel;
    }

    /** @return the peer's address */
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    /** @return the address this end of the connection is bound to */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** @return what the connection counts against for the per-address cap, or {@code null} if there is none */
    InetAddress countedAs() {
        return countedAs;
    }

    /** @return a number unique among this server's connections, for logs */
    public long id() {
        return id;
    }

    /**
     * Marks the start of a unit of work. Fails when the server closed the connection while it was idle,
     * in which case the protocol should give up on it without answering.
     *
     * @return {@code true} if the connection is now active
     */
    public boolean markActive() {
        return STATE.compareAndSet(this, IDLE, ACTIVE) || (int) STATE.getVolatile(this) == ACTIVE;
    }

    /**
     * Marks the end of a unit of work: from now on the server may close the connection when it stops.
     *
     * @return {@code false} if the server is stopping, in which case the protocol should close now
     */
    public boolean markIdle() {
        idleSince = server.clock();
        served = true;
        if (!STATE.compareAndSet(this, ACTIVE, IDLE) && (int) STATE.getVolatile(this) != IDLE) return false;
        return !server.isStopping();
    }

    /**
     * Asks, while idle with nothing of the peer's buffered, to wait for the peer's next bytes without a
     * thread: if the server is holding more connections than {@link TcpConfig#parkIdleAbove()}, this
     * returns {@code true} and the handler should return at once (keeping its state in
     * {@link #attach(Object)}); the server calls it again, on a new thread, when the peer sends more, or
     * closes the connection if its deadline passes (or the server needs the slot, or stops) first. The
     * read deadline set before the call still bounds the wait. The first call after the handler was
     * called again for a resumed connection returns {@code false}: the peer has sent something (or
     * closed), which must be read before the connection can be parked again.
     *
     * @return {@code true} if the connection will be parked once the handler returns; {@code false} to
     *         wait in a blocking read as usual
     */
    public boolean parkUntilReadable() {
        if (resumed) {
            resumed = false;
            return false;
        }
        if (!server.parkingAdvised() || (int) STATE.getVolatile(this) != IDLE) return false;
        parkRequested = true;
        return true;
    }

    /** @return whether the handler that just returned asked to be parked (and clears the request) */
    boolean takeParkRequest() {
        boolean r = parkRequested;
        parkRequested = false;
        return r;
    }

    /** Marks the connection parked: from now on, whoever {@linkplain #unpark() unparks} it owns it. */
    void parked() {
        PARKED.setVolatile(this, true);
    }

    /** Marks a connection taken out of the parked state because its peer sent something, before its handler runs again. */
    void resumed() {
        resumed = true;
    }

    /** @return whether this call took the connection out of the parked state (so the caller owns it now) */
    boolean unpark() {
        return PARKED.compareAndSet(this, true, false);
    }

    /** @return whether the connection waits in the server's selector, with no thread */
    boolean isParked() {
        return (boolean) PARKED.getVolatile(this);
    }

    /** @return whether the connection is idle (between units of work, or before the first) */
    boolean isIdle() {
        return (int) STATE.getVolatile(this) == IDLE;
    }

    /** @return the server's clock reading when the connection last became idle (or was accepted) */
    long idleSince() {
        return idleSince;
    }

    /** @return whether the connection has finished a unit of work (so it is not reading its first request) */
    boolean served() {
        return served;
    }

    /**
     * Keeps a protocol's state for this connection, for a handler called again after
     * {@linkplain #parkUntilReadable() parking}.
     *
     * @param value the state, or {@code null}
     */
    public void attach(Object value) {
        attachment = value;
    }

    /** @return what was {@linkplain #attach(Object) attached}, or {@code null} */
    public Object attachment() {
        return attachment;
    }

    /** @return whether the server is stopping, so the current unit of work should be the last */
    public boolean isStopping() {
        return server.isStopping();
    }

    /**
     * Sets when the current read (or other wait for the peer) must have finished; writes have
     * {@link #setWriteTimeout(long)}.
     *
     * @param nanoTime a {@link System#nanoTime()} value
     */
    public void setDeadline(long nanoTime) {
        SHRINK_FROM.setRelease(this, 0L);
        DEADLINE.setRelease(this, asDeadline(nanoTime));
    }

    /**
     * Like {@link #setTimeout(long)}, for a wait a busy server should cut short: an idle connection's
     * wait for its next request, or a request head still arriving. Above half of the server's connection
     * slots, the time allowed shrinks in proportion, to a tenth of it with every slot taken, so that the
     * slots go to clients that use them (and a client sending a head a byte at a time, or nothing, is
     * dropped sooner the harder the server is pressed).
     *
     * @param nanos how long the wait may take on a server with room
     */
    public void setShrinkingTimeout(long nanos) {
        long from = server.clock();
        DEADLINE.setRelease(this, asDeadline(from + nanos));
        SHRINK_FROM.setRelease(this, asDeadline(from));
    }

    /**
     * Sets the deadline to at least {@code nanos} from now, reading the server's clock (which the sweeper
     * advances on every pass) rather than the system's: as exact as the enforcement itself, which happens
     * at the sweeps, and cheap enough to call around every read and write.
     *
     * @param nanos how long the operation under way may take
     */
    public void setTimeout(long nanos) {
        setDeadline(server.clock() + nanos);
    }

    /** Removes the deadline: the connection may wait (for a handler's slow work, say) indefinitely. */
    public void clearDeadline() {
        SHRINK_FROM.setRelease(this, 0L);
        DEADLINE.setRelease(this, 0L);
    }

    /**
     * Like {@link #setTimeout(long)}, for the write under way: a deadline apart from the reads' one.
     *
     * @param nanos how long the write may take
     */
    public void setWriteTimeout(long nanos) {
        WRITE_DEADLINE.setRelease(this, asDeadline(server.clock() + nanos));
    }

    /** Removes the write deadline. */
    public void clearWriteDeadline() {
        WRITE_DEADLINE.setRelease(this, 0L);
    }

    /** @return whether a deadline passed; a read that returned end of stream may mean only this */
    public boolean timedOut() {
        return timedOut;
    }

    /** @return whether {@link #close()} has not been called (the peer may still have closed its end) */
    public boolean isOpen() {
        return (int) STATE.getVolatile(this) != CLOSED && channel.isOpen();
    }

    /** Closes the channel now; blocked reads and writes end with an exception. Idempotent. */
    public void close() {
        STATE.setVolatile(this, CLOSED);
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket fails only if it is already broken; nothing is left to release
        }
    }

    void runningOn(Thread t) {
        thread = t;
    }

    /** Interrupts the connection's thread, for a handler still busy after its socket was closed. */
    void interrupt() {
        Thread t = thread;
        if (t != null) t.interrupt();
    }

    /**
     * Closes the connection if it is idle: when the server stops, or needs its slot. A parked connection
     * is then ended by the caller's server (no thread of its own will).
     *
     * @return whether it was idle (and is now closed)
     */
    boolean closeIfIdle() {
        if (STATE.compareAndSet(this, IDLE, CLOSED)) {
            close();
            if (unpark()) server.ended(this);
            return true;
        }
        return false;
    }

    /**
     * Called by the sweeper on every pass.
     *
     * @param idleScale how much of a {@linkplain #setShrinkingTimeout shrinking} wait's allowance is left
     *                  under the server's present load, from 1 (all of it) down
     */
    void sweep(long now, long hardCloseNanos, double idleScale) {
        long from = (long) SHRINK_FROM.getAcquire(this);
        long readDeadline = (long) DEADLINE.getAcquire(this);
        // a deadline set meanwhile (the two fields are not written as one) is left whole this time round
        if (from != 0 && readDeadline != 0 && idleScale < 1 && from == (long) SHRINK_FROM.getAcquire(this)) {
            readDeadline = asDeadline(from + (long) ((readDeadline - from) * idleScale));
        }
        if (!passed(readDeadline, now) && !passed((long) WRITE_DEADLINE.getAcquire(this), now)) {
            return;
        }
        if (isParked()) {
            // nobody is reading: an idle wait that ran out simply ends
            if (STATE.compareAndSet(this, IDLE, CLOSED) && unpark()) {
                close();
                server.ended(this);
            }
            return;
        }
        if (!timedOut) {
            timedOut = true;
            expiredAt = now;
            try {
                channel.shutdownInput();
            } catch (IOException e) {
                closeAndEndIfParked();
            }
        } else if (now - expiredAt >= hardCloseNanos) {
            closeAndEndIfParked();
        }
    }

    /** Closes; and if the connection was parked meanwhile (no thread of its own will end it), ends it. */
    private void closeAndEndIfParked() {
        close();
        if (unpark()) server.ended(this);
    }

    /** 0 stands for no deadline: a moment that happens to be 0 is taken as the next one. */
    private static long asDeadline(long nanoTime) {
        return nanoTime == 0 ? 1 : nanoTime;
    }

    private static boolean passed(long deadline, long now) {
        return deadline != 0 && now - deadline >= 0;
    }

    @Override
    public String toString() {
        return "connection " + id + " from " + remote;
    }
}
