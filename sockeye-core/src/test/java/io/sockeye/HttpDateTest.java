package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class HttpDateTest {

    private static final Instant RFC_EXAMPLE = Instant.parse("1994-11-06T08:49:37Z");

    @Test
    void formatsTheRfcExampleAsImfFixdate() {
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.format(RFC_EXAMPLE));
    }

    @Test
    void formatsDaysWithTwoDigitsAndDropsFractions() {
        assertEquals("Tue, 05 Mar 2024 00:00:00 GMT", HttpDate.format(Instant.parse("2024-03-05T00:00:00Z")));
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", HttpDate.format(Instant.EPOCH));
        assertEquals("Fri, 01 Sep 2023 23:59:59 GMT", HttpDate.format(Instant.parse("2023-09-01T23:59:59.999Z")));
        assertEquals("Sat, 29 Feb 2020 13:05:09 GMT", HttpDate.format(Instant.parse("2020-02-29T13:05:09.5Z")));
    }

    @Test
    void formatUsesTheRfcNamesForEveryDayAndMonth() {
        // IMF-fixdate: day-name = "Mon" / ... / "Sun", month = "Jan" / ... / "Dec" (RFC 9110 §5.6.7)
        String[] months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        String[] days = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
        for (Month m : Month.values()) {
            LocalDateTime t = LocalDateTime.of(2021, m, 15, 12, 0, 0);
            String s = HttpDate.format(t.toInstant(ZoneOffset.UTC));
            assertEquals(days[t.getDayOfWeek().getValue() - 1] + ", 15 " + months[m.getValue() - 1] + " 2021 12:00:00 GMT", s);
            assertTrue(s.matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"), s);
        }
    }

    @Test
    void formatWritesWhatJavaTimeWrites() {
        // format is written by hand (java.time's locale data is slow to load): it must match the pattern it replaced
        java.time.format.DateTimeFormatter imf = java.time.format.DateTimeFormatter
                .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
        java.util.Random random = new java.util.Random(42);
        long first = LocalDateTime.of(1, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
        long last = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC);
        java.util.List<Instant> samples = new java.util.ArrayList<>(java.util.List.of(Instant.ofEpochSecond(first),
                Instant.ofEpochSecond(last), Instant.ofEpochSecond(first - 1), Instant.ofEpochSecond(last + 1),
                Instant.ofEpochSecond(-1), Instant.parse("0999-12-31T23:59:59Z"), Instant.parse("1000-01-01T00:00:00Z")));
        for (int i = 0; i < 10_000; i++) samples.add(Instant.ofEpochSecond(first + Math.floorMod(random.nextLong(), last - first)));
        for (Instant t : samples) assertEquals(imf.format(t), HttpDate.format(t), t.toString());
    }

    @Test
    void formatIsIndependentOfTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.format(RFC_EXAMPLE));
            assertEquals(RFC_EXAMPLE, HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"));
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void parsesImfFixdate() {
        assertEquals(RFC_EXAMPLE, HttpDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"));
        assertEquals(Instant.parse("2024-03-05T00:00:00Z"), HttpDate.parse("Tue, 05 Mar 2024 00:00:00 GMT"));
    }

    @Test
    void parsesTheRfc850ExampleOfRfc9110() {
        // RFC 9110 §5.6.7's own example of the obsolete RFC 850 form
        assertEquals(RFC_EXAMPLE, HttpDate.parse("Sunday, 06-Nov-94 08:49:37 GMT"));
        assertEquals(Instant.parse("1999-12-31T23:59:59Z"), HttpDate.parse("Friday, 31-Dec-99 23:59:59 GMT"));
    }

    @Test
    void parsesAsctime() {
        assertEquals(RFC_EXAMPLE, HttpDate.parse("Sun Nov  6 08:49:37 1994"));
        assertEquals(Instant.parse("1994-11-16T08:49:37Z"), HttpDate.parse("Wed Nov 16 08:49:37 1994"), "two-digit day");
    }

    @Test
    void roundTrips() {
        for (String iso : new String[] {"1970-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2000-02-29T12:00:00Z",
                "2038-01-19T03:14:08Z", "2099-07-04T06:07:08Z"}) {
            Instant t = Instant.parse(iso);
            assertEquals(t, HttpDate.parse(HttpDate.format(t)), iso);
        }
    }

    @Test
    void rfc850YearsLessThanFiftyYearsAheadAreTakenAsIs() {
        int soon = LocalDateTime.now(ZoneOffset.UTC).getYear() + 10;
        assertEquals(LocalDateTime.of(soon, 6, 1, 0, 0).toInstant(ZoneOffset.UTC), HttpDate.parse(rfc850(soon, 6, 1)));
        int thisYear = LocalDateTime.now(ZoneOffset.UTC).getYear();
        assertEquals(LocalDateTime.of(thisYear, 6, 1, 0, 0).toInstant(ZoneOffset.UTC), HttpDate.parse(rfc850(thisYear, 6, 1)));
    }

    @Test
    void rfc850YearsMoreThanFiftyYearsAheadAreInThePastCentury() {
        // RFC 9110 §5.6.7: a two-digit year that would be more than 50 years in the future is the most
        // recent past year with those digits (the day name is the one of that past date)
        int far = LocalDateTime.now(ZoneOffset.UTC).getYear() + 60;
        assertEquals(LocalDateTime.of(far - 100, 6, 1, 0, 0).toInstant(ZoneOffset.UTC), HttpDate.parse(rfc850(far, 6, 1)));
    }

    private static String rfc850(int year, int month, int day) {
        LocalDateTime t = LocalDateTime.of(year, month, day, 0, 0);
        // the day name must be the one of the year the date will be read as; pick it from that year
        int readAs = t.getYear();
        int thisYear = LocalDateTime.now(ZoneOffset.UTC).getYear();
        if (year > thisYear + 50) readAs -= 100;
        DayOfWeek dow = LocalDateTime.of(readAs, month, day, 0, 0).getDayOfWeek();
        return String.format(Locale.ROOT, "%s, %02d-%s-%02d 00:00:00 GMT", dow.getDisplayName(TextStyle.FULL, Locale.US), day,
                Month.of(month).getDisplayName(TextStyle.SHORT, Locale.US), year % 100);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   ", "yesterday", "2024-01-01T00:00:00Z", "1994-11-06", "Sun, 06 Nov 1994 08:49:37 PST",
            "Sun, 06 Nov 1994 08:49:37", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
            "784111777", "Sun, 06 Nov 1994 08:49:37 GMT garbage", "Sunday, 06-Nov-94 08:49:37", "Sun Nov  6 08:49:37"})
    void notAnHttpDateIsNull(String value) {
        assertNull(HttpDate.parse(value), String.valueOf(value));
    }
}
