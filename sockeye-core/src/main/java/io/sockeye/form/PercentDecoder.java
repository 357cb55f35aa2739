package io.sockeye.form;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import io.sockeye.HttpException;
import io.sockeye.Status;

/**
 * Percent-decoding (RFC 3986 §2.1) into UTF-8 text, strictly: a {@code %} not followed by two hex digits,
 * or bytes that are not UTF-8, are a 400, never silently passed through or replaced.
 *
 * <p>The input is what came off the wire, one char per byte (ISO-8859-1): a byte above 0x7F sent raw
 * counts as that byte, as if it had been escaped.
 */
public final class PercentDecoder {

    private PercentDecoder() {
    }

    /**
     * @param raw         the encoded text, one char per byte
     * @param plusAsSpace whether {@code +} means a space ({@code application/x-www-form-urlencoded})
     * @param what        what is being decoded, for the error message ("path", "query")
     * @return the decoded text; {@code raw} itself when nothing needed decoding
     * @throws HttpException 400 on a malformed escape or invalid UTF-8
     */
    public static String decode(String raw, boolean plusAsSpace, String what) {
        return decode(raw, 0, raw.length(), plusAsSpace, what);
    }

    /**
     * Decodes part of a string; see {@link #decode(String, boolean, String)}.
     *
     * @param raw         the encoded text, one char per byte
     * @param from        where the part starts
     * @param to          where it ends (exclusive)
     * @param plusAsSpace whether {@code +} means a space
     * @param what        what is being decoded, for the error message
     * @return the decoded text
     * @throws HttpException 400 on a malformed escape or invalid UTF-8
     */
    public static String decode(String raw, int from, int to, boolean plusAsSpace, String what) {
        int i = from;
        while (i < to) {
            char c = raw.charAt(i);
            if (c == '%' || c > 0x7f || (plusAsSpace && c == '+')) break;
            i++;
        }
        if (i == to) return from == 0 && to == raw.length() ? raw : raw.substring(from, to);
        byte[] bytes = new byte[to - from];
        int n = 0;
        for (int j = from; j < to; j++) {
            char c = raw.charAt(j);
            if (c == '%') {
                int hi = j + 1 < to ? hexValue(raw.charAt(j + 1)) : -1;
                int lo = j + 2 < to ? hexValue(raw.charAt(j + 2)) : -1;
                if (hi < 0 || lo < 0) throw new HttpException(Status.BAD_REQUEST, "malformed percent-escape in " + what);
                bytes[n++] = (byte) (hi << 4 | lo);
                j += 2;
            } else if (plusAsSpace && c == '+') {
                bytes[n++] = ' ';
            } else {
                bytes[n++] = (byte) c;
            }
        }
        return strictUtf8(bytes, 0, n, what);
    }

    /**
     * Decodes UTF-8 that must be valid: a malformed or truncated sequence is refused, never replaced.
     *
     * @param what names the text for the message, "in " + what
     * @throws HttpException 400 if the bytes are not UTF-8
     */
    static String strictUtf8(byte[] b, int off, int len, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, off, len)).toString();
        } catch (CharacterCodingException e) {
            throw new HttpException(Status.BAD_REQUEST, "invalid UTF-8 in " + what);
        }
    }

    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
