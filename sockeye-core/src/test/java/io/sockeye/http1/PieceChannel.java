package io.sockeye.http1;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A channel over bytes in memory that hands them out at most {@code piece} bytes per read (1 for a byte
 * at a time), then reports end of stream: lets the body decoders be driven across every boundary of
 * their state machines without a socket. Never returns 0.
 */
final class PieceChannel implements ReadableByteChannel {

    private final byte[] data;
    private final int piece;
    private int position;
    private int reads;
    private boolean open = true;

    PieceChannel(byte[] data, int piece) {
        if (piece < 1) throw new IllegalArgumentException("piece must be at least 1");
        this.data = data;
        this.piece = piece;
    }

    PieceChannel(String data, int piece) {
        this(data.getBytes(ISO_8859_1), piece);
    }

    @Override
    public int read(ByteBuffer dst) {
        reads++;
        if (position == data.length) return -1;
        int n = Math.min(piece, Math.min(dst.remaining(), data.length - position));
        dst.put(data, position, n);
        position += n;
        return n;
    }

    /** @return the bytes nobody has read from the channel yet */
    String rest() {
        return new String(data, position, data.length - position, ISO_8859_1);
    }

    int reads() {
        return reads;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }

    /** @return the bytes not yet consumed by a reader of {@code in}: its buffer, then the channel's rest */
    static String unread(SocketInput in, PieceChannel channel) {
        return new String(in.buf, in.pos, in.available(), ISO_8859_1) + channel.rest();
    }
}
