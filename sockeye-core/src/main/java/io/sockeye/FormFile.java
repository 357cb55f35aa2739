package io.sockeye;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * A file uploaded in a {@code multipart/form-data} form. Small files are held in memory, larger ones in a
 * temporary file that is deleted when the exchange ends: copy what you want to keep.
 *
 * <p>{@link #fileName()} is what the client said, data only: never use it as a path (it may be
 * {@code ../../etc/passwd}, or hold a NUL or a slash); choose your own name for what you store.
 */
public interface FormFile {

    /** @return the form field's name */
    String name();

    /** @return the file name the client sent, possibly empty; untrusted text, never a path */
    String fileName();

    /** @return the part's content type, {@code application/octet-stream} if the client gave none */
    String contentType();

    /** @return the size in bytes */
    long size();

    /**
     * @return the content, from the start, as a new stream each time
     * @throws IOException if the temporary file cannot be read
     */
    InputStream open() throws IOException;

    /**
     * @return the content in memory
     * @throws IOException if the temporary file cannot be read
     */
    default byte[] bytes() throws IOException {
        try (InputStream in = open()) {
            return in.readAllBytes();
        }
    }

    /**
     * Copies the content to a file, which must not exist yet.
     *
     * @param target where to put it
     * @throws IOException if the copy fails, or the target exists
     */
    void copyTo(Path target) throws IOException;
}
