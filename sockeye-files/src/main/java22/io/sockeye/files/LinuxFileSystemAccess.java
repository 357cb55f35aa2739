package io.sockeye.files;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The file system through Linux's own calls, by the foreign function API (Java 22+): every name is opened
 * with {@code O_PATH | O_NOFOLLOW} (which opens nothing for real: no FIFO waits for a writer, no device
 * driver runs, a link is opened as the link itself) and typed by {@code statx} on the descriptor; a regular
 * file is then opened for reading through {@code /proc/self/fd/N}, which reaches that very inode whatever
 * has become of its name since. Where a path may be walked by the kernel, {@code openat2} with
 * {@code RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS} does it in one call (Linux 5.6+).
 *
 * <p>Used only on Linux on x86-64 or AArch64 (the open flags differ between architectures; these two are
 * the ones whose values are written here), with {@code /proc} mounted, and only when the module is
 * allowed native access; otherwise {@link NativeFiles} uses {@link JdkFileSystemAccess}.
 */
final class LinuxFileSystemAccess implements FileSystemAccess {

    private static final int AT_FDCWD = -100;
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;
    private static final int O_PATH = 0x200000;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final long RESOLVE_NO_MAGICLINKS = 0x02;
    private static final long RESOLVE_BENEATH = 0x08;
    private static final long SYS_OPENAT2 = 437; // the same on x86-64 and AArch64 (one table since Linux 5.1)
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int ENOTDIR = 20;
    private static final int ENOSYS = 38;
    private static final int STATX_SIZE = 256;

    private static final Natives NATIVES = Natives.load();

    /** Which open flags differ by architecture: O_DIRECTORY and O_NOFOLLOW. */
    private final int oDirectory;
    private final int oNoFollow;
    /** Scratch memory for the hit path's statx, so that a cache hit allocates nothing. */
    private final AtomicReferenceArray<Scratch> scratch = new AtomicReferenceArray<>(64);
    private volatile boolean openat2 = true;

    /** Loaded by {@link NativeFiles} on Java 22 and newer only (this class needs the FFM API). */
    public LinuxFileSystemAccess() {
        boolean arm = System.getProperty("os.arch", "").equals("aarch64");
        this.oDirectory = arm ? 0x4000 : 0x10000;
        this.oNoFollow = arm ? 0x8000 : 0x20000;
    }

    /** @return why this cannot be used here, or {@code null} if it can */
    public static String unavailableBecause() {
        return NATIVES.unavailable();
    }

    /** The C functions, or why they cannot be used. */
    private record Natives(MethodHandle openat, MethodHandle statx, MethodHandle readlinkat, MethodHandle close,
                           MethodHandle syscall, VarHandle errno, String unavailable) {

        static Natives load() {
            try {
                String arch = System.getProperty("os.arch", "");
                if (!System.getProperty("os.name", "").equals("Linux")) return unavailable("this is not Linux");
                if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
                    return unavailable("the architecture " + arch + " is not on the list (amd64, aarch64)");
                }
                if (Boolean.getBoolean("sockeye.files.jdk")) return unavailable("sockeye.files.jdk is set");
                if (!LinuxFileSystemAccess.class.getModule().isNativeAccessEnabled()) {
                    return unavailable("native access is not enabled (--enable-native-access)");
                }
                if (!Files.isDirectory(Path.of("/proc/self/fd"))) return unavailable("/proc is not mounted");
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                Linker.Option errno = Linker.Option.captureCallState("errno");
                return new Natives(
                        handle(linker, libc, "openat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                                errno, Linker.Option.firstVariadicArg(3)),
                        handle(linker, libc, "statx", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), errno),
                        handle(linker, libc, "readlinkat", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), errno),
                        handle(linker, libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT)),
                        handle(linker, libc, "syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG),
                                errno, Linker.Option.firstVariadicArg(1)),
                        Linker.Option.captureStateLayout().varHandle(MemoryLayout.PathElement.groupElement("errno")),
                        null);
            } catch (Throwable e) {
                return unavailable(e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }

        private static MethodHandle handle(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor fd, Linker.Option... options) {
            return linker.downcallHandle(lookup.find(name).orElseThrow(() -> new IllegalStateException("the C library has no " + name)),
                    fd, options);
        }

        private static Natives unavailable(String why) {
            return new Natives(null, null, null, null, null, null, why);
        }
    }

    /** A statx buffer and an errno slot. */
    private record Scratch(MemorySegment statx, MemorySegment errno) {
        static Scratch allocate(Arena arena) {
            return new Scratch(arena.allocate(STATX_SIZE, 8), arena.allocate(Linker.Option.captureStateLayout()));
        }
    }

    /** The device and inode of a file. */
    record FileId(long dev, long ino) {
    }

    /** A path as the C library takes it (NUL-terminated UTF-8, made once per cached file), and as text. */
    private record CPath(MemorySegment c, String text) {
    }

    @Override
    public String name() {
        return "Linux (openat O_PATH|O_NOFOLLOW, statx, openat2)";
    }

    @Override
    public boolean opensMayBlock() {
        return false;
    }

    // ---- paths: the per-request check -----------------------------------------------------------------

    @Override
    public Object pathHandle(Path file) {
        return new CPath(Arena.ofAuto().allocateFrom(file.toString()), file.toString());
    }

    @Override
    public Stat stat(Object path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Scratch s = Scratch.allocate(arena);
            CPath p = (CPath) path;
            if (statx(s, AT_FDCWD, p.c, 0) == 0) return toStat(s.statx);
            int e = errno(s);
            if (e == ENOENT || e == ENOTDIR) return null;
            throw failure(e, p.text);
        }
    }

    @Override
    public boolean unchanged(Object path, Stat known) {
        int slot = (int) (Thread.currentThread().threadId() & 63);
        Scratch s = scratch.getAndSet(slot, null);
        if (s == null) s = Scratch.allocate(Arena.ofAuto()); // another thread has this slot's: rare
        try {
            if (statx(s, AT_FDCWD, ((CPath) path).c, 0) != 0) {
                int e = errno(s);
                return known == null && (e == ENOENT || e == ENOTDIR);
            }
            return known != null && same(s.statx, known);
        } finally {
            scratch.set(slot, s);
        }
    }

    private static boolean same(MemorySegment b, Stat known) {
        if (!(known.identity() instanceof FileId id)) return false;
        return b.get(JAVA_LONG, 32) == id.ino() && dev(b) == id.dev() && b.get(JAVA_LONG, 40) == known.size()
                && type(b) == known.type() && nanos(b, 112) == known.modifiedNanos() && nanos(b, 96) == known.changedNanos();
    }

    // ---- directories and entries ----------------------------------------------------------------------

    @Override
    public Directory open(Path directory) throws IOException {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            Scratch s = Scratch.allocate(arena);
            fd = openat(s, AT_FDCWD, arena.allocateFrom(directory.toString()), O_PATH | oDirectory | O_CLOEXEC);
            if (fd < 0) {
                int e = errno(s);
                if (e == ENOTDIR) throw new NotDirectoryException(directory.toString());
                throw failure(e, directory.toString());
            }
        }
        return new NativeDirectory(fd);
    }

    @Override
    public Entry openBeneath(Directory root, String relative) throws IOException {
        if (!openat2 || relative.isEmpty()) return null;
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            Scratch s = Scratch.allocate(arena);
            MemorySegment how = arena.allocate(24, 8); // struct open_how: flags, mode, resolve
            how.set(JAVA_LONG, 0, O_PATH | O_CLOEXEC);
            how.set(JAVA_LONG, 16, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
            long r = (long) NATIVES.syscall().invokeExact(s.errno, SYS_OPENAT2, ((NativeDirectory) root).fd,
                    arena.allocateFrom(relative), how, 24L);
            if (r < 0) {
                int e = errno(s);
                if (e == ENOENT || e == ENOTDIR) throw new NoSuchFileException(relative);
                if (e == ENOSYS) openat2 = false; // an older kernel, or a sandbox that forbids it
                return null; // EXDEV (would leave the root, or an absolute link), ELOOP, EAGAIN, EACCES...: walk it
            }
            fd = (int) r;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
        return entryOf(fd, relative);
    }

    /** Types an open O_PATH descriptor; closes it if that fails. */
    private NativeEntry entryOf(int fd, String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Scratch s = Scratch.allocate(arena);
            if (statx(s, fd, arena.allocateFrom(""), AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) {
                int e = errno(s);
                close(fd);
                throw failure(e, name);
            }
            return new NativeEntry(fd, toStat(s.statx));
        }
    }

    private final class NativeDirectory implements Directory {
        private int fd;
        private Stat stat;

        NativeDirectory(int fd) {
            this.fd = fd;
        }

        @Override
        public Stat stat() throws IOException {
            if (stat == null) stat = entryStat(fd);
            return stat;
        }

        @Override
        public Entry entry(String name) throws IOException {
            int efd;
            try (Arena arena = Arena.ofConfined()) {
                Scratch s = Scratch.allocate(arena);
                efd = openat(s, fd, arena.allocateFrom(name), O_PATH | oNoFollow | O_CLOEXEC);
                if (efd < 0) {
                    int e = errno(s);
                    if (e == ENOENT || e == ENOTDIR) return null;
                    throw failure(e, name);
                }
            }
            return entryOf(efd, name);
        }

        @Override
        public Stat statAt(String name) throws IOException {
            try (Arena arena = Arena.ofConfined()) {
                Scratch s = Scratch.allocate(arena);
                if (statx(s, fd, arena.allocateFrom(name), AT_SYMLINK_NOFOLLOW) == 0) return toStat(s.statx);
                int e = errno(s);
                if (e == ENOENT || e == ENOTDIR) return null;
                throw failure(e, name);
            }
        }

        @Override
        public Directory parent() throws IOException {
            int pfd;
            try (Arena arena = Arena.ofConfined()) {
                Scratch s = Scratch.allocate(arena);
                pfd = openat(s, fd, arena.allocateFrom(".."), O_PATH | oDirectory | O_CLOEXEC);
                if (pfd < 0) throw failure(errno(s), "..");
            }
            return new NativeDirectory(pfd);
        }

        @Override
        public void names(Consumer<String> each) throws IOException {
            // The JDK reads the directory through the descriptor's /proc link: the very directory we hold
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(Path.of("/proc/self/fd/" + fd))) {
                for (Path p : stream) {
                    String name = p.getFileName().toString();
                    if (JdkFileSystemAccess.reachable(name, p)) each.accept(name);
                }
            }
        }

        @Override
        public void close() {
            if (fd >= 0) LinuxFileSystemAccess.close(fd);
            fd = -1;
        }
    }

    private final class NativeEntry implements Entry {
        private int fd;
        private final Stat stat;

        NativeEntry(int fd, Stat stat) {
            this.fd = fd;
            this.stat = stat;
        }

        @Override
        public Stat stat() {
            return stat;
        }

        @Override
        public String linkTarget() throws IOException {
            try (Arena arena = Arena.ofConfined()) {
                Scratch s = Scratch.allocate(arena);
                MemorySegment buf = arena.allocate(4096);
                long n = (long) NATIVES.readlinkat().invokeExact(s.errno, fd, arena.allocateFrom(""), buf, 4096L);
                if (n < 0) throw failure(errno(s), "link");
                return new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IOException(t);
            }
        }

        @Override
        public Directory openDirectory() throws IOException {
            if (stat.type() != Type.DIRECTORY) throw new NotDirectoryException("not a directory");
            NativeDirectory d = new NativeDirectory(fd);
            d.stat = stat;
            fd = -1;
            return d;
        }

        @Override
        public FileChannel openFile() throws IOException {
            if (stat.type() != Type.FILE) throw new AccessDeniedException("not a regular file");
            // The O_PATH descriptor is of this inode, checked to be a regular file: opening its /proc link
            // opens that inode (read permission is checked now), not whatever the name leads to today.
            return FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ);
        }

        @Override
        public void close() {
            if (fd >= 0) LinuxFileSystemAccess.close(fd);
            fd = -1;
        }
    }

    // ---- the calls --------------------------------------------------------------------------------------

    private Stat entryStat(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Scratch s = Scratch.allocate(arena);
            if (statx(s, fd, arena.allocateFrom(""), AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) throw failure(errno(s), "directory");
            return toStat(s.statx);
        }
    }

    private static int openat(Scratch s, int dirfd, MemorySegment name, int flags) throws IOException {
        try {
            return (int) NATIVES.openat().invokeExact(s.errno, dirfd, name, flags | O_NONBLOCK, 0);
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    private static int statx(Scratch s, int dirfd, MemorySegment path, int flags) {
        try {
            return (int) NATIVES.statx().invokeExact(s.errno, dirfd, path, flags, STATX_BASIC_STATS, s.statx);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void close(int fd) {
        try {
            int ignored = (int) NATIVES.close().invokeExact(fd);
        } catch (Throwable ignored) {
            // closing a descriptor we own cannot fail in a way worth reporting
        }
    }

    private static int errno(Scratch s) {
        return (int) NATIVES.errno().get(s.errno, 0L);
    }

    private static IOException failure(int errno, String what) {
        return switch (errno) {
            case ENOENT -> new NoSuchFileException(what);
            case EACCES, 1 -> new AccessDeniedException(what);
            case ENOTDIR -> new NotDirectoryException(what);
            default -> new IOException(what + ": error " + errno);
        };
    }

    private static Stat toStat(MemorySegment b) {
        int nlink = b.get(JAVA_INT, 16);
        return new Stat(new FileId(dev(b), b.get(JAVA_LONG, 32)), type(b), b.get(JAVA_LONG, 40), nanos(b, 112), nanos(b, 96), nlink);
    }

    private static long dev(MemorySegment b) {
        return ((long) b.get(JAVA_INT, 136) << 32) | (b.get(JAVA_INT, 140) & 0xffffffffL);
    }

    private static Type type(MemorySegment b) {
        return switch (b.get(JAVA_SHORT, 28) & 0xf000) {
            case 0x8000 -> Type.FILE;
            case 0x4000 -> Type.DIRECTORY;
            case 0xa000 -> Type.LINK;
            default -> Type.OTHER;
        };
    }

    /** @return a statx_timestamp (seconds, then nanoseconds) at this offset, in nanoseconds */
    private static long nanos(MemorySegment b, long offset) {
        return b.get(JAVA_LONG, offset) * 1_000_000_000L + (b.get(JAVA_INT, offset + 8) & 0xffffffffL);
    }
}
