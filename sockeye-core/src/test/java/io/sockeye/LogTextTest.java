package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Untrusted text made safe for a log line: what a terminal would act on is shown, not done. */
class LogTextTest {

    static Stream<Arguments> controls() {
        return Stream.of(
                Arguments.of("ESC [31m (a colour)", "\u001b[31mRED", "\\x1b[31mRED"),
                Arguments.of("C1 CSI", "\u009b31mRED", "\\x9b31mRED"),
                Arguments.of("CR LF (a forged line)", "a\r\nb", "a\\x0d\\x0ab"),
                Arguments.of("tab, NUL, DEL", "a\tb\u0000c\u007f", "a\\x09b\\x00c\\x7f"),
                Arguments.of("a backslash", "C:\\dir", "C:\\\\dir"),
                Arguments.of("line separator", "a\u2028b", "a\\u2028b"),
                Arguments.of("bidi override", "ab\u202ecd", "ab\\u202ecd"),
                Arguments.of("bidi isolate", "\u2066x\u2069", "\\u2066x\\u2069"),
                Arguments.of("lone high surrogate", "a\ud800b", "a\\ud800b"),
                Arguments.of("lone low surrogate at the end", "a\udc00", "a\\udc00"),
                Arguments.of("a pair after an escape", "\u001b\ud83d\udc1f", "\\x1b\ud83d\udc1f"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("controls")
    void whatATerminalWouldActOnIsEscaped(String what, String text, String logged) {
        assertEquals(logged, LogText.escape(text), what);
    }

    @Test
    void printableTextIsKeptAsItIs() {
        String plain = "GET /caf\u00e9/\u65e5\u672c?q=1 HTTP/1.1 \ud83d\udc1f";
        assertSame(plain, LogText.escape(plain), "nothing to escape: the same string, no copy");
        assertEquals("null", LogText.escape(null));
    }

    @Test
    void quotingForMessagesEscapesToo() {
        assertEquals("\"a\\x9bb\\x22\"", Tokens.quote("a\u009bb\""));
        assertEquals("\"" + "x".repeat(80) + "...\"", Tokens.quote("x".repeat(100)));
    }
}
