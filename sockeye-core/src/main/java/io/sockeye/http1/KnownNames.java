package io.sockeye.http1;

import java.nio.charset.StandardCharsets;

/**
 * Shared strings for the methods and field names nearly every request carries, so parsing them allocates
 * nothing and later lookups can compare by identity first.
 */
final class KnownNames {

    static final String GET = "GET";
    static final String HEAD = "HEAD";
    static final String POST = "POST";
    static final String PUT = "PUT";
    static final String DELETE = "DELETE";
    static final String OPTIONS = "OPTIONS";
    static final String PATCH = "PATCH";
    static final String TRACE = "TRACE";
    static final String CONNECT = "CONNECT";

    static final String HOST = "Host";
    static final String CONNECTION = "Connection";
    static final String CONTENT_LENGTH = "Content-Length";
    static final String CONTENT_TYPE = "Content-Type";
    static final String TRANSFER_ENCODING = "Transfer-Encoding";
    static final String EXPECT = "Expect";
    static final String USER_AGENT = "User-Agent";
    static final String REFERER = "Referer";

    private static final String[] METHODS = {GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH, TRACE, CONNECT};
    private static final String[] FIELDS = {
        HOST, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING, EXPECT, USER_AGENT, REFERER,
        "Accept", "Accept-Encoding", "Accept-Language", "Accept-Charset", "Cookie", "Authorization",
        "Cache-Control", "Pragma", "Origin", "Range", "If-Range", "If-Match", "If-None-Match",
        "If-Modified-Since", "If-Unmodified-Since", "Upgrade", "Upgrade-Insecure-Requests", "TE", "Trailer",
        "Keep-Alive", "DNT", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "Sec-Fetch-User",
        "Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Requested-With", "Priority",
    };
    private static final byte[][][] FIELDS_BY_LENGTH = index(FIELDS);
    private static final String[][] FIELD_NAMES_BY_LENGTH = indexNames(FIELDS);

    private KnownNames() {
    }

    /** @return the shared string for a method, or a new one; the bytes are known to be a token */
    static String method(byte[] b, int off, int len) {
        for (String m : METHODS) {
            if (m.length() == len && equalsExact(b, off, m)) return m;
        }
        return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }

    /** @return the shared, canonically cased string for a field name, or a new one; the bytes are a token */
    static String field(byte[] b, int off, int len) {
        if (len < FIELDS_BY_LENGTH.length) {
            byte[][] candidates = FIELDS_BY_LENGTH[len];
            for (int c = 0; c < candidates.length; c++) {
                if (equalsIgnoreCase(b, off, candidates[c])) return FIELD_NAMES_BY_LENGTH[len][c];
            }
        }
        return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }

    private static boolean equalsExact(byte[] b, int off, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[off + i] != s.charAt(i)) return false;
        }
        return true;
    }

    // Only called on bytes already checked to be tchars, and the candidates hold only letters and '-',
    // so folding bit 5 cannot make two different tchars equal here.
    private static boolean equalsIgnoreCase(byte[] b, int off, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            if ((b[off + i] | 0x20) != lower[i]) return false;
        }
        return true;
    }

    private static byte[][][] index(String[] names) {
        String[][] byLength = indexNames(names);
        byte[][][] out = new byte[byLength.length][][];
        for (int len = 0; len < byLength.length; len++) {
            out[len] = new byte[byLength[len].length][];
            for (int i = 0; i < byLength[len].length; i++) {
                byte[] bytes = byLength[len][i].getBytes(StandardCharsets.US_ASCII);
                for (int j = 0; j < bytes.length; j++) bytes[j] |= 0x20;
                out[len][i] = bytes;
            }
        }
        return out;
    }

    private static String[][] indexNames(String[] names) {
        int max = 0;
        for (String n : names) max = Math.max(max, n.length());
        String[][] out = new String[max + 1][];
        for (int len = 0; len <= max; len++) {
            int l = len;
            out[len] = java.util.Arrays.stream(names).filter(n -> n.length() == l).toArray(String[]::new);
        }
        return out;
    }
}
