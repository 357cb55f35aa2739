package io.sockeye.http1;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Buffers for the file transfers that find the socket full (see {@link SocketOutput#transferFrom}),
 * shared by every connection: a large response used to allocate a 256 KiB heap buffer each time, which
 * the JDK then copied through a temporary direct buffer on every read and write. Up to {@link #MOST}
 * direct buffers are made, as transfers need them, and kept for reuse (8 MiB at most); a transfer that
 * finds them all in use gets a heap buffer, as before, rather than more direct memory, which only the
 * garbage collector would give back.
 */
final class TransferBuffers {

    static final int SIZE = 256 * 1024;
    static final int MOST = 32;

    private static final ArrayBlockingQueue<ByteBuffer> FREE = new ArrayBlockingQueue<>(MOST);
    private static final AtomicInteger MADE = new AtomicInteger();

    private TransferBuffers() {
    }

    /** @return a cleared buffer of {@link #SIZE} bytes, to be given back with {@link #give} */
    static ByteBuffer take() {
        ByteBuffer b = FREE.poll();
        if (b != null) return b.clear();
        if (MADE.getAndIncrement() < MOST) return ByteBuffer.allocateDirect(SIZE);
        MADE.decrementAndGet();
        return ByteBuffer.allocate(SIZE);
    }

    /** Returns a buffer taken with {@link #take}; the caller must not use it afterwards. */
    static void give(ByteBuffer b) {
        if (b.isDirect()) FREE.offer(b); // never full: at most MOST direct buffers exist
    }

    /** @return how many direct buffers are free now (for tests) */
    static int free() {
        return FREE.size();
    }

    /** @return how many direct buffers exist (for tests) */
    static int made() {
        return Math.min(MADE.get(), MOST);
    }
}
