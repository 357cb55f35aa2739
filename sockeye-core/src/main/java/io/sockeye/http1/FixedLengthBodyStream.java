package io.sockeye.http1;

import java.io.IOException;


/** A body framed by {@code Content-Length} (RFC 9112 §6.2): exactly that many bytes, then the next request. */
final class FixedLengthBodyStream extends BodyStream {

    private long remaining;

    FixedLengthBodyStream(SocketInput in, Deadlines connection, long length) {
        super(in, connection);
        this.remaining = length;
    }

    @Override
    protected int readBody(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) throw truncated();
        remaining -= n;
        return n;
    }

    @Override
    boolean atEnd() {
        return remaining == 0;
    }

    @Override
    long unreadLength() {
        return remaining;
    }

    @Override
    public int available() {
        return (int) Math.min(super.available(), remaining);
    }
}
