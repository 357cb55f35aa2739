package io.sockeye.tls;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

import io.sockeye.buffers.ByteArrayPool;

/**
 * A TLS connection as a byte channel: plaintext in and out, records on the socket underneath, through
 * an {@link SSLEngine}. Blocking, like the socket channel it wraps (on a virtual thread a blocked read
 * or write parks the thread), so the HTTP code reads and writes it exactly as it does a plain socket.
 *
 * <p>Threads: one thread reads (and runs the {@linkplain #handshake handshake}, whose costly steps it
 * hands to a worker, which touches only the engine, and waits for); writes may come from
 * another, and are serialised by a lock, which the reading side also takes when the peer's records call
 * for an answer (a TLS 1.3 key update). {@link SSLEngine} allows a wrap and an unwrap at the same time.
 *
 * <p>Buffers: ciphertext received and not yet decrypted, plaintext decrypted and not yet read, and
 * ciphertext being sent, each on the heap (the JDK's engine encrypts arrays fastest) and taken when first
 * needed; {@link #release()} gives them back to a pool shared by all connections while the connection
 * idles, so that an idle TLS connection costs little more than a plain one, and a keep-alive request,
 * which parks between requests, does not allocate three record-sized arrays (50 KB) each time.
 *
 * <p>Renegotiation (TLS 1.2) is refused: a client could make the server redo the costly part of a
 * handshake as often as it likes on one connection (CVE-2011-1473). TLS 1.3 has no renegotiation; its
 * post-handshake messages (session tickets, key updates) are answered, up to a bound per connection.
 */
public final class TlsChannel implements ByteChannel, GatheringByteChannel {

    /** TLS record content type of a handshake message (RFC 8446 §5.1): what a client's first byte is. */
    public static final int HANDSHAKE_RECORD = 0x16;
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};
    /** Key updates and other post-handshake messages answered on one connection, at most. */
    private static final int MAX_POST_HANDSHAKE = 64;
    /** The first read's size: a record header (5 bytes) and more, far less than a record buffer. */
    private static final int FIRST_READ = 64;
    /** Records gathered in one socket write, at most: fewer system calls for large bodies. */
    private static final int RECORDS_PER_WRITE = 4;
    /** Arrays kept per size while their connections idle: 256 of about 16 KB each, 4 MB per pool. */
    private static final int POOLED_ARRAYS = 256;
    /**
     * Pools by array size. The sizes are the JDK's packet and application buffer sizes, a handful of
     * values (one per protocol version and maximum fragment length), so the map stays small.
     */
    private static final ConcurrentHashMap<Integer, ByteArrayPool> POOLS = new ConcurrentHashMap<>();

    private final SocketChannel socket;
    private final SSLEngine engine;
    private final HandshakeWorkers workers;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Ciphertext received and not yet unwrapped, between position and limit; {@code null} when released. */
    private ByteBuffer netIn;
    /** Plaintext unwrapped and not yet read, between position and limit; {@code null} when released. */
    private ByteBuffer appIn;
    /** Ciphertext to send; only touched under {@link #writeLock}. */
    private ByteBuffer netOut;
    /** Writes of one buffer, without an array each time; only touched under {@link #writeLock}. */
    private final ByteBuffer[] oneSource = new ByteBuffer[1];
    /** The session's buffer sizes, read once the handshake is done (0 before: asked of the engine). */
    private int packetSize;
    private int applicationSize;
    private boolean handshakeDone;
    /** A handshake step was left running on a worker: the engine is not to be used from here. */
    private boolean engineGivenUp;
    private boolean inboundDone;
    private boolean outboundClosed;
    private int postHandshake;

    /**
     * @param socket   the connected socket, in blocking mode
     * @param engine   a server-mode engine, configured, whose handshake has not begun
     * @param received what was read from the socket already (see {@link #readFirstBytes}), in read mode
     * @param workers  where the handshake's costly step runs
     */
    TlsChannel(SocketChannel socket, SSLEngine engine, ByteBuffer received, HandshakeWorkers workers) {
        this.socket = socket;
        this.engine = engine;
        this.workers = workers;
        // at most FIRST_READ bytes: they fit the record buffer netIn() would take later
        if (received.hasRemaining()) netIn = take(packetSize()).put(received).flip();
    }

    /**
     * Waits for the peer's first bytes, read into a small buffer of their own: a connection that has sent
     * nothing yet holds neither a record buffer (16 KB) nor an engine, so that thousands of clients that
     * connect and stay silent until the head timeout cost the server little more than their sockets. A
     * TLS client starts with a handshake record ({@link #HANDSHAKE_RECORD}), a plain HTTP client with a
     * method's first letter.
     *
     * @param socket the connected socket, in blocking mode
     * @return the bytes read, at least one, in read mode; or {@code null} if the peer closed first
     */
    public static ByteBuffer readFirstBytes(SocketChannel socket) throws IOException {
        ByteBuffer first = ByteBuffer.allocate(FIRST_READ);
        while (first.position() == 0) {
            if (socket.read(first) < 0) return null;
        }
        return first.flip();
    }

    /** @return the session once the handshake is done (protocol, cipher suite, peer certificates) */
    public SSLSession session() {
        return engine.getSession();
    }

    /** @return the application protocol agreed by ALPN, or {@code null} if none */
    public String applicationProtocol() {
        String p = engine.getApplicationProtocol();
        return p == null || p.isEmpty() ? null : p;
    }

    /**
     * Runs the handshake to its end. The caller bounds how long it may take (a deadline that shuts the
     * socket's input down makes it end with an {@link EOFException}). The engine's costly steps (its
     * delegated tasks: answering the ClientHello above all) run on the server's
     * {@linkplain HandshakeWorkers handshake workers} while this thread waits; the rest on this thread.
     *
     * @param abandoned whether the caller has given up on the handshake (its deadline passed, or it closed
     *                  the connection): asked before a queued step runs, which is then skipped
     * @param deadline  the {@link System#nanoTime()} after which this thread waits for a step no more
     * @throws SSLException if the peer's handshake fails (no common protocol or cipher, a bad record), or
     *                      it was given up
     * @throws EOFException if the peer closed before the handshake finished
     */
    public void handshake(BooleanSupplier abandoned, long deadline) throws IOException {
        engine.beginHandshake();
        boolean followUp = false;
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> {
                    try {
                        workers.run(this::runTasks, followUp, abandoned, deadline);
                    } catch (HandshakeWorkers.StepNotDone e) {
                        // a step still running on a worker owns the engine: no alert from here
                        engineGivenUp = e.engineMayBeBusy();
                        throw e;
                    }
                    followUp = true;
                }
                case NEED_WRAP -> wrapAndSend(NOTHING, 0, 0);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (!unwrapHandshake()) throw new EOFException("the peer closed the connection during the TLS handshake");
                }
                case FINISHED, NOT_HANDSHAKING -> {
                    handshakeDone = true;
                    SSLSession session = engine.getSession(); // fixed from here on: no lock per read and write
                    packetSize = session.getPacketBufferSize();
                    applicationSize = session.getApplicationBufferSize();
                    return;
                }
            }
        }
    }

    /** One unwrap during the handshake. @return false at end of stream */
    private boolean unwrapHandshake() throws IOException {
        while (true) {
            SSLEngineResult r = unwrapIntoOwnBuffer();
            switch (r.getStatus()) {
                case OK -> {
                    if (r.bytesConsumed() > 0 || r.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP) return true;
                    if (readSocket() < 0) return false; // nothing could be taken: a record is incomplete
                }
                case BUFFER_UNDERFLOW -> {
                    if (readSocket() < 0) return false;
                }
                case BUFFER_OVERFLOW -> appIn = grow(appIn, applicationSize());
                case CLOSED -> {
                    inboundDone = true;
                    return false;
                }
            }
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) return 0;
        if (appIn != null && appIn.hasRemaining()) return copy(appIn, dst);
        if (inboundDone) return -1;
        while (true) {
            ByteBuffer in = netIn(); // again each time: readSocket() may have replaced it with a larger one
            if (in.hasRemaining()) {
                // large reads are decrypted straight into the caller's buffer; small ones through ours
                boolean direct = dst.remaining() >= applicationSize();
                SSLEngineResult r = direct ? engine.unwrap(in, dst) : unwrapIntoOwnBuffer();
                afterUnwrap(r);
                switch (r.getStatus()) {
                    case OK -> {
                        if (r.bytesProduced() > 0) return direct ? r.bytesProduced() : copy(appIn, dst);
                        if (r.bytesConsumed() > 0) continue; // a record with no data for us (a session ticket)
                    }
                    case BUFFER_OVERFLOW -> {
                        if (direct) return readThroughOwnBuffer(dst);
                        appIn = grow(appIn, applicationSize());
                        continue;
                    }
                    case CLOSED -> {
                        inboundDone = true; // the peer's close_notify
                        return -1;
                    }
                    case BUFFER_UNDERFLOW -> { }
                }
            }
            if (readSocket() < 0) {
                // end of stream without close_notify: for HTTP/1.1 with explicit framing this is only an
                // early close, which the caller sees as end of stream (RFC 8446 §6.1 allows it)
                inboundDone = true;
                return -1;
            }
        }
    }

    private int readThroughOwnBuffer(ByteBuffer dst) throws IOException {
        SSLEngineResult r = unwrapIntoOwnBuffer();
        afterUnwrap(r);
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            inboundDone = true;
            return -1;
        }
        return appIn.hasRemaining() ? copy(appIn, dst) : read(dst);
    }

    /** Unwraps received records into {@link #appIn}, after what it still holds. */
    private SSLEngineResult unwrapIntoOwnBuffer() throws SSLException {
        ByteBuffer out = appIn();
        out.compact();
        try {
            return engine.unwrap(netIn(), out);
        } finally {
            out.flip();
        }
    }

    /** Answers what the peer's records ask for once the handshake is done. */
    private void afterUnwrap(SSLEngineResult r) throws IOException {
        HandshakeStatus hs = r.getHandshakeStatus();
        if (hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED) return;
        if (handshakeDone && !"TLSv1.3".equals(engine.getSession().getProtocol())) {
            refuseRenegotiation();
            throw new SSLException("TLS renegotiation refused");
        }
        if (++postHandshake > MAX_POST_HANDSHAKE) throw new SSLException("too many post-handshake messages");
        while (true) {
            hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                runTasks();
            } else if (hs == HandshakeStatus.NEED_WRAP) {
                wrapAndSend(NOTHING, 0, 0);
            } else {
                return;
            }
        }
    }

    /**
     * Ends the connection with a fatal alert, which a client can tell from a dropped connection (openssl
     * reports the refusal; testssl.sh counts a silent close as a renegotiation that went through). The
     * JDK refuses the ClientHello itself when told to ({@code jdk.tls.rejectClientInitiatedRenegotiation},
     * which {@link TlsEngines} sets), in the delegated task that consumes it: the task is run so that the
     * engine queues its handshake_failure alert, and closeOutput sends it. Where the JDK was not told in
     * time (the property is read once, at the JVM's first server handshake), the task does one handshake's
     * work and the connection is closed with close_notify: a cost bounded to one per connection.
     */
    private void refuseRenegotiation() {
        runTasks();
        inboundDone = true;
        closeOutput();
    }

    /**
     * Sends what the engine holds for the peer after a failed handshake: the fatal alert saying why (RFC
     * 8446 §6.2), so the client reports "protocol version" or "handshake failure" rather than a dropped
     * connection. Best effort, like {@link #closeOutput()}.
     */
    public void sendFailureAlert() {
        if (!engineGivenUp) closeOutput();
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        writeLock.lock();
        try {
            oneSource[0] = src;
            return (int) wrapAndSend(oneSource, 0, 1);
        } finally {
            oneSource[0] = null;
            writeLock.unlock();
        }
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    /** Encrypts and sends all of the buffers' remaining bytes (blocking until the socket took them). */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return wrapAndSend(srcs, offset, length);
    }

    private long wrapAndSend(ByteBuffer[] srcs, int offset, int length) throws IOException {
        writeLock.lock();
        try {
            if (outboundClosed) throw new ClosedChannelException();
            long total = 0;
            long left = remaining(srcs, offset, length);
            int packet = packetSize();
            do {
                ByteBuffer out = netOut(left > packet ? packet * RECORDS_PER_WRITE : packet);
                out.clear();
                // gather several records into one socket write while there is room for another
                do {
                    SSLEngineResult r = engine.wrap(srcs, offset, length, out);
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                        if (out.position() > 0) break;
                        out = netOut = ByteBuffer.allocate(Math.max(out.capacity() * 2, packetSize()));
                        continue;
                    }
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED && r.bytesProduced() == 0) {
                        throw new ClosedChannelException();
                    }
                    total += r.bytesConsumed();
                    left -= r.bytesConsumed();
                    if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) runTasks();
                    if (r.bytesProduced() == 0 || left == 0) break;
                } while (out.remaining() >= packet);
                if (out.position() == 0 && left > 0) {
                    // the engine would not encrypt: it waits for the peer (a handshake in progress)
                    throw new SSLException("cannot send while the TLS handshake is " + engine.getHandshakeStatus());
                }
                out.flip();
                while (out.hasRemaining()) socket.write(out);
            } while (left > 0);
            return total;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Sends close_notify (RFC 8446 §6.1), so the peer knows the data ended here and was not cut off.
     * Best effort: a peer that is gone or not reading is not waited for beyond the caller's deadline.
     */
    public void closeOutput() {
        writeLock.lock();
        try {
            if (outboundClosed) return;
            outboundClosed = true;
            engine.closeOutbound();
            ByteBuffer out = netOut(packetSize());
            for (int failures = 0; !engine.isOutboundDone(); ) {
                out.clear();
                SSLEngineResult r;
                try {
                    r = engine.wrap(NOTHING, out);
                } catch (SSLException e) {
                    // a failed handshake task's exception is thrown once, by the next call; the alert
                    // it queued comes with the call after
                    if (++failures > 1) throw e;
                    continue;
                }
                out.flip();
                while (out.hasRemaining()) socket.write(out);
                if (r.bytesProduced() == 0) break;
            }
        } catch (IOException | RuntimeException e) {
            // the peer is gone; nothing more to tell it
        } finally {
            writeLock.unlock();
        }
    }

    /** @return whether bytes were received that have not been read yet (decrypted or not) */
    public boolean hasBufferedInput() {
        return (appIn != null && appIn.hasRemaining()) || (netIn != null && netIn.hasRemaining());
    }

    /**
     * Gives the buffers back while the connection idles, if they hold nothing; others are taken when
     * needed. Called by the reading thread, which must not use the channel until its peer speaks again.
     */
    public void release() {
        if (hasBufferedInput()) return;
        give(netIn);
        give(appIn);
        netIn = null;
        appIn = null;
        if (writeLock.tryLock()) {
            try {
                give(netOut);
                netOut = null;
            } finally {
                writeLock.unlock();
            }
        }
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    /** Closes the socket underneath (without close_notify: see {@link #closeOutput()}). */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    private int readSocket() throws IOException {
        ByteBuffer in = netIn();
        if (in.position() > 0 || in.limit() == in.capacity()) {
            if (in.remaining() == in.capacity()) {
                // full of one incomplete record: room for the largest the engine accepts, and no more (a
                // peer announcing a larger one must not make the buffer grow with what it sends)
                int largest = packetSize();
                if (in.capacity() >= largest) throw new SSLException("TLS record larger than " + largest + " bytes");
                ByteBuffer bigger = ByteBuffer.allocate(largest);
                bigger.put(in).flip();
                netIn = in = bigger;
            }
            in.compact();
        } else {
            in.position(in.limit()).limit(in.capacity());
        }
        int n;
        try {
            n = socket.read(in);
        } finally {
            in.flip();
        }
        return n;
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) task.run();
    }

    private int packetSize() {
        return packetSize > 0 ? packetSize : engine.getSession().getPacketBufferSize();
    }

    private int applicationSize() {
        return applicationSize > 0 ? applicationSize : engine.getSession().getApplicationBufferSize();
    }

    private ByteBuffer netIn() {
        if (netIn == null) netIn = take(packetSize()).flip();
        return netIn;
    }

    private ByteBuffer appIn() {
        if (appIn == null) appIn = take(applicationSize()).flip();
        return appIn;
    }

    private ByteBuffer netOut(int size) {
        if (netOut == null || netOut.capacity() < size) {
            give(netOut);
            netOut = take(size);
        }
        return netOut;
    }

    /** @return an empty buffer of {@code size} bytes, in write mode, from the pool of that size */
    private static ByteBuffer take(int size) {
        return ByteBuffer.wrap(POOLS.computeIfAbsent(size, n -> new ByteArrayPool(n, POOLED_ARRAYS)).take());
    }

    /** Gives a buffer's array back to the pool of its size; buffers of sizes no pool has are dropped. */
    private static void give(ByteBuffer b) {
        if (b == null) return;
        ByteArrayPool pool = POOLS.get(b.capacity());
        if (pool != null) pool.give(b.array());
    }

    /** @return a larger buffer (in read mode) holding {@code b}'s remaining bytes */
    private static ByteBuffer grow(ByteBuffer b, int atLeast) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(atLeast, b.capacity() * 2));
        bigger.put(b);
        return bigger.flip();
    }

    private static int copy(ByteBuffer from, ByteBuffer to) {
        int n = Math.min(from.remaining(), to.remaining());
        if (n == from.remaining()) {
            to.put(from);
        } else {
            int limit = from.limit();
            from.limit(from.position() + n);
            to.put(from);
            from.limit(limit);
        }
        return n;
    }

    private static long remaining(ByteBuffer[] srcs, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) n += srcs[i].remaining();
        return n;
    }
}
