package io.sockeye.form;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import io.sockeye.FormFile;
import io.sockeye.HttpException;
import io.sockeye.Status;

/**
 * A file part as it is received: bytes collect in memory up to a threshold, then spill to a temporary file
 * (created private to this user) that {@link #delete()} removes when the exchange ends.
 */
final class UploadedFile extends OutputStream implements FormFile {

    private final String name;
    private final String fileName;
    private final String contentType;
    private final long threshold;
    private final long maxBytes;
    private byte[] memory = new byte[1024];
    private int inMemory;
    private Path file;
    private OutputStream fileOut;
    private long size;

    UploadedFile(String name, String fileName, String contentType, long threshold, long maxBytes) {
        this.name = name;
        this.fileName = fileName;
        this.contentType = contentType;
        this.threshold = threshold;
        this.maxBytes = maxBytes;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) return;
        if (size + len > maxBytes) {
            throw new HttpException(Status.CONTENT_TOO_LARGE, "uploaded file larger than " + maxBytes + " bytes");
        }
        size += len;
        if (fileOut == null && inMemory + len <= threshold) {
            if (inMemory + len > memory.length) memory = Arrays.copyOf(memory, (int) Math.min(threshold, Math.max(memory.length * 2L, inMemory + len)));
            System.arraycopy(b, off, memory, inMemory, len);
            inMemory += len;
            return;
        }
        if (fileOut == null) {
            file = Files.createTempFile("sockeye-upload-", ".part");
            fileOut = Files.newOutputStream(file, StandardOpenOption.WRITE);
            fileOut.write(memory, 0, inMemory);
            memory = null;
        }
        fileOut.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
        if (fileOut != null) fileOut.close();
    }

    /** Removes the temporary file, if there is one. */
    void delete() {
        try {
            close();
            if (file != null) Files.deleteIfExists(file);
        } catch (IOException e) {
            // nothing more can be done about a temporary file the system will not delete
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String fileName() {
        return fileName;
    }

    @Override
    public String contentType() {
        return contentType;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream open() throws IOException {
        return file == null ? new ByteArrayInputStream(memory, 0, inMemory) : Files.newInputStream(file);
    }

    @Override
    public void copyTo(Path target) throws IOException {
        if (file != null) {
            Files.copy(file, target);
        } else {
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                out.write(memory, 0, inMemory);
            }
        }
    }

    @Override
    public String toString() {
        return "FormFile[" + name + ", " + size + " bytes]";
    }
}
