package io.sockeye.form;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.sockeye.Form;
import io.sockeye.FormFile;
import io.sockeye.FormLimits;
import io.sockeye.HttpException;

@Timeout(10)
class MultipartParserTest {

    private static final String B = "----sockeyeBoundary7MA4YWxkTrZu0gW";
    private static final FormLimits LIMITS = new FormLimits(1000, 1 << 20, 10 << 20, 8192, 1024);

    /** Hands out the body in pieces of a given size, to cross every buffer boundary. */
    private static InputStream pieces(byte[] body, int piece) {
        return new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < body.length ? body[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= body.length) return -1;
                int n = Math.min(Math.min(len, piece), body.length - pos);
                System.arraycopy(body, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    private static Form parse(String body, int piece, FormLimits limits) throws IOException {
        return new MultipartParser(pieces(body.getBytes(StandardCharsets.ISO_8859_1), piece), B, limits).parse();
    }

    private static String field(String name, String value) {
        return "--" + B + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    }

    private static String end() {
        return "--" + B + "--\r\n";
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 40, 4096, 1 << 20})
    void parsesFieldsAndFilesWhateverThePieceSize(int piece) throws IOException {
        String body = "preamble to ignore\r\n"
                + field("firstname", "Vamei")
                + field("firstname", "again")
                + "--" + B + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"../../etc/passwd\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\nJPEG\r\n--not-the-boundary\r\nbytes\r\n"
                + field("empty", "")
                + end() + "epilogue";
        Form form = parse(body, piece, LIMITS);
        assertEquals("Vamei", form.first("firstname").orElseThrow());
        assertEquals(2, form.all("firstname").size());
        assertEquals("", form.first("empty").orElseThrow());
        FormFile photo = form.file("photo").orElseThrow();
        assertEquals("../../etc/passwd", photo.fileName(), "kept as data, exactly as sent");
        assertEquals("image/jpeg", photo.contentType());
        assertEquals("JPEG\r\n--not-the-boundary\r\nbytes", new String(photo.bytes(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void aLargeFileSpillsToATemporaryFileThatCleanupDeletes() throws IOException {
        byte[] content = new byte[300_000];
        new Random(42).nextBytes(content);
        byte[] head = ("--" + B + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"r.bin\"\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] tail = ("\r\n" + end()).getBytes(StandardCharsets.ISO_8859_1);
        byte[] body = new byte[head.length + content.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(content, 0, body, head.length, content.length);
        System.arraycopy(tail, 0, body, head.length + content.length, tail.length);
        Form form = new MultipartParser(pieces(body, 1000), B, LIMITS).parse();
        FormFile f = form.file("f").orElseThrow();
        assertEquals(content.length, f.size());
        assertArrayEquals(content, f.bytes());
        Path copy = Files.createTempFile("copy", ".bin");
        Files.delete(copy);
        f.copyTo(copy);
        assertArrayEquals(content, Files.readAllBytes(copy));
        Files.delete(copy);
        long before = countUploads();
        assertTrue(before >= 1, "the file was spilled to disk");
        MultipartParser.cleanup(form);
        assertEquals(before - 1, countUploads());
    }

    private static long countUploads() throws IOException {
        try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("sockeye-upload-")).count();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",                                                              // nothing at all
        "--" + B,                                                        // opening boundary, then the end
        "--" + B + "\r\n",                                               // no part headers
        "--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\n", // headers never end
        "--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue",                  // no final boundary
        "--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n--" + B,         // truncated after it
        "--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n--" + "----sockeye",  // truncated boundary
        "--" + B + "X\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--" + B + "--",      // junk after boundary
        "--" + B + "\r\nContent-Disposition: form-data\r\n\r\nv\r\n--" + B + "--",                    // part without a name
        "--" + B + "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--" + B + "--",       // not form-data
        "--" + B + "\r\nno colon here\r\n\r\nv\r\n--" + B + "--",                                     // malformed header
        "--" + B + "\nContent-Disposition: form-data; name=\"a\"\n\nv\n--" + B + "--",                 // LF only
    })
    void malformedBodiesAre400(String body) {
        HttpException e = assertThrows(HttpException.class, () -> parse(body, 3, LIMITS));
        assertEquals(400, e.status(), e.getMessage());
    }

    @Test
    void invalidUtf8InATextFieldIs400ButFilesAreBytes() throws IOException {
        String bad = field("a", "caf\u00e9"); // ISO-8859-1 byte E9 alone: not UTF-8
        HttpException e = assertThrows(HttpException.class, () -> parse(bad + end(), 5, LIMITS));
        assertEquals(400, e.status());
        String file = "--" + B + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n\u00e9\u00ff\r\n" + end();
        assertArrayEquals(new byte[] {(byte) 0xe9, (byte) 0xff}, parse(file, 5, LIMITS).file("f").orElseThrow().bytes());
    }

    @Test
    void utf8FieldsAndFileNamesDecode() throws IOException {
        String name = new String("张三".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        String body = field("n", name) + "--" + B + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"" + name
                + ".txt\"\r\n\r\nx\r\n" + end();
        Form form = parse(body, 4, LIMITS);
        assertEquals("张三", form.first("n").orElseThrow());
        assertEquals("张三.txt", form.file("f").orElseThrow().fileName());
    }

    @Test
    void tenThousandTinyFieldsAreRefusedPastTheLimit() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 10_000; i++) body.append(field("f" + i, "v"));
        body.append(end());
        HttpException e = assertThrows(HttpException.class, () -> parse(body.toString(), 8192, LIMITS));
        assertEquals(413, e.status());
    }

    @Test
    void tenThousandTinyFieldsParseWhenAllowed() throws IOException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 10_000; i++) body.append(field("f" + i, "v" + i));
        body.append(end());
        Form form = parse(body.toString(), 8192, new FormLimits(10_000, 1024, 1024, 8192, 1024));
        assertEquals(10_000, form.fields().size());
        assertEquals("v9999", form.first("f9999").orElseThrow());
    }

    @Test
    void aHugePartHeaderIsRefusedBeforeItIsReadWhole() {
        String body = "--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Junk: " + "j".repeat(1 << 20) + "\r\n\r\nv\r\n" + end();
        HttpException e = assertThrows(HttpException.class, () -> parse(body, 65536, LIMITS));
        assertEquals(413, e.status());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 4096})
    void aPartHeaderExactlyAtItsLimitPassesAndOneByteMoreIs413(int piece) throws IOException {
        String name = "n".repeat(80); // the limit cannot be set under 64
        String line = "Content-Disposition: form-data; name=\"" + name + "\"";
        String body = "--" + B + "\r\n" + line + "\r\n\r\nv\r\n" + end();
        // the line and its CRLF, then the empty line's CR: its LF must fit too
        int exact = line.length() + 3;
        assertEquals("v", parse(body, piece, new FormLimits(10, 1024, 1024, exact, 1024)).first(name).orElseThrow());
        HttpException e = assertThrows(HttpException.class, () -> parse(body, piece, new FormLimits(10, 1024, 1024, exact - 1, 1024)));
        assertEquals(413, e.status());
        FormLimits tight = new FormLimits(10, 1024, 1024, line.length(), 1024); // the line's CR no longer fits
        assertEquals(413, assertThrows(HttpException.class, () -> parse(body, piece, tight)).status());
    }

    @Test
    void aFieldOverItsLimitIs413() {
        FormLimits small = new FormLimits(10, 16, 1024, 8192, 1024);
        HttpException e = assertThrows(HttpException.class, () -> parse(field("a", "x".repeat(17)) + end(), 3, small));
        assertEquals(413, e.status());
    }

    @Test
    void aFileOverItsLimitIs413AndLeavesNoTemporaryFile() throws IOException {
        FormLimits small = new FormLimits(10, 16, 5000, 8192, 100);
        long before = countUploads();
        String body = "--" + B + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"big\"\r\n\r\n" + "x".repeat(6000) + "\r\n" + end();
        HttpException e = assertThrows(HttpException.class, () -> parse(body, 512, small));
        assertEquals(413, e.status());
        assertEquals(before, countUploads(), "the spilled part was deleted");
    }

    @Test
    void quotedParametersWithEscapesAndSemicolons() throws IOException {
        String body = "--" + B + "\r\nContent-Disposition: form-data; name=\"a;b\"; filename=\"q\\\"uote;.txt\"\r\n\r\nx\r\n" + end();
        FormFile f = parse(body, 2, LIMITS).files().get(0);
        assertEquals("a;b", f.name());
        assertEquals("q\"uote;.txt", f.fileName());
        assertFalse(f.fileName().isEmpty());
    }

    @Test
    void aBoundaryLongerThan70IsRefused() {
        HttpException e = assertThrows(HttpException.class,
                () -> new MultipartParser(new ByteArrayInputStream(new byte[0]), "x".repeat(71), LIMITS));
        assertEquals(400, e.status());
    }

    /**
     * Any bytes as a multipart body: a form or a 400/413, never another exception, and no temporary file
     * left behind either way. Replays the kept inputs under the tests; to search for more, see
     * {@code Http1FuzzTest}.
     */
    @FuzzTest(maxDuration = "2m")
    @Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES) // a search runs for minutes
    void anyBodyGivesAFormOrAClientError(byte[] body) throws IOException {
        long before = countUploads();
        // a low memory threshold, so that files spill to disk and their cleanup is exercised
        FormLimits limits = new FormLimits(50, 4096, 64 * 1024, 1024, 16);
        for (int piece : new int[] {1, 4096}) {
            try {
                Form form = new MultipartParser(pieces(body, piece), B, limits).parse();
                assertTrue(form.fields().size() <= 50);
                MultipartParser.cleanup(form);
            } catch (HttpException e) {
                assertTrue(e.status() == 400 || e.status() == 413, "status " + e.status());
            }
        }
        assertEquals(before, countUploads(), "a temporary upload file was left behind");
    }
}
