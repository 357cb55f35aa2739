package io.sockeye.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.attribute.FileTime;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A {@code .zip} archive by the JDK's {@link ZipOutputStream}: names in UTF-8 (the language encoding
 * flag is set), sizes and CRCs in data descriptors after each entry (so nothing is read twice), ZIP64
 * records where an entry or the archive passes 4 GiB or 65,535 entries. Text is deflated at the fastest
 * level; what is already compressed (images, video, archives) is stored in deflate's uncompressed blocks,
 * which costs no CPU.
 */
final class ZipArchiveWriter implements ArchiveWriter {

    /** The JDK's stream, with a way to free its deflater when the download is abandoned. */
    private static final class Zip extends ZipOutputStream {
        Zip(OutputStream out) {
            super(out);
        }

        void release() {
            def.end();
        }
    }

    private final Zip zip;
    private final byte[] buffer = new byte[64 * 1024];
    private int level = -2;

    ZipArchiveWriter(OutputStream body) {
        this.zip = new Zip(new Unclosable(body));
        zip.setMethod(ZipOutputStream.DEFLATED);
    }

    @Override
    public void directory(String name, long modifiedMillis) throws IOException {
        zip.putNextEntry(entry(name, modifiedMillis));
        zip.closeEntry();
    }

    @Override
    public void file(String name, long size, long modifiedMillis, boolean compressible, FileChannel file) throws IOException {
        int want = compressible ? Deflater.BEST_SPEED : Deflater.NO_COMPRESSION;
        if (want != level) {
            zip.setLevel(want); // takes effect from the next entry on
            level = want;
        }
        zip.putNextEntry(entry(name, modifiedMillis));
        ArchiveWriter.copy(file, size, zip, buffer);
        zip.closeEntry();
    }

    private static ZipEntry entry(String name, long modifiedMillis) {
        ZipEntry e = new ZipEntry(name);
        e.setLastModifiedTime(FileTime.fromMillis(modifiedMillis));
        return e;
    }

    @Override
    public void finish() throws IOException {
        zip.close(); // writes the central directory, ends the deflater; the body is only flushed
    }

    @Override
    public void release() {
        zip.release();
    }
}
