package io.sockeye.http1;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Direct buffers for the file transfers that find the socket full (see
 * {@link SocketOutput#transferFrom}), shared by every connection: a large response used to allocate a
 * 256 KiB heap buffer each time, which the JDK then copied through a temporary direct buffer on every
 * read and write. A few are kept for reuse; more are made when more transfers wait at once, and left to
 * the garbage collector when returned to a full pool.
 */
final class TransferBuffers {

    static final int SIZE = 256 * 1024;
    private static final int KEPT = 16; // 4 MiB at most

    private static final ArrayBlockingQueue<ByteBuffer> FREE = new ArrayBlockingQueue<>(KEPT);

    private TransferBuffers() {
    }

    /** @return a cleared buffer of {@link #SIZE} bytes, to be given back with {@link #give} */
    static ByteBuffer take() {
        ByteBuffer b = FREE.poll();
        return b != null ? b.clear() : ByteBuffer.allocateDirect(SIZE);
    }

    /** Returns a buffer taken with {@link #take}; the caller must not use it afterwards. */
    static void give(ByteBuffer b) {
        FREE.offer(b);
    }

    /** @return how many are kept now (for tests) */
    static int kept() {
        return FREE.size();
    }
}
