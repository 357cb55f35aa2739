package io.sockeye.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A {@code .tar.gz} archive: POSIX ustar headers (IEEE Std 1003.1-2001, "pax interchange format") written
 * here, over the JDK's {@link GZIPOutputStream} at the fastest level. A name that does not fit ustar's
 * 100-byte name and 155-byte prefix fields, or that is not plain ASCII, and a size of 8 GiB or more
 * (ustar's eleven octal digits), are carried by a pax extended header ({@code typeflag 'x'}: {@code path}
 * in UTF-8, {@code size} in decimal) before the entry, as GNU tar, bsdtar and Python's tarfile read them.
 * Entries are owned by uid and gid 0 with no user or group names, files mode 0644 and directories 0755:
 * the server's accounts and permission bits are nobody's business.
 */
final class TarGzArchiveWriter implements ArchiveWriter {

    private static final int BLOCK = 512;
    /** Largest size and time ustar's eleven octal digits hold. */
    private static final long MAX_OCTAL_11 = (1L << 33) - 1;

    /** The JDK's stream at the fastest level, with a way to free its deflater when the download is abandoned. */
    private static final class Gzip extends GZIPOutputStream {
        Gzip(OutputStream out) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(Deflater.BEST_SPEED);
        }

        void release() {
            def.end();
        }
    }

    private final Gzip gz;
    private final byte[] buffer = new byte[64 * 1024];
    private final byte[] header = new byte[BLOCK];
    private long paxCount;

    TarGzArchiveWriter(OutputStream body) throws IOException {
        this.gz = new Gzip(new Unclosable(body));
    }

    @Override
    public void directory(String name, long modifiedMillis) throws IOException {
        entry(name, 0, modifiedMillis, '5', 0755);
    }

    @Override
    public void file(String name, long size, long modifiedMillis, boolean compressible, FileChannel file) throws IOException {
        entry(name, size, modifiedMillis, '0', 0644);
        ArchiveWriter.copy(file, size, gz, buffer);
        pad(size);
    }

    @Override
    public void finish() throws IOException {
        gz.write(new byte[2 * BLOCK]); // the end-of-archive marker: two zero blocks
        gz.close(); // writes gzip's trailer, ends the deflater; the body is only flushed
    }

    @Override
    public void release() {
        gz.release();
    }

    private void entry(String name, long size, long modifiedMillis, char type, int mode) throws IOException {
        long seconds = Math.max(0, Math.min(Math.floorDiv(modifiedMillis, 1000), MAX_OCTAL_11));
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        String[] split = ustarSplit(name, utf8);
        StringBuilder pax = new StringBuilder();
        if (split == null) record(pax, "path", name);
        if (size > MAX_OCTAL_11) record(pax, "size", Long.toString(size));
        if (!pax.isEmpty()) {
            byte[] records = pax.toString().getBytes(StandardCharsets.UTF_8);
            // the extended header's own name is only for tars that do not know pax; GNU tar's pattern
            header(new String[] {"", "PaxHeaders/" + (++paxCount)}, records.length, seconds, 'x', 0644);
            gz.write(records);
            pad(records.length);
            if (split == null) split = new String[] {"", fallbackName(name)};
        }
        header(split, Math.min(size, MAX_OCTAL_11), seconds, type, mode);
    }

    /** @return {prefix, name} that hold the name in ustar's fields, or {@code null} if it does not fit */
    static String[] ustarSplit(String name, byte[] utf8) {
        if (utf8.length != name.length()) return null; // not ASCII: pax carries it in UTF-8
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < 0x20 || name.charAt(i) == 0x7f) return null;
        }
        if (utf8.length <= 100) return new String[] {"", name};
        // split at a slash: the prefix at most 155 bytes, the rest at most 100 and not empty
        for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
            if (slash > 155) break;
            String rest = name.substring(slash + 1);
            if (!rest.isEmpty() && rest.length() <= 100) return new String[] {name.substring(0, slash), rest};
        }
        return null;
    }

    /** An ASCII stand-in for the ustar name field when pax carries the real one: its last 100 bytes. */
    private static String fallbackName(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '_');
        }
        String s = sb.toString();
        return s.length() > 100 ? s.substring(s.length() - 100) : s; // a directory's keeps its final slash
    }

    /** Appends one pax record, {@code "<length> <key>=<value>\n"}, whose length counts itself. */
    static void record(StringBuilder pax, String key, String value) {
        int body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
        int length = body + Integer.toString(body).length();
        if (Integer.toString(length).length() != Integer.toString(body).length()) length++; // 99 -> 101, say
        pax.append(length).append(' ').append(key).append('=').append(value).append('\n');
    }

    private void header(String[] prefixAndName, long size, long seconds, char type, int mode) throws IOException {
        Arrays.fill(header, (byte) 0);
        ascii(prefixAndName[1], 0, 100);
        octal(mode, 100, 8);
        octal(0, 108, 8); // uid
        octal(0, 116, 8); // gid
        octal(size, 124, 12);
        octal(seconds, 136, 12);
        Arrays.fill(header, 148, 156, (byte) ' '); // the checksum counts its own field as spaces
        header[156] = (byte) type;
        ascii("ustar", 257, 6); // "ustar\0"
        header[263] = '0';
        header[264] = '0';
        ascii(prefixAndName[0], 345, 155);
        long sum = 0;
        for (byte b : header) sum += b & 0xff;
        octal(sum, 148, 7); // six digits and a NUL, then the space left from the fill
        header[155] = ' ';
        gz.write(header);
    }

    private void ascii(String s, int offset, int length) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, offset, Math.min(b.length, length));
    }

    /** Writes a number as {@code length - 1} zero-padded octal digits and a NUL. */
    private void octal(long value, int offset, int length) {
        String digits = Long.toOctalString(value);
        int pad = length - 1 - digits.length();
        for (int i = 0; i < pad; i++) header[offset + i] = '0';
        for (int i = 0; i < digits.length(); i++) header[offset + pad + i] = (byte) digits.charAt(i);
        header[offset + length - 1] = 0;
    }

    private void pad(long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) gz.write(new byte[BLOCK - rest]);
    }
}
