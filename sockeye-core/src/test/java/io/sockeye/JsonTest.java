package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link Json}: client text into a JSON string, as listings and the JSON access log put it. */
class JsonTest {

    @Test
    void quotesBackslashesAndControlCharactersAreEscaped() {
        assertEquals("\"a\\\"b\\\\c\\n\\r\\t\\u0000\\u001f\\u007f\"", Json.quote("a\"b\\c\n\r\t\u0000\u001f\u007f"));
        assertEquals("null", Json.quote(null));
        assertEquals("\"\"", Json.quote(""));
    }

    @Test
    void lineAndParagraphSeparatorsAreEscapedForOldJavaScript() {
        assertEquals("\"x\\u2028y\\u2029\"", Json.quote("x\u2028y\u2029"));
    }

    @Test
    void nonAsciiIsKeptOrEscapedAsAsked() {
        assertEquals("\"Zoë 🐟\"", Json.quote("Zoë 🐟"));
        assertEquals("\"Zo\\u00eb \\ud83d\\udc1f\"", Json.appendString(new StringBuilder(), "Zoë 🐟", true).toString());
    }
}
