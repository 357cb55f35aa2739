package io.sockeye;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * HTTP dates (RFC 9110 §5.6.7): formatted as IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}),
 * parsed from any of the three forms a recipient must accept.
 */
public final class HttpDate {

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter RFC_850 =
            DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);

    private HttpDate() {
    }

    /**
     * @param instant a moment; its fraction of a second is dropped
     * @return the moment as IMF-fixdate
     */
    public static String format(Instant instant) {
        return IMF_FIXDATE.format(instant);
    }

    /**
     * @param value a date as sent in a header field
     * @return the moment, or {@code null} if the value is not an HTTP date (such a field is to be ignored)
     */
    public static Instant parse(String value) {
        if (value == null) return null;
        String v = value.strip();
        for (DateTimeFormatter f : new DateTimeFormatter[] {IMF_FIXDATE, RFC_850, ASCTIME}) {
            try {
                Instant parsed = Instant.from(f.parse(v));
                if (f == RFC_850) parsed = fixTwoDigitYear(parsed);
                return parsed;
            } catch (DateTimeParseException e) {
                // try the next form
            }
        }
        return null;
    }

    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is in the past century
    private static Instant fixTwoDigitYear(Instant parsed) {
        Instant limit = Instant.now().atZone(ZoneOffset.UTC).plusYears(50).toInstant();
        return parsed.isAfter(limit) ? parsed.atZone(ZoneOffset.UTC).minusYears(100).toInstant() : parsed;
    }
}
