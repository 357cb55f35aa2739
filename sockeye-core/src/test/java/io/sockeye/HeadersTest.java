package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeadersTest {

    private static List<String> fields(Headers h) {
        List<String> all = new ArrayList<>();
        h.forEach((n, v) -> all.add(n + ": " + v));
        return all;
    }

    @Test
    void namesAreCaseInsensitive() {
        Headers h = new Headers().add("Content-Type", "text/plain");
        assertEquals("text/plain", h.get("content-type"));
        assertEquals("text/plain", h.get("CONTENT-TYPE"));
        assertTrue(h.contains("cOnTeNt-TyPe"));
        assertEquals(Optional.of("text/plain"), h.firstValue("content-TYPE"));
        assertEquals(List.of("text/plain"), h.allValues("CONTENT-type"));
        assertNull(h.get("Content-Length"));
        assertEquals(Optional.empty(), h.firstValue("Content-Length"));
        assertEquals(List.of(), h.allValues("Content-Length"));
        assertFalse(h.contains("Content"));
    }

    @Test
    void orderAndRepeatsAreKept() {
        Headers h = new Headers()
                .add("Set-Cookie", "a=1")
                .add("X-One", "1")
                .add("set-cookie", "b=2")
                .add("X-Two", "2");
        assertEquals(4, h.size(), "a repeated name counts once per field");
        assertFalse(h.isEmpty());
        assertEquals(List.of("Set-Cookie: a=1", "X-One: 1", "set-cookie: b=2", "X-Two: 2"), fields(h));
        assertEquals(List.of("a=1", "b=2"), h.allValues("SET-COOKIE"));
        assertEquals("a=1", h.get("Set-Cookie"), "get() is the first value");
        assertEquals("set-cookie", h.name(2), "the name as added");
        assertEquals("b=2", h.value(2));
        assertEquals(List.of("Set-Cookie", "X-One", "X-Two"), List.copyOf(h.names()), "distinct names, first spelling, in order");
    }

    @Test
    void ofTakesPairsInOrder() {
        Headers h = Headers.of("A", "1", "B", "2", "a", "3");
        assertEquals(List.of("A: 1", "B: 2", "a: 3"), fields(h));
        assertThrows(IllegalArgumentException.class, () -> Headers.of("A", "1", "B"));
    }

    @Test
    void indexOutOfRangeThrows() {
        Headers h = Headers.of("A", "1");
        assertThrows(IndexOutOfBoundsException.class, () -> h.name(1));
        assertThrows(IndexOutOfBoundsException.class, () -> h.value(-1));
    }

    @Test
    void manyFieldsGrowTheStorage() {
        Headers h = new Headers();
        for (int i = 0; i < 100; i++) h.add("X-" + i, "v" + i);
        assertEquals(100, h.size());
        for (int i = 0; i < 100; i++) {
            assertEquals("X-" + i, h.name(i));
            assertEquals("v" + i, h.get("x-" + i));
        }
    }

    @Test
    void setReplacesEveryFieldOfTheNameAndKeepsTheFirstPosition() {
        Headers h = new Headers()
                .add("A", "1")
                .add("B", "2")
                .add("a", "3")
                .add("C", "4")
                .add("A", "5");
        assertTheSame(h, h.set("a", "9"));
        assertEquals(3, h.size());
        assertEquals(List.of("9"), h.allValues("A"));
        assertTrue(h.name(0).equalsIgnoreCase("A"), "the replacement sits where the first A was");
        assertEquals("9", h.value(0));
        assertEquals("B", h.name(1));
        assertEquals("2", h.value(1));
        assertEquals("C", h.name(2));
        assertEquals("4", h.value(2));
    }

    @Test
    void setOnAnAbsentNameAppends() {
        Headers h = Headers.of("A", "1").set("B", "2");
        assertEquals(List.of("A: 1", "B: 2"), fields(h));
    }

    @Test
    void removeTakesEveryFieldOfTheNameAndKeepsTheRestInOrder() {
        Headers h = Headers.of("A", "1", "B", "2", "a", "3", "C", "4");
        assertTrue(h.remove("A"));
        assertEquals(List.of("B: 2", "C: 4"), fields(h));
        assertFalse(h.remove("A"), "nothing left to remove");
        assertFalse(h.remove("Z"));
        assertNull(h.get("a"));
        h.clear();
        assertTrue(h.isEmpty());
        assertEquals(0, h.size());
        assertNull(h.get("B"));
    }

    @Test
    void valuesAreStoredWithoutSurroundingWhitespace() {
        Headers h = new Headers().add("A", "  spaced out \t").set("B", "\t b ");
        assertEquals("spaced out", h.get("A"));
        assertEquals("b", h.get("B"));
        assertEquals("inner\ttab kept", new Headers().add("T", "inner\ttab kept").get("T"));
        assertEquals("", new Headers().add("E", "").get("E"), "an empty value is allowed");
    }

    // ---- containsToken ----

    @Test
    void containsTokenFindsATokenInAList() {
        Headers h = Headers.of("Connection", "keep-alive, Close");
        assertTrue(h.containsToken("Connection", "close"), "case-insensitive token");
        assertTrue(h.containsToken("connection", "KEEP-ALIVE"), "case-insensitive name");
        assertFalse(h.containsToken("Connection", "keep"), "whole tokens only");
        assertFalse(h.containsToken("Connection", "alive"));
        assertFalse(h.containsToken("Connection", "keep-alive, Close"));
        assertFalse(h.containsToken("Upgrade", "close"), "absent field");
    }

    @Test
    void containsTokenIgnoresParametersAndWhitespace() {
        Headers h = Headers.of("Accept-Encoding", "gzip;q=0.5 ,\tbr ; q=1,identity");
        assertTrue(h.containsToken("Accept-Encoding", "gzip"));
        assertTrue(h.containsToken("Accept-Encoding", "br"));
        assertTrue(h.containsToken("Accept-Encoding", "identity"));
        assertFalse(h.containsToken("Accept-Encoding", "q=0.5"), "a parameter is not a list member");
        assertFalse(h.containsToken("Accept-Encoding", "zip"));
    }

    @Test
    void containsTokenLooksAtEveryFieldOfTheName() {
        Headers h = Headers.of("Connection", "keep-alive", "X", "close", "CONNECTION", "Upgrade");
        assertTrue(h.containsToken("Connection", "upgrade"));
        assertTrue(h.containsToken("Connection", "keep-alive"));
        assertFalse(h.containsToken("Connection", "close"), "close is in another field");
    }

    // ---- validation ----

    @ParameterizedTest
    @ValueSource(strings = {"a\rb", "a\nb", "a\r\nSet-Cookie: evil=1", "ok\r\n", "a\u0000b", "\u0000", "a\u0001b",
            "a\u001fb", "a\u007fb", "a\u20acb", "\r\n\r\nHTTP/1.1 200 OK"})
    void valuesWithControlCharactersOrBeyondLatin1AreRejected(String value) {
        assertThrows(IllegalArgumentException.class, () -> new Headers().add("X", value));
        assertThrows(IllegalArgumentException.class, () -> new Headers().set("X", value));
        Headers existing = Headers.of("X", "old");
        assertThrows(IllegalArgumentException.class, () -> existing.set("X", value));
        assertEquals("old", existing.get("X"), "a rejected set changes nothing");
        assertEquals(1, existing.size());
    }

    @Test
    void latin1ValuesAreAccepted() {
        assertEquals("caf\u00e9 \u00ff", new Headers().add("X", "caf\u00e9 \u00ff").get("X"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bad Name", "Bad:Name", "Name:", "X\r\nY", "a\u0000", "caf\u00e9", "(comment)",
            "a/b", "a@b", "a=b", "{x}", "\"q\"", "a,b", "a;b", "\tX"})
    void namesThatAreNotTokensAreRejected(String name) {
        assertThrows(IllegalArgumentException.class, () -> new Headers().add(name, "v"), name);
        assertThrows(IllegalArgumentException.class, () -> new Headers().set(name, "v"), name);
    }

    @Test
    void everyTokenCharacterIsAcceptedInNames() {
        String all = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        Headers h = new Headers().add(all, "v");
        assertEquals("v", h.get(all));
    }

    // ---- read-only ----

    @Test
    void readOnlyFieldsRefuseEveryMutationButStillRead() {
        Headers h = Headers.of("A", "1", "B", "2");
        assertFalse(h.isReadOnly());
        assertTheSame(h, h.makeReadOnly());
        assertTrue(h.isReadOnly());
        assertThrows(IllegalStateException.class, () -> h.add("C", "3"));
        assertThrows(IllegalStateException.class, () -> h.set("A", "9"));
        assertThrows(IllegalStateException.class, () -> h.set("New", "9"));
        assertThrows(IllegalStateException.class, () -> h.remove("A"));
        assertThrows(IllegalStateException.class, () -> h.remove("Absent"));
        assertThrows(IllegalStateException.class, h::clear);
        assertEquals(List.of("A: 1", "B: 2"), fields(h), "nothing changed");
        assertEquals("1", h.get("a"));
        assertTrue(h.containsToken("b", "2"));
    }

    private static void assertTheSame(Object expected, Object actual) {
        assertTrue(expected == actual, "returns this");
    }
}
