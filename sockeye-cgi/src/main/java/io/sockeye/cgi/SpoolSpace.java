package io.sockeye.cgi;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The room one handler's requests share for what waits between a client and a script: request bodies,
 * read whole before a script starts, and scripts' output, read as fast as the script writes it whatever
 * the client's pace. Each waits in memory up to a per-request bound, then in a spool file; the totals of
 * both are capped here (bytes in memory, bytes on disk, files open), so that many clients, even from one
 * address, cannot fill the memory or the disk: past a cap a body is refused (503) and an output waits
 * (its script blocks on a full pipe, as it would writing to a slow client directly).
 *
 * <p>Spool files are made in a private directory ({@code 0700}, by default a {@code sockeye-cgi-*}
 * directory made once per JVM under {@code java.io.tmpdir} and removed at exit) and unlinked as soon as
 * they are open: only the open channel holds one, so the kernel frees it when it is closed, or when the
 * process ends however it ends, and no other process can open it by name. The first chunk of memory
 * a request uses is not counted against the memory cap (it replaces the copy buffer each request had
 * anyway); only what goes past it is. Thread-safe.
 */
final class SpoolSpace {

    private static final System.Logger LOG = System.getLogger("io.sockeye.cgi");

    private static volatile Path defaultDirectory;

    private final Path configured;
    private final int memoryPerRequest;
    private final long maxMemory;
    private final long maxDisk;
    private final int maxFiles;
    private final long maxOutputFile;
    private final AtomicLong memory = new AtomicLong();
    private final AtomicLong disk = new AtomicLong();
    private final AtomicInteger files = new AtomicInteger();
    private volatile Path directory;

    /**
     * @param directory        where spool files go, or {@code null} for the default
     * @param memoryPerRequest bytes of a body, and of an output, held in memory before a file is used
     * @param maxMemory        bytes all requests may hold in memory past their first chunk
     * @param maxDisk          bytes all spool files together may hold
     * @param maxFiles         spool files open at once
     * @param maxOutputFile    bytes one script's output may hold on disk
     */
    SpoolSpace(Path directory, int memoryPerRequest, long maxMemory, long maxDisk, int maxFiles, long maxOutputFile) {
        this.configured = directory;
        this.memoryPerRequest = memoryPerRequest;
        this.maxMemory = maxMemory;
        this.maxDisk = maxDisk;
        this.maxFiles = maxFiles;
        this.maxOutputFile = maxOutputFile;
    }

    int memoryPerRequest() {
        return memoryPerRequest;
    }

    long maxDisk() {
        return maxDisk;
    }

    long maxOutputFile() {
        return maxOutputFile;
    }

    /** @return whether {@code bytes} more may be held in memory (then {@link #releaseMemory} must follow) */
    boolean reserveMemory(long bytes) {
        return reserve(memory, bytes, maxMemory);
    }

    void releaseMemory(long bytes) {
        memory.addAndGet(-bytes);
    }

    /** @return whether {@code bytes} more may be written to spool files (then {@link #releaseDisk} must follow) */
    boolean reserveDisk(long bytes) {
        return reserve(disk, bytes, maxDisk);
    }

    void releaseDisk(long bytes) {
        disk.addAndGet(-bytes);
    }

    /** @return bytes held in memory past the free first chunks, on disk, and files open: for tests */
    long[] usage() {
        return new long[] {memory.get(), disk.get(), files.get()};
    }

    private static boolean reserve(AtomicLong used, long bytes, long max) {
        while (true) {
            long now = used.get();
            if (bytes > max - now) return false;
            if (used.compareAndSet(now, now + bytes)) return true;
        }
    }

    /**
     * Opens a new spool file, already unlinked.
     *
     * @param kind what it holds, in its short-lived name ({@code body}, {@code output})
     * @return the open file, or {@code null} if as many are open as allowed
     * @throws IOException if the directory or the file cannot be made
     */
    FileChannel openFile(String kind) throws IOException {
        if (files.incrementAndGet() > maxFiles) {
            files.decrementAndGet();
            return null;
        }
        try {
            Path dir = directory();
            while (true) {
                Path p = dir.resolve(kind + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".spool");
                try {
                    // CREATE_NEW is O_EXCL: never an existing file, nor a link planted in its place
                    FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                            StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
                    Files.deleteIfExists(p); // DELETE_ON_CLOSE already unlinks at open on Linux; elsewhere, now
                    return ch;
                } catch (FileAlreadyExistsException taken) {
                    // another name
                }
            }
        } catch (IOException | RuntimeException e) {
            files.decrementAndGet();
            throw e;
        }
    }

    /** Closes a file from {@link #openFile} and gives back the bytes reserved for it. */
    void closeFile(FileChannel file, long reservedBytes) {
        try {
            file.close();
        } catch (IOException e) {
            // nothing to keep: the file is unlinked
        }
        files.decrementAndGet();
        releaseDisk(reservedBytes);
    }

    private Path directory() throws IOException {
        Path d = directory;
        if (d != null) return d;
        synchronized (this) {
            if (directory == null) directory = configured != null ? prepare(configured) : defaultDirectory();
            return directory;
        }
    }

    /** A configured directory is made (private) if missing; one that exists is the operator's choice. */
    private static Path prepare(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        return dir;
    }

    private static Path defaultDirectory() throws IOException {
        Path d = defaultDirectory;
        if (d != null && Files.isDirectory(d)) return d;
        synchronized (SpoolSpace.class) {
            if (defaultDirectory == null || !Files.isDirectory(defaultDirectory)) {
                // a new, unguessable name each time, made 0700 atomically: no other user can have made it
                // first or link it elsewhere, as they could a fixed name in a shared /tmp
                Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
                Path made = Files.createTempDirectory(tmp, "sockeye-cgi-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                made.toFile().deleteOnExit(); // empty by then: its files are unlinked as soon as they are open
                LOG.log(System.Logger.Level.DEBUG, "CGI spool files go to " + made);
                defaultDirectory = made;
            }
            return defaultDirectory;
        }
    }
}
