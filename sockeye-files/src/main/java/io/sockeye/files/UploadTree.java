package io.sockeye.files;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.sockeye.HttpException;
import io.sockeye.Status;

/**
 * The served tree as uploads see it: a directory under the root, reached one name at a time from the open
 * root through {@link SecureDirectoryStream}s ({@code openat} with {@code O_NOFOLLOW} on Linux and the
 * BSDs), and written in through its descriptor only: files are created there exclusively and without
 * following a link ({@code O_CREAT | O_EXCL | O_NOFOLLOW}), renamed and deleted relative to it
 * ({@code renameat}, {@code unlinkat}). Swapping a directory on the way for a link between the check and
 * the write achieves nothing: no path is resolved again.
 *
 * <p>Stricter than reading: writes never go through a symbolic link, wherever it leads (a link inside the
 * root is refused too: what it names is writable by its own path), and never into an
 * {@linkplain #excluded excluded} directory, known by identity (device and inode) however it is reached.
 * The one write by path is {@code mkdir}, which the JDK cannot do relative to a descriptor: the new
 * directory is then entered by its descriptor like any other, so at worst a local user who swaps a
 * directory of the path for a link at that moment gets an empty directory made where the link leads,
 * never a file.
 */
final class UploadTree {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Path root;
    private final boolean hidden;
    private final List<Path> excluded;

    /**
     * @param root     the served root, absolute and normalised
     * @param hidden   whether directories whose names start with a dot may be written into
     * @param excluded directories never written into (nor anything under them), absolute
     */
    UploadTree(Path root, boolean hidden, List<Path> excluded) {
        this.root = root;
        this.hidden = hidden;
        this.excluded = List.copyOf(excluded);
    }

    /**
     * Opens a directory under the root for writing.
     *
     * @param segments the names from the root, checked by {@link io.sockeye.RequestPaths#jailedSegments}
     * @param create   whether missing directories are made ({@code --mkdir})
     * @param hint     what to add to a 404 for a missing directory (how to have it made), or ""
     * @return the directory, open; the caller closes it
     * @throws HttpException 404 if a directory is missing, 403 for a link, an excluded or hidden directory,
     *                       409 if a name on the way is a file; 501 where the JDK has no secure directory stream
     * @throws IOException   for other failures of the file system
     */
    Dir open(List<String> segments, boolean create, String hint) throws IOException {
        for (Path e : excluded) {
            if (root.startsWith(e)) throw new HttpException(Status.FORBIDDEN, "this directory cannot be written into");
        }
        Set<Object> refused = excludedKeys();
        DirectoryStream<Path> ds = Files.newDirectoryStream(root);
        if (!(ds instanceof SecureDirectoryStream<Path> first)) {
            ds.close();
            throw new HttpException(Status.NOT_IMPLEMENTED, "uploads need a file system with secure directory streams");
        }
        Dir dir = new Dir(first, "/");
        try {
            if (refused.contains(dir.key())) throw new HttpException(Status.FORBIDDEN, "this directory cannot be written into");
            for (String name : segments) {
                String shown = dir.shown + name + "/";
                if (!hidden && name.startsWith(".")) throw new HttpException(Status.FORBIDDEN, "hidden directories cannot be written into");
                BasicFileAttributes a = dir.attributes(name);
                if (a == null && create) {
                    try {
                        Files.createDirectory(root.resolve(shown.substring(1)));
                    } catch (FileAlreadyExistsException raced) {
                        // made meanwhile by another upload: looked at below like any other
                    }
                    refused = excludedKeys(); // an excluded directory may be the one just made
                    a = dir.attributes(name);
                }
                if (a == null) throw new HttpException(Status.NOT_FOUND, "no directory " + shown + hint);
                if (a.isSymbolicLink()) throw new HttpException(Status.FORBIDDEN, "uploads do not go through symbolic links");
                if (!a.isDirectory()) throw new HttpException(Status.CONFLICT, "not a directory: " + shown.substring(0, shown.length() - 1));
                Dir next = new Dir(dir.sds.newDirectoryStream(Path.of(name), NOFOLLOW), shown);
                dir.close();
                dir = next;
                if (refused.contains(dir.key())) throw new HttpException(Status.FORBIDDEN, "this directory cannot be written into");
            }
            Dir done = dir;
            dir = null;
            return done;
        } finally {
            if (dir != null) dir.close();
        }
    }

    /** @return whether a directory's identity is one of the excluded ones */
    boolean excluded(Object key) {
        return excludedKeys().contains(key);
    }

    /** The identities of the excluded directories that exist now (one may be made after the start). */
    private Set<Object> excludedKeys() {
        Set<Object> keys = new HashSet<>();
        for (Path e : excluded) {
            try {
                Object k = Files.readAttributes(e, BasicFileAttributes.class).fileKey();
                if (k != null) keys.add(k);
            } catch (IOException missing) {
                // not there: nothing to write into either
            }
        }
        return keys;
    }

    /** A directory held open for writing; used by one thread. */
    static final class Dir implements Closeable {
        final SecureDirectoryStream<Path> sds;
        /** Its path from the root as a request names it, with slashes at both ends: for messages. */
        final String shown;

        Dir(SecureDirectoryStream<Path> sds, String shown) {
            this.sds = sds;
            this.shown = shown;
        }

        /** @return its identity (device and inode), read from the open directory */
        Object key() throws IOException {
            return sds.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
        }

        /** @return what a name in it is, not following a link; {@code null} if nothing is there */
        BasicFileAttributes attributes(String name) throws IOException {
            try {
                return sds.getFileAttributeView(Path.of(name), BasicFileAttributeView.class, NOFOLLOW).readAttributes();
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        /**
         * @param name a name not yet taken
         * @return a new file of that name, open for writing: made here, never through a link
         * @throws FileAlreadyExistsException if the name is taken
         */
        SeekableByteChannel create(String name) throws IOException {
            return sds.newByteChannel(Path.of(name), Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW, NOFOLLOW));
        }

        /** Renames one name here to another, replacing what the other named (atomically). */
        void rename(String from, String to) throws IOException {
            sds.move(Path.of(from), sds, Path.of(to));
        }

        /** Deletes a file (or a link) by name, never what a link leads to. */
        void deleteFile(String name) throws IOException {
            sds.deleteFile(Path.of(name));
        }

        /** Deletes an empty directory by name. */
        void deleteDirectory(String name) throws IOException {
            sds.deleteDirectory(Path.of(name));
        }

        @Override
        public void close() {
            try {
                sds.close();
            } catch (IOException ignored) {
                // a directory stream holds nothing to flush
            }
        }
    }
}
