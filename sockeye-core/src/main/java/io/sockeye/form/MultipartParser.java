package io.sockeye.form;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.sockeye.Form;
import io.sockeye.FormFile;
import io.sockeye.FormLimits;
import io.sockeye.HttpException;
import io.sockeye.Parameters;
import io.sockeye.Status;

/**
 * {@code multipart/form-data} (RFC 7578 over RFC 2046 §5.1), parsed as it streams in: the body is never
 * held whole. Each part's content is copied out as soon as it is known not to be the start of the next
 * delimiter ({@code CRLF--boundary}), to a bounded text field or to an {@link UploadedFile} that spills to
 * disk past a threshold. Every size and count is bounded (413); anything malformed — no opening boundary,
 * a truncated one, a body that ends before the closing one, a part without a name — is a 400.
 *
 * <p>A part with a {@code filename} parameter is a file; any other part is a text field, decoded as UTF-8.
 * File names are kept as the client sent them, as data.
 */
public final class MultipartParser {

    private static final int BUFFER = 64 * 1024;

    private final InputStream in;
    private final byte[] delimiter;
    private final FormLimits limits;
    private final byte[] buf;
    private int start;
    private int end;
    private boolean eof;
    private final List<UploadedFile> files = new ArrayList<>();

    /**
     * @param in       the body
     * @param boundary the boundary parameter of the content type
     * @param limits   the limits
     */
    public MultipartParser(InputStream in, String boundary, FormLimits limits) {
        if (boundary.isEmpty() || boundary.length() > 70) throw bad("bad multipart boundary");
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.limits = limits;
        this.buf = new byte[Math.max(BUFFER, delimiter.length * 4)];
    }

    /**
     * Reads the whole body into a form. On failure, files already stored are deleted.
     *
     * @return the form; {@link #cleanup(Form)} deletes its temporary files
     * @throws HttpException 400 for a malformed body, 413 past a limit
     * @throws IOException   if reading the body fails
     */
    public Form parse() throws IOException {
        boolean done = false;
        try {
            Form form = readAll();
            done = true;
            return form;
        } finally {
            if (!done) files.forEach(UploadedFile::delete);
        }
    }

    /** Deletes the temporary files of a form this class made; other forms are left alone. */
    public static void cleanup(Form form) {
        for (FormFile f : form.files()) {
            if (f instanceof UploadedFile u) u.delete();
        }
    }

    private Form readAll() throws IOException {
        skipPreamble();
        List<String> pairs = new ArrayList<>();
        int parts = 0;
        while (true) {
            if (afterDelimiter()) break; // "--": the closing delimiter
            if (++parts > limits.maxFields()) {
                throw new HttpException(Status.CONTENT_TOO_LARGE, "more than " + limits.maxFields() + " form parts");
            }
            PartHead head = readPartHead();
            if (head.fileName == null) {
                BoundedBytes value = new BoundedBytes(limits.maxFieldBytes());
                copyContent(value);
                pairs.add(head.name);
                byte[] v = value.toByteArray();
                pairs.add(PercentDecoder.strictUtf8(v, 0, v.length, "a form field"));
            } else {
                UploadedFile file = new UploadedFile(head.name, head.fileName,
                        head.contentType == null ? "application/octet-stream" : head.contentType,
                        limits.memoryThreshold(), limits.maxFileBytes());
                files.add(file);
                try (file) {
                    copyContent(file);
                }
            }
        }
        return Form.of(Parameters.of(pairs), new ArrayList<>(files));
    }

    /** Finds the first delimiter: at the very start ("--boundary") or after a preamble ("CRLF--boundary"). */
    private void skipPreamble() throws IOException {
        int d = delimiter.length - 2;
        fill(d);
        if (end - start >= d && regionEquals(buf, start, delimiter, 2, d)) {
            start += d;
            return;
        }
        copyContent(OutputStream.nullOutputStream());
    }

    /** After a delimiter: "--" closes the body, transport padding then CRLF opens a part. @return closed */
    private boolean afterDelimiter() throws IOException {
        fill(2);
        if (end - start >= 2 && buf[start] == '-' && buf[start + 1] == '-') {
            start += 2;
            return true;
        }
        while (true) { // RFC 2046 §5.1.1: linear whitespace may follow the boundary
            fill(1);
            if (end == start) throw bad("multipart body ended after a boundary");
            byte c = buf[start];
            if (c != ' ' && c != '\t') break;
            start++;
        }
        fill(2);
        if (end - start < 2 || buf[start] != '\r' || buf[start + 1] != '\n') throw bad("malformed multipart boundary line");
        start += 2;
        return false;
    }

    private record PartHead(String name, String fileName, String contentType) {
    }

    private PartHead readPartHead() throws IOException {
        String name = null;
        String fileName = null;
        String contentType = null;
        int total = 0;
        while (true) {
            String line = readLine(limits.maxPartHeaderBytes() - total);
            total += line.length() + 2;
            if (line.isEmpty()) break;
            int colon = line.indexOf(':');
            if (colon <= 0) throw bad("malformed header in a multipart part");
            String field = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (field.equalsIgnoreCase("Content-Disposition")) {
                if (!HeaderParameters.type(value).equalsIgnoreCase("form-data")) throw bad("part is not form-data");
                name = HeaderParameters.get(value, "name");
                fileName = HeaderParameters.get(value, "filename");
            } else if (field.equalsIgnoreCase("Content-Type")) {
                contentType = value;
            }
        }
        if (name == null) throw bad("multipart part without a name");
        return new PartHead(name, fileName, contentType);
    }

    /**
     * Reads a CRLF-terminated header line of at most {@code max} bytes before its LF, decoded as UTF-8
     * (browsers send file names that way). The line is found by scanning the buffer, and decoded from it in
     * place; only a line that spans a refill of the buffer is gathered elsewhere first.
     */
    private String readLine(int max) throws IOException {
        ByteArrayOutputStream spill = null;
        int have = 0;
        while (true) {
            fill(1);
            if (end == start) throw bad("multipart body ended inside a part's header");
            // at most max - have more bytes may come before the LF
            int limit = (int) Math.min(end, (long) start + max - have + 1);
            int i = start;
            while (i < limit && buf[i] != '\n') i++;
            if (i < limit) {
                byte[] bytes = buf;
                int off = start;
                int len = i - start;
                if (spill != null) {
                    spill.write(buf, start, len);
                    bytes = spill.toByteArray();
                    off = 0;
                    len = bytes.length;
                }
                start = i + 1;
                if (len == 0 || bytes[off + len - 1] != '\r') throw bad("bare LF in a multipart header");
                return PercentDecoder.strictUtf8(bytes, off, len - 1, "a form field");
            }
            int n = limit - start;
            if (have + n > max) throw new HttpException(Status.CONTENT_TOO_LARGE, "multipart part header too large");
            if (spill == null) spill = new ByteArrayOutputStream(128);
            spill.write(buf, start, n);
            have += n;
            start = limit;
        }
    }

    /**
     * Copies content up to the next delimiter into {@code sink}, and consumes the delimiter. Bytes are
     * released as soon as they cannot be the start of a delimiter.
     */
    private void copyContent(OutputStream sink) throws IOException {
        int keep = delimiter.length - 1;
        while (true) {
            int at = indexOf(buf, start, end, delimiter);
            if (at >= 0) {
                sink.write(buf, start, at - start);
                start = at + delimiter.length;
                return;
            }
            int safe = end - keep;
            if (safe > start) {
                sink.write(buf, start, safe - start);
                start = safe;
            }
            if (eof) throw bad("multipart body ended before its closing boundary");
            fill(end - start + 1);
        }
    }

    /** Makes at least {@code n} bytes available if the body has them (fewer at its end). */
    private void fill(int n) throws IOException {
        if (end - start >= n || eof) return;
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
        while (end - start < n && !eof) {
            int r = in.read(buf, end, buf.length - end);
            if (r < 0) eof = true;
            else end += r;
        }
    }

    private static int indexOf(byte[] b, int from, int to, byte[] pattern) {
        byte first = pattern[0];
        int last = to - pattern.length;
        outer:
        for (int i = from; i <= last; i++) {
            if (b[i] != first) continue;
            for (int k = 1; k < pattern.length; k++) {
                if (b[i + k] != pattern[k]) continue outer;
            }
            return i;
        }
        return -1;
    }

    private static boolean regionEquals(byte[] b, int off, byte[] pattern, int poff, int len) {
        for (int i = 0; i < len; i++) {
            if (b[off + i] != pattern[poff + i]) return false;
        }
        return true;
    }

    private static HttpException bad(String message) {
        return new HttpException(Status.BAD_REQUEST, message);
    }

    /** A byte sink that refuses to grow past a limit (413). */
    private static final class BoundedBytes extends ByteArrayOutputStream {
        private final long max;

        BoundedBytes(long max) {
            this.max = max;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (count + (long) len > max) {
                throw new HttpException(Status.CONTENT_TOO_LARGE, "form field longer than " + max + " bytes");
            }
            super.write(b, off, len);
        }
    }
}
