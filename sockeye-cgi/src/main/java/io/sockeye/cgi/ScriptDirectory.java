package io.sockeye.cgi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

import io.sockeye.HttpException;
import io.sockeye.Status;

/**
 * The directory scripts are run from, looked up per request: it may not exist yet when the handler is
 * made (a site's {@code cgi-bin/} created after the server started, as {@code python -m http.server --cgi}
 * allows), may be removed, or may be a link that is pointed elsewhere. Its real path, which jails the
 * scripts, is cached and used again while the directory is the same file (its file key: device and inode),
 * so the usual request pays one {@code stat} here, not a walk of every component of the path.
 *
 * <p>A directory moved elsewhere and linked back under the old name keeps its inode but not its real
 * path; the stale path then denies (403: scripts' real paths are no longer inside it) rather than allows.
 * Safe to use from many threads.
 */
final class ScriptDirectory {

    private record Resolved(Object key, Path real) {
    }

    private final Path directory;
    private volatile Resolved resolved;

    ScriptDirectory(Path directory) {
        this.directory = directory;
    }

    /** @return the directory as configured (absolute, normalized) */
    Path path() {
        return directory;
    }

    /**
     * @return the directory's real path now
     * @throws HttpException 404 while the directory does not exist (or is not a directory)
     */
    Path realPath() {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(directory, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new HttpException(Status.NOT_FOUND, "not found");
        }
        if (!a.isDirectory()) throw new HttpException(Status.NOT_FOUND, "not found");
        Object key = a.fileKey();
        Resolved r = resolved;
        if (r != null && key != null && key.equals(r.key())) return r.real();
        try {
            Path real = directory.toRealPath();
            // Cached only if the path still names the directory that was stat'ed: a link switched between
            // the two calls must not pin one directory's identity to the other's path.
            Object again = Files.readAttributes(real, BasicFileAttributes.class).fileKey();
            if (key != null && key.equals(again)) resolved = new Resolved(key, real);
            return real;
        } catch (IOException e) {
            throw new HttpException(Status.NOT_FOUND, "not found");
        }
    }
}
