package io.sockeye.form;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.HttpException;

class PercentDecoderTest {

    private static String path(String raw) {
        return PercentDecoder.decode(raw, false, "path");
    }

    private static String form(String raw) {
        return PercentDecoder.decode(raw, true, "form field value");
    }

    @Test
    void decodesEscapesAsUtf8() {
        assertEquals("a b", path("a%20b"));
        assertEquals("/a/b", path("%2Fa%2fb"));
        assertEquals("café", path("caf%C3%A9"));
        assertEquals("café", path("caf%c3%a9"), "hex digits in either case");
        assertEquals("€", path("%E2%82%AC"));
        assertEquals("\uD83D\uDC1F", path("%F0%9F%90%9F"), "four-byte UTF-8 becomes a surrogate pair");
        assertEquals("100%", path("100%25"));
        assertEquals("%41", path("%2541"), "decoded once, not twice");
    }

    @Test
    void plusIsASpaceOnlyInForms() {
        assertEquals("a+b", path("a+b"));
        assertEquals("a b", form("a+b"));
        assertEquals("a+b", form("a%2Bb"));
        assertEquals("  ", form("++"));
        assertEquals("a+b c", path("a+b%20c"));
    }

    @Test
    void rawBytesAboveAsciiCountAsBytes() {
        // the input is one char per byte, as off the wire: these two chars are the UTF-8 of é
        assertEquals("café", path("caf\u00c3\u00a9"));
        assertEquals("é€", path("\u00c3\u00a9%E2%82%AC"));
    }

    @Test
    void textNeedingNoDecodingComesBackAsIs() {
        String raw = "/plain/path-with_no.escapes~";
        assertSame(raw, path(raw));
        assertEquals("", path(""));
    }

    @Test
    void decodesPartOfAString() {
        assertEquals("A", PercentDecoder.decode("xx%41yy", 2, 5, false, "q"));
        assertEquals("x", PercentDecoder.decode("xx%41yy", 1, 2, false, "q"));
        assertEquals(" b", PercentDecoder.decode("a+b", 1, 3, true, "q"));
        assertEquals("", PercentDecoder.decode("abc", 1, 1, false, "q"));
    }

    @Test
    void anEscapeCutByTheEndOfTheRangeIsMalformed() {
        // the bytes after 'to' are not part of the text being decoded
        HttpException e = assertThrows(HttpException.class, () -> PercentDecoder.decode("%41", 0, 2, false, "q"));
        assertEquals(400, e.status());
        assertThrows(HttpException.class, () -> PercentDecoder.decode("a%4142", 0, 3, false, "q"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"%zz", "%4", "%", "abc%", "%4g", "%g4", "%%41", "a%2", "%-1", "% 20", "%\u00e9\u00e9"})
    void malformedEscapesAre400NamingWhatWasDecoded(String raw) {
        HttpException e = assertThrows(HttpException.class, () -> PercentDecoder.decode(raw, false, "the path"));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("the path"), "the message says what was decoded: " + e.getMessage());
        assertEquals(400, assertThrows(HttpException.class, () -> form(raw)).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"%FF", "%FE", "%80", "%C3", "%C3%28", "%E2%82", "%E2%28%A1", "%F0%9F%90", "%C0%AF", "%C1%BF",
            "%E0%80%AF", "%ED%A0%80", "%ED%BF%BF", "%F4%90%80%80", "%F8%88%80%80%80", "caf\u00e9"})
    void invalidUtf8Is400NamingWhatWasDecoded(String raw) {
        HttpException e = assertThrows(HttpException.class, () -> PercentDecoder.decode(raw, false, "the query"));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("the query"), "the message says what was decoded: " + e.getMessage());
    }
}
