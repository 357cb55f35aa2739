package io.sockeye.http1;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import io.sockeye.HttpDate;

/**
 * The {@code Date} field line every response carries (RFC 9110 §6.6.1), formatted at most once a second
 * and shared by all connections.
 */
final class DateField {

    private record Stamp(long second, byte[] line) {
    }

    private static volatile Stamp current = stamp(System.currentTimeMillis() / 1000);

    private DateField() {
    }

    /** @return {@code Date: ...\r\n} for the current second; callers must not modify it */
    static byte[] line() {
        long second = System.currentTimeMillis() / 1000;
        Stamp s = current;
        if (s.second != second) {
            s = stamp(second);
            current = s;
        }
        return s.line;
    }

    private static Stamp stamp(long second) {
        String line = "Date: " + HttpDate.format(Instant.ofEpochSecond(second)) + "\r\n";
        return new Stamp(second, line.getBytes(StandardCharsets.US_ASCII));
    }
}
