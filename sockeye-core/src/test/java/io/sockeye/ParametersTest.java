package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.form.UrlEncoded;

/** {@link Parameters}: {@code application/x-www-form-urlencoded} decoding (and {@link UrlEncoded} underneath). */
class ParametersTest {

    private static List<String> pairs(Parameters p) {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < p.size(); i++) all.add(p.name(i) + "=" + p.value(i));
        return all;
    }

    @Test
    void decodesPairsInOrderKeepingRepeatedNames() {
        Parameters p = Parameters.parse("a=1&b=2&a=3");
        assertEquals(List.of("a=1", "b=2", "a=3"), pairs(p));
        assertEquals(3, p.size());
        assertEquals(List.of("1", "3"), p.all("a"));
        assertEquals(Optional.of("1"), p.first("a"));
        assertEquals(Optional.of("2"), p.first("b"));
        assertEquals(List.of("a", "b"), List.copyOf(p.names()));
        assertTrue(p.contains("b"));
        assertFalse(p.contains("c"));
        assertEquals(Optional.empty(), p.first("c"));
        assertEquals(List.of(), p.all("c"));
    }

    @Test
    void namesAreCaseSensitive() {
        Parameters p = Parameters.parse("Name=1");
        assertEquals(Optional.empty(), p.first("name"));
        assertFalse(p.contains("NAME"));
        assertEquals(Optional.of("1"), p.first("Name"));
    }

    @Test
    void plusIsASpaceAndEscapesAreUtf8() {
        Parameters p = Parameters.parse("q=a+b%2Bc&name=caf%C3%A9&euro=%E2%82%AC&fish=%F0%9F%90%9F&k%20ey=v+1");
        assertEquals("a b+c", p.first("q").orElseThrow());
        assertEquals("café", p.first("name").orElseThrow());
        assertEquals("€", p.first("euro").orElseThrow());
        assertEquals("\uD83D\uDC1F", p.first("fish").orElseThrow());
        assertEquals("v 1", p.first("k ey").orElseThrow(), "names are decoded too");
    }

    @Test
    void textBeyondAsciiIsTakenAsText() {
        Parameters p = Parameters.parse("q=café €&r=ü%C3%BC");
        assertEquals("café €", p.first("q").orElseThrow());
        assertEquals("üü", p.first("r").orElseThrow());
    }

    @Test
    void valuesSplitOnTheFirstEquals() {
        Parameters p = Parameters.parse("expr=a=b=c&eq==");
        assertEquals("a=b=c", p.first("expr").orElseThrow());
        assertEquals("=", p.first("eq").orElseThrow());
    }

    @Test
    void aPieceWithoutEqualsIsANameWithAnEmptyValue() {
        Parameters p = Parameters.parse("flag&x=1&empty=");
        assertEquals(List.of("flag=", "x=1", "empty="), pairs(p));
        assertTrue(p.contains("flag"));
        assertEquals(Optional.of(""), p.first("flag"));
        assertEquals(Optional.of(""), p.first("empty"));
    }

    @Test
    void emptyPiecesAreSkipped() {
        assertEquals(List.of("a=1", "b=2"), pairs(Parameters.parse("a=1&&b=2&")));
        assertEquals(List.of("a=1"), pairs(Parameters.parse("&&a=1")));
        assertTrue(Parameters.parse("&&&").isEmpty());
        assertEquals(0, Parameters.parse("&").size());
    }

    @Test
    void nothingMeansNoParameters() {
        assertTrue(Parameters.parse(null).isEmpty());
        assertTrue(Parameters.parse("").isEmpty());
        assertTrue(Parameters.empty().isEmpty());
        assertEquals(0, Parameters.empty().size());
        assertEquals(Optional.empty(), Parameters.empty().first("a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=%zz", "a=%4", "a=%", "a=x%", "%=1", "a%4=1", "a=%4g", "a=%%41", "a=1&b=%G0"})
    void malformedEscapesAre400(String query) {
        HttpException e = assertThrows(HttpException.class, () -> Parameters.parse(query));
        assertEquals(400, e.status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=%FF", "a=%C3", "a=%C3%28", "a=%E2%82", "a=%C0%AF", "a=%ED%A0%80", "a=%F8%88%80%80%80", "%80=x"})
    void invalidUtf8Is400(String query) {
        HttpException e = assertThrows(HttpException.class, () -> Parameters.parse(query));
        assertEquals(400, e.status());
    }

    @Test
    void ofTakesDecodedPairs() {
        Parameters p = Parameters.of(List.of("a", "1 2", "a", "%41"));
        assertEquals(List.of("a=1 2", "a=%41"), pairs(p), "already decoded: nothing is decoded again");
        assertThrows(IllegalArgumentException.class, () -> Parameters.of(List.of("odd")));
    }

    @Test
    void parametersAreImmutable() {
        Parameters p = Parameters.parse("a=1&b=2");
        try {
            p.names().add("z");
        } catch (UnsupportedOperationException expected) {
            // fine: read-only view
        }
        try {
            p.all("a").add("9");
        } catch (UnsupportedOperationException expected) {
            // fine: read-only view
        }
        assertEquals(List.of("a=1", "b=2"), pairs(p));
        assertEquals(List.of("1"), p.all("a"));

        List<String> source = new ArrayList<>(List.of("x", "1"));
        Parameters q = Parameters.of(source);
        source.set(1, "changed");
        assertEquals("1", q.first("x").orElseThrow(), "of() copies its argument");
    }

    // ---- UrlEncoded directly ----

    @Test
    void urlEncodedStopsPastMaxPairsWith413() {
        List<String> seen = new ArrayList<>();
        UrlEncoded.parse("a=1&b=2", 2, (n, v) -> seen.add(n));
        assertEquals(List.of("a", "b"), seen);
        HttpException e = assertThrows(HttpException.class, () -> UrlEncoded.parse("a=1&b=2&c=3", 2, (n, v) -> { }));
        assertEquals(413, e.status());
        // empty pieces do not count
        UrlEncoded.parse("a=1&&&&b=2&", 2, (n, v) -> { });
    }

    @Test
    void urlEncodedParseBytesTakesOneCharPerByte() {
        List<String> seen = new ArrayList<>();
        // "café" as it comes off the wire: the two UTF-8 bytes of é as two chars
        UrlEncoded.parseBytes("q=caf\u00c3\u00a9", 10, (n, v) -> seen.add(n + "=" + v));
        assertEquals(List.of("q=café"), seen);
        HttpException e = assertThrows(HttpException.class, () -> UrlEncoded.parseBytes("q=\u00e9", 10, (n, v) -> { }));
        assertEquals(400, e.status(), "a lone byte 0xE9 is not UTF-8");
    }
}
