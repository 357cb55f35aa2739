package io.sockeye.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * The little of DER (ITU-T X.690) that reading PEM keys needs: walking the elements of a structure
 * and writing a SEQUENCE around elements.
 *
 * <p>The input comes from files that may be truncated or garbled, so every read checks its bounds
 * against the enclosing element and fails with an {@link IOException}; nothing is read past the
 * end and no length is trusted.
 */
final class Der {

    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    /** [0], constructed: the curve parameters of a SEC1 key. */
    static final int CONTEXT_0 = 0xA0;

    private Der() {
    }

    /** Reads the elements of one level of a structure, in order. */
    static final class Reader {
        private final byte[] buf;
        private final int end;
        private int pos;

        /** A reader of the top level of {@code der}. */
        Reader(byte[] der) {
            this(der, 0, der.length);
        }

        private Reader(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        boolean hasMore() {
            return pos < end;
        }

        /** The tag of the next element, or -1 at the end of this level. */
        int peekTag() {
            return pos < end ? buf[pos] & 0xff : -1;
        }

        /** Steps over the next element, whose tag must be {@code tag}, and returns a reader of its contents. */
        Reader next(int tag) throws IOException {
            int tagAt = pos;
            int actual = peekTag();
            if (actual != tag) throw new IOException(actual < 0 ? "structure ends early"
                    : String.format("expected tag 0x%02x at offset %d, found 0x%02x", tag, tagAt, actual));
            int p = pos + 1;
            if (p >= end) throw new IOException("truncated at offset " + tagAt);
            int first = buf[p++] & 0xff;
            long length; // long, so that four length bytes cannot overflow
            if (first < 0x80) {
                length = first;
            } else {
                int n = first & 0x7f;
                // 0x80 is BER's indefinite length, never DER; more than 4 bytes is longer than any array
                if (n == 0 || n > 4) throw new IOException("unsupported length encoding at offset " + tagAt);
                if (end - p < n) throw new IOException("truncated at offset " + tagAt);
                length = 0;
                for (int i = 0; i < n; i++) length = (length << 8) | (buf[p++] & 0xff);
            }
            if (length > end - p) throw new IOException("element at offset " + tagAt + " runs past its end");
            pos = p + (int) length;
            return new Reader(buf, p, pos);
        }

        /** The contents of the next element, whose tag must be {@code tag}. */
        byte[] nextContents(int tag) throws IOException {
            Reader r = next(tag);
            return Arrays.copyOfRange(buf, r.pos, r.end);
        }

        /** The whole next element (tag, length and contents), whose tag must be {@code tag}. */
        byte[] nextElement(int tag) throws IOException {
            int start = pos;
            next(tag);
            return Arrays.copyOfRange(buf, start, pos);
        }

        /** The next element, an OBJECT IDENTIFIER, in dotted form. */
        String nextOid() throws IOException {
            return oid(nextContents(OID));
        }

        /** Fails unless this level has been read to its end. */
        void end() throws IOException {
            if (pos != end) throw new IOException("unexpected data at offset " + pos);
        }
    }

    /** The dotted form of the contents of an OBJECT IDENTIFIER (X.690 §8.19). */
    static String oid(byte[] contents) throws IOException {
        if (contents.length == 0) throw new IOException("empty object identifier");
        StringBuilder s = new StringBuilder();
        long value = 0;
        boolean first = true;
        for (int i = 0; i < contents.length; i++) {
            if (value > Long.MAX_VALUE >>> 7) throw new IOException("object identifier component too large");
            value = (value << 7) | (contents[i] & 0x7f);
            if ((contents[i] & 0x80) != 0) {
                if (i == contents.length - 1) throw new IOException("truncated object identifier");
                continue;
            }
            if (first) { // the first subidentifier packs two arcs: 40 * X + Y, where X is 0, 1 or 2
                int arc = (int) Math.min(value / 40, 2);
                s.append(arc).append('.').append(value - 40L * arc);
                first = false;
            } else {
                s.append('.').append(value);
            }
            value = 0;
        }
        return s.toString();
    }

    /** Bytes written as ints (0x00 to 0xFF), for constants. */
    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) values[i];
        return b;
    }

    /** An element with the given tag around the given (already encoded) contents. */
    static byte[] element(int tag, byte[]... contents) {
        int length = 0;
        for (byte[] c : contents) length += c.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else {
            int n = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | n);
            for (int i = n - 1; i >= 0; i--) out.write(length >>> (8 * i));
        }
        for (byte[] c : contents) out.writeBytes(c);
        return out.toByteArray();
    }
}
