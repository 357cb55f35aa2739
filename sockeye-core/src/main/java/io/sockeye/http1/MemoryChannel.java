package io.sockeye.http1;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.GatheringByteChannel;

/** A channel that keeps what is written to it: the socket of an exchange run in memory. */
final class MemoryChannel implements GatheringByteChannel {

    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private boolean open = true;

    @Override
    public int write(ByteBuffer src) throws ClosedChannelException {
        if (!open) throw new ClosedChannelException();
        int n = src.remaining();
        if (src.hasArray()) {
            written.write(src.array(), src.arrayOffset() + src.position(), n);
            src.position(src.limit());
        } else {
            byte[] copy = new byte[n];
            src.get(copy);
            written.write(copy, 0, n);
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws ClosedChannelException {
        long n = 0;
        for (int i = offset; i < offset + length; i++) n += write(srcs[i]);
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs) throws ClosedChannelException {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }

    /** @return everything written so far */
    byte[] bytes() {
        return written.toByteArray();
    }
}
