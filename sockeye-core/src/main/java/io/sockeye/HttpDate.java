package io.sockeye;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * HTTP dates (RFC 9110 §5.6.7): formatted as IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}),
 * parsed from any of the three forms a recipient must accept.
 */
public final class HttpDate {

    // Formatting is by hand, not by a DateTimeFormatter: its day and month names come from the JDK's
    // locale data, whose loading cost the server's first answer (it sends a Date) tens of milliseconds.
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    /** The first second of year 1 and of year 10000: between them java.time writes a year as four digits. */
    private static final long YEAR_1 = -62_135_596_800L;
    private static final long YEAR_10000 = 253_402_300_800L;
    // The parsers skip the day name: a wrong one does not change the date it comes with, and java.time's
    // cross-check of it would reject RFC 850's two-digit years before the 50-year rule could apply.
    private static final java.util.Set<String> SHORT_DAYS = java.util.Set.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");
    private static final java.util.Set<String> LONG_DAYS = java.util.Set.of(
            "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday");

    /** java.time's formatters, made when a date is first parsed (or one beyond year 9999 formatted). */
    private static final class Formatters {
        static final DateTimeFormatter IMF_FIXDATE =
                DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
        static final DateTimeFormatter IMF_FIXDATE_REST =
                DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
        static final DateTimeFormatter ASCTIME_REST =
                DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);
    }

    private HttpDate() {
    }

    /**
     * @param instant a moment; its fraction of a second is dropped
     * @return the moment as IMF-fixdate
     */
    public static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < YEAR_1 || seconds >= YEAR_10000) return Formatters.IMF_FIXDATE.format(instant); // as java.time writes those
        LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(29).append(DAYS[t.getDayOfWeek().ordinal()]).append(", ");
        twoDigits(b, t.getDayOfMonth()).append(' ').append(MONTHS[t.getMonthValue() - 1]).append(' ');
        int year = t.getYear();
        twoDigits(b, year / 100);
        twoDigits(b, year % 100).append(' ');
        twoDigits(b, t.getHour()).append(':');
        twoDigits(b, t.getMinute()).append(':');
        return twoDigits(b, t.getSecond()).append(" GMT").toString();
    }

    private static StringBuilder twoDigits(StringBuilder b, int n) {
        return b.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
    }

    /**
     * @param value a date as sent in a header field
     * @return the moment, or {@code null} if the value is not an HTTP date (such a field is to be ignored)
     */
    public static Instant parse(String value) {
        if (value == null) return null;
        String v = value.strip();
        int comma = v.indexOf(',');
        try {
            if (comma < 0) {
                int space = v.indexOf(' ');
                if (space != 3 || !SHORT_DAYS.contains(v.substring(0, 3))) return null;
                return Instant.from(Formatters.ASCTIME_REST.parse(v.substring(space + 1)));
            }
            String day = v.substring(0, comma);
            String rest = v.substring(comma + 1).strip();
            if (rest.length() > 2 && rest.charAt(2) == '-') return LONG_DAYS.contains(day) ? rfc850(rest) : null;
            return SHORT_DAYS.contains(day) ? Instant.from(Formatters.IMF_FIXDATE_REST.parse(rest)) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is the most recent past year
    // with those digits; the formatter's base year is 49 years back, so its 100-year window ends 50 ahead.
    private static Instant rfc850(String rest) {
        int baseYear = java.time.Year.now(ZoneOffset.UTC).getValue() - 49;
        DateTimeFormatter f = new java.time.format.DateTimeFormatterBuilder()
                .appendPattern("dd-MMM-")
                .appendValueReduced(java.time.temporal.ChronoField.YEAR, 2, 2, baseYear)
                .appendPattern(" HH:mm:ss 'GMT'")
                .toFormatter(Locale.US).withZone(ZoneOffset.UTC);
        return Instant.from(f.parse(rest));
    }
}
