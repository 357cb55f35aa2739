package io.sockeye.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Looks paths up under the root, remembering what it found for a short while (the revalidation
 * interval) so that a hot path costs a map lookup rather than system calls. Small files are kept in
 * memory, as direct buffers the socket can be written from without a copy; a file that changed on disk
 * is noticed at the next revalidation (its size or modification time differ) and read again.
 *
 * <p>Every lookup that touches the file system also enforces the jail: the real path must be under the
 * real root unless symbolic links may be followed out of it, and only regular files and directories are
 * ever served (a FIFO or device would block or leak). Bounded in entries and bytes; thread-safe.
 */
final class ResourceCache {

    private final Path root;
    private final Path realRoot;
    private final boolean followSymlinks;
    private final List<Path> excluded;
    private final MimeTypes types;
    private final long revalidateNanos;
    private final long maxFileBytes;
    private final long maxBytes;
    private final int maxEntries;
    private final ConcurrentHashMap<String, Resource> entries = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final ReentrantLock evicting = new ReentrantLock();

    ResourceCache(Path root, boolean followSymlinks, List<Path> excluded, MimeTypes types, long revalidateNanos,
                  long maxFileBytes, long maxBytes, int maxEntries) throws IOException {
        this.root = root;
        this.realRoot = root.toRealPath();
        this.followSymlinks = followSymlinks;
        this.excluded = excluded;
        this.types = types;
        this.revalidateNanos = revalidateNanos;
        this.maxFileBytes = maxFileBytes;
        this.maxBytes = maxBytes;
        this.maxEntries = maxEntries;
    }

    Path root() {
        return root;
    }

    Path realRoot() {
        return realRoot;
    }

    /**
     * @param key the path under the root, its segments joined by {@code /} (as
     *            {@link io.sockeye.RequestPaths#jailedPath} gives it, already checked)
     * @return what is there now (or was, within the revalidation interval)
     */
    Resource lookup(String key) {
        long now = System.nanoTime();
        Resource known = entries.get(key);
        if (known != null && now - known.checkedAt < revalidateNanos) return known;
        Resource fresh = load(SafePaths.resolve(root, key), known, now);
        if (revalidateNanos > 0) remember(key, fresh);
        return fresh;
    }

    /** Looks a file up afresh, bypassing the cache: for large files served from disk. */
    Resource reload(Resource stale) {
        return load(stale.path, null, System.nanoTime());
    }

    private Resource load(Path path, Resource known, long now) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
            if (!followSymlinks || !excluded.isEmpty()) {
                Path real = path.toRealPath();
                if (!followSymlinks && !real.startsWith(realRoot)) return Resource.other(Resource.Kind.FORBIDDEN, path, now);
                for (Path x : excluded) {
                    // resolved now, not once: the directory may have been created (or linked) since
                    if (real.startsWith(x) || (Files.exists(x) && real.startsWith(x.toRealPath()))) {
                        return Resource.other(Resource.Kind.FORBIDDEN, path, now);
                    }
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Resource.other(Resource.Kind.MISSING, path, now);
        } catch (AccessDeniedException e) {
            return Resource.other(Resource.Kind.FORBIDDEN, path, now);
        } catch (IOException e) {
            return Resource.other(Resource.Kind.MISSING, path, now);
        }
        if (attrs.isDirectory()) return Resource.other(Resource.Kind.DIRECTORY, path, now);
        if (!attrs.isRegularFile()) return Resource.other(Resource.Kind.FORBIDDEN, path, now);
        long modified = attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        String type = types.forName(path.getFileName().toString());
        Resource candidate = Resource.file(path, attrs.size(), modified, type, null, now);
        if (candidate.sameFileAs(known)) {
            Resource same = Resource.file(path, known.size, known.modifiedNanos, type, known.content, now);
            if (known.gzipped() != null) same.gzipped(known.gzipped());
            return same;
        }
        if (attrs.size() > maxFileBytes || revalidateNanos == 0) {
            if (!Files.isReadable(path)) return Resource.other(Resource.Kind.FORBIDDEN, path, now);
            return candidate;
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer content = ByteBuffer.allocateDirect((int) attrs.size());
            while (content.hasRemaining() && ch.read(content) > 0) {
                // read it all; a file that shrank meanwhile gives fewer bytes, and its real length counts
            }
            content.flip();
            return Resource.file(path, content.remaining(), modified, type, content.asReadOnlyBuffer(), now);
        } catch (AccessDeniedException e) {
            return Resource.other(Resource.Kind.FORBIDDEN, path, now);
        } catch (IOException e) {
            return Resource.other(Resource.Kind.MISSING, path, now);
        }
    }

    private void remember(String key, Resource fresh) {
        Resource old = entries.put(key, fresh);
        bytes.addAndGet(fresh.memory() - (old == null ? 0 : old.memory()));
        if ((bytes.get() > maxBytes || entries.size() > maxEntries) && evicting.tryLock()) {
            try {
                // Arbitrary eviction down to 3/4 of the budget: cheap, and a hot entry comes right back.
                Iterator<Resource> it = entries.values().iterator();
                while (it.hasNext() && (bytes.get() > maxBytes * 3 / 4 || entries.size() > maxEntries * 3 / 4)) {
                    Resource r = it.next();
                    it.remove();
                    bytes.addAndGet(-r.memory());
                }
            } finally {
                evicting.unlock();
            }
        }
    }

    /** Accounts for memory a resource gained after it was cached (its compressed bytes). */
    void grew(long delta) {
        bytes.addAndGet(delta);
    }
}
