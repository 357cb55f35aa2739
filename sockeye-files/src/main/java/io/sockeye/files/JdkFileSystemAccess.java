package io.sockeye.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The file system through the JDK alone: a {@link SecureDirectoryStream} per directory (on Linux and the
 * BSDs: {@code openat} and {@code fstatat} relative to the open directory, {@code O_NOFOLLOW} on each
 * name), where links are never followed by the open, and what was opened is compared with what was looked at.
 *
 * <p>What the JDK cannot do: open without blocking ({@code O_NONBLOCK}), open a name without opening
 * the file ({@code O_PATH}), or stat an open file. So a name is stat'ed (not followed) before it is opened
 * and again after; and a FIFO swapped in between those two calls makes the open wait for a writer. Walks
 * therefore run on platform threads ({@link #opensMayBlock()}; see {@link PlatformOpens}), never on a
 * virtual thread's carrier, and an open still waiting after a while is released by {@link #release}. The
 * window is the few microseconds between the stat and the open; the native backend has none.
 *
 * <p>Where the JDK has no secure directory stream (Windows), names are resolved by path, checked the same
 * way but open to a race on every directory of the path, not only the last name.
 */
final class JdkFileSystemAccess implements FileSystemAccess {

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final boolean UTF8_NAMES = "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding", "UTF-8"));

    @Override
    public String name() {
        return "JDK (SecureDirectoryStream)";
    }

    @Override
    public boolean opensMayBlock() {
        return true;
    }

    /**
     * @return whether a name read from a directory is one a request can name: its characters encode back
     *         to the bytes on disk in UTF-8, as request paths are decoded ({@link io.sockeye.RequestPaths})
     */
    static boolean reachable(String name, Path onDisk) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) >= 0x80) return UTF8_NAMES && onDisk.getFileName().equals(onDisk.getFileSystem().getPath(name));
        }
        return true;
    }

    // ---- paths: the per-request check -----------------------------------------------------------------

    @Override
    public Object pathHandle(Path file) {
        return file;
    }

    @Override
    public Stat stat(Object path) throws IOException {
        Path p = (Path) path;
        try {
            if (p.getFileSystem().supportedFileAttributeViews().contains("unix")) {
                Map<String, Object> a = Files.readAttributes(p, "unix:fileKey,isRegularFile,isDirectory,isSymbolicLink,size,lastModifiedTime,ctime,nlink");
                Type type = Boolean.TRUE.equals(a.get("isRegularFile")) ? Type.FILE
                        : Boolean.TRUE.equals(a.get("isDirectory")) ? Type.DIRECTORY : Type.OTHER;
                return new Stat(a.get("fileKey"), type, (Long) a.get("size"), nanos((FileTime) a.get("lastModifiedTime")),
                        nanos((FileTime) a.get("ctime")), (Integer) a.get("nlink"));
            }
            return toStat(Files.readAttributes(p, BasicFileAttributes.class));
        } catch (NoSuchFileException | NotDirectoryException e) {
            return null;
        } catch (FileSystemException e) {
            // ENOTDIR is reported by the JDK as a plain FileSystemException: "Not a directory"
            if ("Not a directory".equals(e.getReason())) return null;
            throw e;
        }
    }


    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    static Stat toStat(BasicFileAttributes a) {
        Type type = a.isRegularFile() ? Type.FILE : a.isDirectory() ? Type.DIRECTORY : a.isSymbolicLink() ? Type.LINK : Type.OTHER;
        Object key = a.fileKey() != null ? a.fileKey() : new Object(); // no key: never the same as anything
        return new Stat(key, type, a.size(), nanos(a.lastModifiedTime()), Stat.UNKNOWN, -1);
    }

    // ---- directories and entries ----------------------------------------------------------------------

    @Override
    public Directory open(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            if (Files.exists(directory)) throw new NotDirectoryException(directory.toString());
            throw new NoSuchFileException(directory.toString());
        }
        DirectoryStream<Path> ds;
        Thread self = Thread.currentThread();
        OPENING.put(self, directory);
        try {
            ds = Files.newDirectoryStream(directory);
        } finally {
            OPENING.remove(self);
        }
        if (ds instanceof SecureDirectoryStream<Path> sds) return new SecureDirectory(sds, directory);
        ds.close();
        return new PathDirectory(directory);
    }

    /** A directory held as a secure directory stream: every name is relative to its descriptor. */
    private static final class SecureDirectory implements Directory {
        private final SecureDirectoryStream<Path> sds;
        private final Path path;

        SecureDirectory(SecureDirectoryStream<Path> sds, Path path) {
            this.sds = sds;
            this.path = path;
        }

        @Override
        public Stat stat() throws IOException {
            return toStat(sds.getFileAttributeView(BasicFileAttributeView.class).readAttributes());
        }

        @Override
        public Entry entry(String name) throws IOException {
            Stat s = statAt(name);
            return s == null ? null : new JdkEntry(this, null, name, s);
        }

        @Override
        public Stat statAt(String name) throws IOException {
            try {
                return toStat(sds.getFileAttributeView(Path.of(name), BasicFileAttributeView.class, NOFOLLOW).readAttributes());
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        @Override
        public Directory parent() throws IOException {
            return new SecureDirectory(sds.newDirectoryStream(Path.of(".."), NOFOLLOW), path.getParent() == null ? path : path.getParent());
        }

        @Override
        public void names(Consumer<String> each) {
            for (Path p : sds) {
                String name = p.getFileName().toString();
                if (reachable(name, p)) each.accept(name);
            }
        }

        @Override
        public void close() {
            try {
                sds.close();
            } catch (IOException ignored) {
                // nothing was written
            }
        }
    }

    /** A directory known by its path only, where the JDK has no secure directory stream. */
    private static final class PathDirectory implements Directory {
        private final Path path;

        PathDirectory(Path path) {
            this.path = path;
        }

        @Override
        public Stat stat() throws IOException {
            return toStat(Files.readAttributes(path, BasicFileAttributes.class));
        }

        @Override
        public Entry entry(String name) throws IOException {
            Stat s = statAt(name);
            return s == null ? null : new JdkEntry(null, this, name, s);
        }

        @Override
        public Stat statAt(String name) throws IOException {
            try {
                return toStat(Files.readAttributes(path.resolve(name), BasicFileAttributes.class, NOFOLLOW));
            } catch (NoSuchFileException | NotDirectoryException e) {
                return null;
            }
        }

        @Override
        public Directory parent() {
            return new PathDirectory(path.getParent() == null ? path : path.getParent());
        }

        @Override
        public void names(Consumer<String> each) throws IOException {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(path)) {
                for (Path p : ds) {
                    String name = p.getFileName().toString();
                    if (reachable(name, p)) each.accept(name);
                }
            }
        }

        @Override
        public void close() {
        }
    }

    /** A name in a secure or a path directory, with what was seen of it. */
    private static final class JdkEntry implements Entry {
        private final SecureDirectory secure;
        private final PathDirectory plain;
        private final String name;
        private final Stat stat;

        JdkEntry(SecureDirectory secure, PathDirectory plain, String name, Stat stat) {
            this.secure = secure;
            this.plain = plain;
            this.name = name;
            this.stat = stat;
        }

        private Path path() {
            return (secure != null ? secure.path : plain.path).resolve(name);
        }

        @Override
        public Stat stat() {
            return stat;
        }

        @Override
        public String linkTarget() throws IOException {
            // by path: the text may come from a link swapped in since, which is harmless, as the walk that
            // follows it enforces the jail on every name of it
            return Files.readSymbolicLink(path()).toString();
        }

        @Override
        public Directory openDirectory() throws IOException {
            if (stat.type() != Type.DIRECTORY) throw new NotDirectoryException(name);
            Directory d;
            Thread self = Thread.currentThread();
            OPENING.put(self, path());
            try {
                d = secure != null
                        ? new SecureDirectory(secure.sds.newDirectoryStream(Path.of(name), NOFOLLOW), path())
                        : new PathDirectory(path());
            } finally {
                OPENING.remove(self);
            }
            if (!stat.identity().equals(d.stat().identity())) {
                d.close();
                throw new IOException("changed while being opened: " + name);
            }
            return d;
        }

        @Override
        public FileChannel openFile() throws IOException {
            if (stat.type() != Type.FILE) throw new AccessDeniedException("not a regular file");
            SeekableByteChannel ch;
            Thread self = Thread.currentThread();
            OPENING.put(self, path());
            try {
                ch = secure != null
                        ? secure.sds.newByteChannel(Path.of(name), Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))
                        : FileChannel.open(path(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            } finally {
                OPENING.remove(self);
            }
            // The JDK cannot stat what it opened, so the name is looked at again (a swap to something else
            // and back would pass that), and the channel's own size (fstat) must be the file's: a FIFO swapped
            // in has none, another regular file of the same size in the same directory is all that could pass
            Stat after = secure != null ? secure.statAt(name) : plain.statAt(name);
            if (!(ch instanceof FileChannel fc) || after == null || !stat.identity().equals(after.identity())
                    || after.type() != Type.FILE || fc.size() != stat.size()) {
                ch.close();
                throw new IOException("changed while being opened: " + name);
            }
            return fc;
        }

        @Override
        public void close() {
        }
    }

    /** What each thread is opening now, for {@link #release(Thread)}. */
    private static final ConcurrentHashMap<Thread, Path> OPENING = new ConcurrentHashMap<>();

    /**
     * Releases an open that waits on a FIFO swapped in under the name being opened: opening the FIFO for
     * reading and writing never waits (Linux), and gives the waiting reader a writer, so its open returns
     * (and its check then refuses the FIFO). Only a FIFO is opened so. If the FIFO has been moved away
     * since, the open waits on until a writer comes; {@link PlatformOpens} bounds how many may.
     *
     * @param opener a thread that may be waiting in an open
     */
    static void release(Thread opener) {
        Path p = OPENING.get(opener);
        if (p == null) return;
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
            if (!a.isOther()) return;
            // opened and closed at once: the waiting reader has seen a writer come and go
            FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS).close();
        } catch (IOException | UnsupportedOperationException ignored) {
            // gone or not ours to open: nothing to release
        }
    }
}
