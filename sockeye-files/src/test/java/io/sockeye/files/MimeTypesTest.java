package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.header;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.sockeye.HttpServer;

/** Content types by extension, charset on text, the fallback, and added mappings. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MimeTypesTest {

    @TempDir
    static Path tmp;
    static HttpServer server;

    static final String UTF8 = "; charset=utf-8";

    /** File name, and a pattern its Content-Type must match. */
    static Stream<Arguments> types() {
        return Stream.of(
                Arguments.of("f.html", "text/html" + UTF8),
                Arguments.of("f.htm", "text/html" + UTF8),
                Arguments.of("f.css", "text/css" + UTF8),
                Arguments.of("f.js", "(text|application)/javascript" + UTF8),
                Arguments.of("f.mjs", "(text|application)/javascript" + UTF8),
                Arguments.of("f.json", "application/json(" + UTF8 + ")?"),
                Arguments.of("f.svg", "image/svg\\+xml(" + UTF8 + ")?"),
                Arguments.of("f.png", "image/png"),
                Arguments.of("f.jpg", "image/jpeg"),
                Arguments.of("f.jpeg", "image/jpeg"),
                Arguments.of("f.gif", "image/gif"),
                Arguments.of("f.webp", "image/webp"),
                Arguments.of("f.avif", "image/avif"),
                Arguments.of("f.ico", "image/(x-icon|vnd\\.microsoft\\.icon)"),
                Arguments.of("f.woff", "font/woff"),
                Arguments.of("f.woff2", "font/woff2"),
                Arguments.of("f.wasm", "application/wasm"),
                Arguments.of("f.mp4", "video/mp4"),
                Arguments.of("f.webm", "video/webm"),
                Arguments.of("f.pdf", "application/pdf"),
                Arguments.of("f.txt", "text/plain" + UTF8),
                Arguments.of("f.xml", "(application|text)/xml(" + UTF8 + ")?"),
                Arguments.of("f.zip", "application/zip"),
                Arguments.of("UPPER.PNG", "image/png"),
                Arguments.of("Mixed.Txt", "text/plain" + UTF8),
                Arguments.of("a.b.css", "text/css" + UTF8),
                Arguments.of("f.unknownext", "application/octet-stream"),
                Arguments.of("noextension", "application/octet-stream"),
                Arguments.of("trailing.", "application/octet-stream"));
    }

    @BeforeAll
    static void start() throws Exception {
        Path www = Files.createDirectory(tmp.resolve("www"));
        for (Arguments a : types().toList()) write(www.resolve((String) a.get()[0]), "x");
        write(www.resolve("model.glb2"), "x");
        write(www.resolve("notes.mine"), "x");
        MimeTypes custom = MimeTypes.defaults().with("glb2", "model/x-test").with(".MINE", "text/x-mine");
        server = FilesTestSupport.start(FileHandler.builder(www).mimeTypes(custom).build());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @ParameterizedTest
    @MethodSource("types")
    void forName(String name, String pattern) {
        String type = MimeTypes.defaults().forName(name);
        assertTrue(type.matches(pattern), name + " -> " + type);
        if (type.startsWith("text/")) assertTrue(type.endsWith(UTF8), "text types get charset=utf-8: " + type);
    }

    @ParameterizedTest
    @MethodSource("types")
    void contentTypeOnTheWire(String name, String pattern) throws Exception {
        HttpResponse<byte[]> r = get(server, "/" + name);
        assertEquals(200, r.statusCode(), name);
        assertTrue(header(r, "Content-Type").matches(pattern), name + " -> " + header(r, "Content-Type"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        ".bashrc|application/octet-stream", "dir.d/file|application/octet-stream", "/a/b.c/d|application/octet-stream",
        "dir/f.png|image/png", "f.PDF|application/pdf",
    })
    void namesWithoutAnExtension(String name, String type) {
        assertEquals(type, MimeTypes.defaults().forName(name));
    }

    @Test
    void withAddsAMappingToACopy() {
        MimeTypes base = MimeTypes.defaults();
        MimeTypes more = base.with("glb2", "model/x-test");
        assertNotSame(base, more);
        assertEquals("model/x-test", more.forName("a.glb2"));
        assertEquals("model/x-test", more.forName("A.GLB2"), "extensions are case-insensitive");
        assertEquals(MimeTypes.DEFAULT, base.forName("a.glb2"), "the table it came from is unchanged");
        assertEquals(MimeTypes.DEFAULT, MimeTypes.defaults().forName("a.glb2"), "the defaults are unchanged");
        assertEquals("image/png", more.forName("a.png"), "the rest is kept");
    }

    @Test
    void withReplacesAndGivesTextACharset() {
        MimeTypes t = MimeTypes.defaults().with(".Foo", "text/x-foo").with("txt", "text/markdown")
                .with("lat", "text/plain; charset=iso-8859-1");
        assertEquals("text/x-foo" + UTF8, t.forName("a.foo"));
        assertEquals("text/markdown" + UTF8, t.forName("a.txt"));
        assertEquals("text/plain; charset=iso-8859-1", t.forName("a.lat"), "an explicit charset is kept");
        assertEquals("text/plain" + UTF8, MimeTypes.defaults().forName("a.txt"));
    }

    @Test
    void withRefusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> MimeTypes.defaults().with("", "a/b"));
        assertThrows(IllegalArgumentException.class, () -> MimeTypes.defaults().with(".", "a/b"));
        assertThrows(NullPointerException.class, () -> MimeTypes.defaults().with("x", null));
    }

    @Test
    void addedMappingsAreServed() throws Exception {
        assertEquals("model/x-test", header(get(server, "/model.glb2"), "Content-Type"));
        assertEquals("text/x-mine" + UTF8, header(get(server, "/notes.mine"), "Content-Type"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "text/html; charset=utf-8|true", "text/plain|true", "application/json; charset=utf-8|true", "image/svg+xml|true",
        "text/javascript; charset=utf-8|true", "application/wasm|true", "image/png|false", "image/jpeg|false",
        "video/mp4|false", "application/zip|false", "application/gzip|false", "font/woff2|false", "application/octet-stream|false",
    })
    void compressibleTypes(String type, boolean compressible) {
        assertEquals(compressible, MimeTypes.isCompressible(type), type);
    }
}
