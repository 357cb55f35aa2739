package io.sockeye.files;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The file system as the jail needs it: directories held open and looked into one name at a time, a name
 * never followed if it is a symbolic link (the {@link PathWalk} decides what a link may lead to), a file
 * opened for reading only once it is known to be a regular file, and the state of what was opened read
 * from the open file itself. Paths are what an attacker who can write into the docroot races against;
 * open descriptors are not.
 *
 * <p>Two implementations: {@code LinuxFileSystemAccess} ({@code src/main/java22}: {@code openat} with
 * {@code O_PATH | O_NOFOLLOW}, {@code statx}, {@code openat2}, through the foreign function API), and
 * {@link JdkFileSystemAccess} (the JDK's {@link java.nio.file.SecureDirectoryStream}), which cannot open
 * without blocking and so is used from platform threads only (see {@link JdkFileSystemAccess}).
 * {@link NativeFiles} picks one.
 */
interface FileSystemAccess {

    /** What a name is, not following it. */
    enum Type { FILE, DIRECTORY, LINK, OTHER }

    /**
     * What {@code stat} says about a file: enough to tell whether it is still the same file with the same
     * content. Times are nanoseconds since the epoch; {@link #UNKNOWN} where a backend cannot tell.
     *
     * @param identity device and inode, as an object with {@code equals}; comparable only with others of
     *                 the same backend
     * @param links    the number of hard links, or -1 if not known
     */
    record Stat(Object identity, Type type, long size, long modifiedNanos, long changedNanos, int links) {

        /** Marks a time the backend did not read. */
        static final long UNKNOWN = Long.MIN_VALUE;

        /**
         * @param other a stat of the same path or file, or {@code null} (nothing there)
         * @return whether both describe the same file with, as far as stat can tell, the same content
         */
        boolean sameAs(Stat other) {
            return other != null && identity.equals(other.identity) && type == other.type && size == other.size
                    && modifiedNanos == other.modifiedNanos
                    && (changedNanos == UNKNOWN || other.changedNanos == UNKNOWN || changedNanos == other.changedNanos);
        }

        /** @return the later of the modification and change times */
        long latestNanos() {
            return Math.max(modifiedNanos, changedNanos);
        }
    }

    /** A directory held open. Closing it releases what it holds; it is used by one thread at a time. */
    interface Directory extends Closeable {

        /** @return the directory's own state, read from the open directory */
        Stat stat() throws IOException;

        /**
         * Looks at one name in this directory without following it.
         *
         * @param name a single file name: no slash, not {@code .} or {@code ..}
         * @return what is there, which the caller closes; {@code null} if nothing is
         * @throws java.nio.file.AccessDeniedException if it may not be looked at
         */
        Entry entry(String name) throws IOException;

        /**
         * @param name a single file name
         * @return its state, not following it, or {@code null} if nothing is there (cheaper than
         *         {@link #entry}, for listings)
         */
        Stat statAt(String name) throws IOException;

        /** @return this directory's parent ({@code ..}); the root's parent is the root */
        Directory parent() throws IOException;

        /**
         * Reads the names in the directory, once. Names that are not valid in the platform's encoding
         * (not UTF-8 on Linux) are left out: no request path can name them.
         */
        void names(Consumer<String> each) throws IOException;

        @Override
        void close();
    }

    /** One name in a directory, looked at without following it; closing it releases what it holds. */
    interface Entry extends Closeable {

        /** @return its state, read when it was looked at */
        Stat stat();

        /** @return the text of a symbolic link */
        String linkTarget() throws IOException;

        /**
         * @return the directory, which the caller closes; this entry is spent
         * @throws IOException if it is no longer the directory that was looked at
         */
        Directory openDirectory() throws IOException;

        /**
         * Opens a regular file for reading. It is the file that was looked at (the same inode), or this
         * throws; it never blocks on a FIFO and never opens a device.
         *
         * @return the file, which the caller closes
         * @throws java.nio.file.AccessDeniedException if it may not be read
         */
        FileChannel openFile() throws IOException;

        @Override
        void close();
    }

    /**
     * Opens a directory by a path the handler was configured with (symbolic links in it are followed:
     * the operator chose it).
     *
     * @param directory an absolute path
     * @return the directory, which the caller closes
     * @throws java.nio.file.NoSuchFileException   if it does not exist
     * @throws java.nio.file.NotDirectoryException if it is not a directory
     */
    Directory open(Path directory) throws IOException;

    /**
     * The kernel's own walk, where there is one: a path under {@code root} opened with every link on the
     * way followed only while it stays beneath the root ({@code openat2} with {@code RESOLVE_BENEATH}).
     *
     * @return what is there (a regular file, a directory or something else, never a link), which the
     *         caller closes; {@code null} if the kernel's walk is not available or refused the path, in which
     *         case the caller walks it itself (which also tells a refusal from a missing file)
     * @throws java.nio.file.NoSuchFileException if nothing is there
     */
    default Entry openBeneath(Directory root, String relative) throws IOException {
        return null;
    }

    /**
     * @param file an absolute path
     * @return what {@link #stat(Object)} and {@link #unchanged(Object, Stat)} take: the path in the form
     *         the backend uses, made once per cached file
     */
    Object pathHandle(Path file);

    /**
     * Stats a path, following links: the per-request check that a cached file is still what was read.
     *
     * @param path from {@link #pathHandle}
     * @return its state, or {@code null} if nothing is there
     * @throws IOException for any other failure (a loop, a denied directory)
     */
    Stat stat(Object path) throws IOException;

    /**
     * The same check as {@link #stat} without making a {@link Stat}: the cache's hit path.
     *
     * @param path  from {@link #pathHandle}
     * @param known what was there, or {@code null} for nothing
     * @return whether the path still leads to {@code known} (or still to nothing); by default a
     *         {@link #stat(Object)} compared with it, which a backend may do without allocating
     */
    default boolean unchanged(Object path, Stat known) {
        try {
            Stat now = stat(path);
            return known == null ? now == null : known.sameAs(now);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * @return whether opening may block on a FIFO, so that walks must run on platform threads (never on
     *         a virtual thread, whose carrier it would hold)
     */
    boolean opensMayBlock();

    /** @return a short name for logs: which implementation this is */
    String name();
}
