package io.sockeye.buffers;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Byte arrays of one size, shared by the connections that give theirs up while they are parked (see
 * {@link io.sockeye.tcp.TcpConnection#parkUntilReadable()}: the HTTP/1.1 input and output buffers, and
 * the TLS layer's record buffers) and take one again when their peer speaks:
 * thousands of idle connections then hold no buffers, and a busy server still does not allocate two
 * arrays per request. A fixed set of slots, each taken or filled with one atomic swap, looked through
 * from a random place so that threads seldom meet; an array that finds no free slot is left to the
 * garbage collector, and a taker that finds none gets a new array.
 */
public final class ByteArrayPool {

    private static final int PROBES = 8;

    private final int size;
    private final AtomicReferenceArray<byte[]> slots;

    /**
     * @param size  the length of every array
     * @param slots how many arrays may be kept
     */
    public ByteArrayPool(int size, int slots) {
        this.size = size;
        this.slots = new AtomicReferenceArray<>(slots);
    }

    /** @return an array of {@link #size()} bytes, holding whatever it held before */
    public byte[] take() {
        int n = slots.length();
        int start = ThreadLocalRandom.current().nextInt(n);
        for (int i = 0; i < PROBES; i++) {
            int k = (start + i) % n;
            if (slots.getPlain(k) != null) {
                byte[] b = slots.getAndSet(k, null);
                if (b != null) return b;
            }
        }
        return new byte[size];
    }

    /** Gives an array back; the caller must not use it afterwards. Arrays of another size are dropped. */
    public void give(byte[] b) {
        if (b.length != size) return;
        int n = slots.length();
        int start = ThreadLocalRandom.current().nextInt(n);
        for (int i = 0; i < PROBES; i++) {
            int k = (start + i) % n;
            if (slots.getPlain(k) == null && slots.compareAndSet(k, null, b)) return;
        }
    }

    /** @return the length of the arrays this pool keeps */
    public int size() {
        return size;
    }
}
