package io.sockeye.files;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code Range} header field for bytes (RFC 9110 §14.1.2, §14.2), parsed against a representation's
 * length into what to send.
 *
 * <p>A field that is malformed, in another unit, or that asks for more than is reasonable (many ranges,
 * or ranges that add up to more than the whole, as a denial-of-service would) is ignored, which §14.2
 * allows: the whole representation is sent. Ranges that start past the end are dropped; if none is left,
 * the result is {@link Unsatisfiable} (416).
 */
sealed interface ByteRanges {

    /** Most ranges honoured in one request. */
    int MAX_RANGES = 16;

    /** The whole representation. */
    Full FULL = new Full();

    /** One range: {@code length} bytes from {@code start}. */
    record Range(long start, long length) {
        long end() {
            return start + length - 1;
        }
    }

    /** Send the whole representation (no Range, or one to ignore). */
    record Full() implements ByteRanges {
    }

    /** Send these ranges, in the order asked (one: a 206 with Content-Range; several: multipart/byteranges). */
    record Partial(List<Range> ranges) implements ByteRanges {
    }

    /** None of the ranges overlaps the representation: 416 with {@code Content-Range: bytes *}{@code /length}. */
    record Unsatisfiable() implements ByteRanges {
    }

    /**
     * @param field the Range field value, or {@code null}
     * @param size  the representation's length
     * @return what to send
     */
    static ByteRanges parse(String field, long size) {
        if (field == null) return FULL;
        String v = field.strip();
        if (v.length() < 6 || !v.regionMatches(true, 0, "bytes=", 0, 6)) return new Full();
        String[] specs = v.substring(6).split(",", -1);
        if (specs.length > MAX_RANGES) return new Full();
        List<Range> ranges = new ArrayList<>(specs.length);
        long total = 0;
        int asked = 0;
        for (String raw : specs) {
            String spec = raw.strip();
            if (spec.isEmpty()) continue; // RFC 9110 §5.6.1: empty list elements are ignored
            asked++;
            int dash = spec.indexOf('-');
            if (dash < 0) return new Full();
            String first = spec.substring(0, dash).strip();
            String last = spec.substring(dash + 1).strip();
            Range r;
            if (first.isEmpty()) {
                long suffix = digits(last);
                if (suffix < 0) return new Full();
                if (suffix == 0 || size == 0) continue;
                long n = Math.min(suffix, size);
                r = new Range(size - n, n);
            } else {
                long start = digits(first);
                long end = last.isEmpty() ? Long.MAX_VALUE : digits(last);
                if (start < 0 || end < 0 || end < start) return new Full();
                if (start >= size) continue;
                r = new Range(start, Math.min(end, size - 1) - start + 1);
            }
            total += r.length;
            ranges.add(r);
        }
        if (ranges.isEmpty()) return asked > 0 ? new Unsatisfiable() : new Full();
        if (ranges.size() > 1 && total > size) return new Full();
        return new Partial(List.copyOf(ranges));
    }

    private static long digits(String s) {
        if (s.isEmpty() || s.length() > 18) return -1;
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
