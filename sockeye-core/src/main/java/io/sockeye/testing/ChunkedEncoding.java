package io.sockeye.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A body of unknown length as a client sends it over HTTP/1.1: in chunks (RFC 9112 §7.1), one for each
 * read of the source, then the last chunk. The source is read only as the encoding is, so a test's stream
 * is consumed at the pace the handler reads the body.
 */
final class ChunkedEncoding extends InputStream {

    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final InputStream source;
    private final byte[] data = new byte[8192];
    private byte[] pending = new byte[0];
    private int pos;
    private boolean ended;

    ChunkedEncoding(InputStream source) {
        this.source = source;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        if (pos == pending.length && !nextChunk()) return -1;
        int n = Math.min(len, pending.length - pos);
        System.arraycopy(pending, pos, b, off, n);
        pos += n;
        return n;
    }

    /** @return whether there is more to send */
    private boolean nextChunk() throws IOException {
        if (ended) return false;
        int n;
        do {
            n = source.read(data, 0, data.length);
        } while (n == 0);
        pos = 0;
        if (n < 0) {
            ended = true;
            pending = LAST_CHUNK;
            return true;
        }
        byte[] size = (Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        pending = new byte[size.length + n + 2];
        System.arraycopy(size, 0, pending, 0, size.length);
        System.arraycopy(data, 0, pending, size.length, n);
        pending[pending.length - 2] = '\r';
        pending[pending.length - 1] = '\n';
        return true;
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
