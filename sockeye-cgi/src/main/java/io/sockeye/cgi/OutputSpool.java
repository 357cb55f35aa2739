package io.sockeye.cgi;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A script's output on its way to the client: a pump thread reads the script's stdout into it as fast as
 * the script writes ({@link #readFrom}), and the request's thread takes it out at the client's pace
 * ({@link #read}, {@link #writeTo}). So a script is done, reaped and out of its slot as soon as it has
 * written everything, however slowly its client reads (nginx spools a backend's output to a temporary
 * file for the same reason), while a client that keeps up still gets each piece as soon as it is written.
 *
 * <p>What waits is held in {@link #CHUNK}-byte chunks in memory, up to the per-request bound, and past it
 * in a spool file, up to {@link SpoolSpace#maxOutputFile()}; both are also capped in total by the
 * {@link SpoolSpace}. When neither has room the pump waits, so the script blocks on its full pipe: back
 * pressure, bounded by the script's timeout. The common small output stays in the first chunk: no file,
 * and no copy more than reading a pipe into a buffer and writing that buffer to the socket, as before.
 *
 * <p>Pieces are queued in order, each in memory or in the file, so memory can be used again as soon as
 * it is free even while older output still waits in the file. The file is written at positions and read
 * at positions, and written from the start again once nothing in it waits. Waits on either side are
 * interruptible, and never on the pipe itself: the request's thread can always be interrupted (a server
 * shutdown) whichever way the script was started. One producer thread and one consumer thread.
 */
final class OutputSpool implements AutoCloseable {

    static final int CHUNK = 16 * 1024;

    /** Bytes waiting in memory: {@code buf[start, end)}. */
    private static final class Mem {
        final byte[] buf;
        int start;
        int end;

        Mem(byte[] buf, int start, int end) {
            this.buf = buf;
            this.start = start;
            this.end = end;
        }
    }

    /** Bytes waiting in the file: {@code [start, end)}. */
    private static final class Disk {
        long start;
        long end;

        Disk(long start, long end) {
            this.start = start;
            this.end = end;
        }
    }

    private final SpoolSpace space;
    private final int maxChunks;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // guarded by lock
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private int chunks;           // chunks in use; all but the first are counted against the space
    private int diskSegments;
    private boolean ended;
    private IOException failure;
    private boolean closed;       // the consumer is done: what comes now is read and dropped
    private FileChannel file;
    private boolean noFile;
    private long fileEnd;
    private long fileReserved;

    // the producer's
    private byte[] current;
    private int written;
    private byte[] scratch;

    // the consumer's: the window it reads from (a memory segment's bytes, or bytes read from the file)
    private Mem head;
    private byte[] window;
    private int pos;
    private int limit;
    private byte[] fromFile;

    OutputSpool(SpoolSpace space) {
        this.space = space;
        this.maxChunks = Math.max(1, space.memoryPerRequest() / CHUNK);
    }

    // ---- the pump's side ---------------------------------------------------------------------------

    /**
     * Reads once from the script's output into the spool, waiting first for room if there is none.
     *
     * @return bytes read, or -1 at the end of the output
     * @throws InterruptedException if interrupted while waiting for room
     */
    int readFrom(InputStream in) throws IOException, InterruptedException {
        if (current == null || written == CHUNK) {
            long at = room();
            if (at != IN_MEMORY) {
                // to the file at that position, or (-1) read and dropped: nobody wants the output any more
                if (scratch == null) scratch = new byte[CHUNK];
                int n = in.read(scratch, 0, at >= 0 ? fileChunk : CHUNK);
                if (n > 0 && at >= 0) commitFile(at, n);
                return n;
            }
        }
        int n = in.read(current, written, CHUNK - written);
        if (n > 0) commitMemory(n);
        return n;
    }

    private static final long IN_MEMORY = -2;
    private int fileChunk; // the producer's: how much the file has room for at the position room() gave

    /**
     * Waits for room for the next read: a new chunk ({@link #IN_MEMORY}, then {@link #current}), or a
     * position in the file, or -1 if the output is no longer wanted.
     */
    private long room() throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                if (chunks < maxChunks && (chunks == 0 || space.reserveMemory(CHUNK))) {
                    chunks++;
                    current = new byte[CHUNK];
                    written = 0;
                    return IN_MEMORY;
                }
                fileChunk = fileRoom();
                if (fileChunk > 0) return fileEnd;
                changed.await();
            }
            return -1;
        } finally {
            lock.unlock();
        }
    }

    private boolean closedNow() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: how much may go to the file now (0: none), the file opened if need be. */
    private int fileRoom() {
        if (diskSegments == 0) fileEnd = 0; // nothing waits in it: write from the start again
        if (file == null) {
            if (noFile) return 0;
            try {
                file = space.openFile("output");
            } catch (IOException e) {
                noFile = true; // memory only for this output, then back pressure
                System.getLogger("io.sockeye.cgi").log(System.Logger.Level.WARNING, "cannot make a spool file for a script's output: " + e.getMessage());
            }
            if (file == null) return 0;
        }
        long room = Math.min(CHUNK, space.maxOutputFile() - fileEnd);
        if (room <= 0) return 0;
        long need = fileEnd + room - fileReserved;
        if (need > 0) {
            if (space.reserveDisk(need)) fileReserved += need;
            else room = fileReserved - fileEnd;
        }
        return (int) Math.max(0, room);
    }

    private void commitMemory(int n) {
        lock.lock();
        try {
            if (closed || ended) return; // after the end (a timeout cut it short): dropped
            Object tail = queue.peekLast();
            if (tail instanceof Mem m && m.buf == current && m.end == written) m.end += n;
            else queue.addLast(new Mem(current, written, written + n));
            written += n;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void commitFile(long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(scratch, 0, n);
        try {
            while (b.hasRemaining()) file.write(b, at + b.position());
        } catch (IOException e) {
            if (closedNow()) return; // the consumer closed the file: the output is no longer wanted
            throw e;
        }
        lock.lock();
        try {
            if (closed || ended) return;
            Object tail = queue.peekLast();
            if (tail instanceof Disk d && d.end == at) {
                d.end += n;
            } else {
                queue.addLast(new Disk(at, at + n));
                diskSegments++;
            }
            fileEnd = at + n;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The output is over: at its end, or cut short by {@code failure}. The first call decides. */
    void end(IOException failure) {
        lock.lock();
        try {
            if (ended) return;
            ended = true;
            this.failure = failure;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- the request's side ------------------------------------------------------------------------

    /** @return the next byte, or -1 at the end; waits for it */
    int read() throws IOException, InterruptedException {
        if (pos == limit && !fill()) return -1;
        return window[pos++] & 0xff;
    }

    /** @return bytes read into {@code b}, or -1 at the end; waits for at least one */
    int read(byte[] b, int off, int len) throws IOException, InterruptedException {
        if (len == 0) return 0;
        if (pos == limit && !fill()) return -1;
        int n = Math.min(len, limit - pos);
        System.arraycopy(window, pos, b, off, n);
        pos += n;
        return n;
    }

    /** Writes what is there (waiting for something) to {@code out}. @return bytes written, or -1 at the end */
    int writeTo(OutputStream out) throws IOException, InterruptedException {
        if (pos == limit && !fill()) return -1;
        int n = limit - pos;
        out.write(window, pos, n);
        pos = limit;
        return n;
    }

    /** @return whether more output, or its end, can be had without waiting */
    boolean ready() {
        if (pos < limit) return true;
        lock.lock();
        try {
            return readyLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code nanos} for more output or its end. @return whether it came */
    boolean awaitReady(long nanos) throws InterruptedException {
        if (pos < limit) return true;
        lock.lock();
        try {
            while (!readyLocked()) {
                if (nanos <= 0) return false;
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean readyLocked() {
        if (ended) return true;
        Object first = queue.peekFirst();
        if (first == null) return false;
        return first != head || head.end > limit || queue.size() > 1;
    }

    /** Makes the window hold unread bytes. @return false at the end of the output */
    private boolean fill() throws IOException, InterruptedException {
        lock.lock();
        try {
            if (head != null) consumed(head);
            head = null;
            while (queue.isEmpty()) {
                if (closed) throw new IOException("the output spool is closed");
                if (ended) {
                    if (failure != null) throw failure;
                    return false;
                }
                changed.await();
            }
            Object first = queue.peekFirst();
            if (first instanceof Mem m) {
                head = m;
                window = m.buf;
                pos = m.start;
                limit = m.end;
                return true;
            }
            return fillFromFile((Disk) first);
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: the window's bytes of a memory segment are read; free it if it is all read. */
    private void consumed(Mem m) {
        m.start = limit;
        if (m.start < m.end) return;
        queue.pollFirst();
        if (m.end == CHUNK) { // the producer has moved past a full chunk: it is free
            if (chunks > 1) space.releaseMemory(CHUNK);
            chunks--;
        }
        changed.signalAll();
    }

    /** Under the lock, which it lets go while reading. */
    private boolean fillFromFile(Disk d) throws IOException {
        if (fromFile == null) fromFile = new byte[CHUNK];
        long at = d.start;
        int want = (int) Math.min(CHUNK, d.end - d.start);
        FileChannel f = file;
        lock.unlock();
        int n;
        try {
            // the producer never writes over a segment still queued, so this region is stable
            ByteBuffer b = ByteBuffer.wrap(fromFile, 0, want);
            while (b.hasRemaining() && f.read(b, at + b.position()) >= 0) {
                // until the region is read
            }
            n = b.position();
        } finally {
            lock.lock();
        }
        if (n < want) throw new IOException("the output spool file ended early");
        d.start += n;
        if (d.start == d.end) {
            queue.pollFirst();
            diskSegments--;
        }
        changed.signalAll();
        window = fromFile;
        pos = 0;
        limit = n;
        return true;
    }

    /** The consumer is done (at the end, or abandoning): the rest is dropped, and the room given back. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            queue.clear();
            head = null;
            if (chunks > 1) space.releaseMemory((long) (chunks - 1) * CHUNK);
            chunks = 0;
            if (file != null) space.closeFile(file, fileReserved);
            fileReserved = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        pos = limit = 0;
    }

    /** The consumer's side as a stream, for the header parser: an interrupt is an InterruptedIOException. */
    InputStream input() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                try {
                    return OutputSpool.this.read();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted waiting for the script's output");
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return OutputSpool.this.read(b, off, len);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted waiting for the script's output");
                }
            }
        };
    }
}
