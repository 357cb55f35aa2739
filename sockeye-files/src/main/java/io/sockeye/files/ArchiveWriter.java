package io.sockeye.files;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Writes one archive of a folder onto a response body, entry by entry, as {@link FolderDownloads} walks
 * it: nothing is buffered beyond the compressor's window, so an archive of any size streams. Names are
 * relative, {@code /}-separated, made of directory entries' own names (never {@code .} or {@code ..}).
 * Not thread-safe: one download, one thread.
 */
interface ArchiveWriter {

    /**
     * @param name           the directory's path in the archive, ending with {@code /}
     * @param modifiedMillis its modification time
     */
    void directory(String name, long modifiedMillis) throws IOException;

    /**
     * Writes a file's entry with exactly {@code size} bytes read from {@code file} from its start.
     *
     * @param compressible whether compressing its bytes is worth the CPU (text, not images or archives)
     * @throws IOException if the file holds fewer bytes than {@code size} now (it shrank since it was
     *                     looked at: the archive cannot be right, so the download is aborted)
     */
    void file(String name, long size, long modifiedMillis, boolean compressible, FileChannel file) throws IOException;

    /** Ends the archive (its trailer or central directory) and frees the compressor; the body stays open. */
    void finish() throws IOException;

    /** Frees the compressor without ending the archive: the download is being aborted. */
    void release();

    /** Copies exactly {@code size} bytes of a file from its start, or throws if it has fewer now. */
    static void copy(FileChannel file, long size, OutputStream out, byte[] buffer) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buffer);
        long pos = 0;
        while (pos < size) {
            b.clear().limit((int) Math.min(buffer.length, size - pos));
            int n = file.read(b, pos);
            if (n < 0) throw new IOException("a file shrank while it was being archived");
            out.write(buffer, 0, n);
            pos += n;
        }
    }

    /**
     * The response body as the compressors see it: closing it only flushes, so that closing a compressor
     * ends the archive but never the response (the server ends that), and an aborted download is never
     * ended as if it were complete.
     */
    final class Unclosable extends FilterOutputStream {
        Unclosable(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len); // FilterOutputStream would write byte by byte
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
