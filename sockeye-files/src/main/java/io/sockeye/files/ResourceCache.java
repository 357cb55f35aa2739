package io.sockeye.files;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import io.sockeye.LogText;
import io.sockeye.files.FileSystemAccess.Stat;

/**
 * Looks paths up under the root through {@link PathWalk}, and remembers what it found so that a hot path
 * costs one {@code stat} rather than a walk: small files are kept in memory, as direct buffers the socket
 * is written from without a copy; larger ones are opened afresh by every request and sent from that open
 * file, so what is sent is always what was checked.
 *
 * <h2>Fresh at once</h2>
 * A cached answer is used only while a {@code stat} of its path (links followed, as the kernel would)
 * still shows the same file: device, inode, size, modification and change times; anything else is looked
 * up again, so an edit, a deletion or a file renamed over another shows at once. Timestamps have a
 * granularity (a clock tick for ext4 and most others, 2 s for FAT), so two writes of the same size within
 * one tick look alike: content read while its last change was less than {@link #RACY_NANOS} old is not
 * <em>settled</em> and is read again by the next request, until it is. (Git's index has the same problem and
 * the same answer: "racily clean" entries.) Within {@linkplain FileHandler.Builder#revalidateAfter the trust
 * interval} (a millisecond by default) an answer is used without looking again.
 *
 * <p>Bounded in entries and bytes; thread-safe. With a {@link FileSystemAccess} whose opens may block,
 * walks run on platform threads ({@link PlatformOpens}).
 */
final class ResourceCache {

    /** How recent a change must be for content not to be settled: 2 s, FAT's timestamp granularity. */
    static final long RACY_NANOS = 2_000_000_000L;
    /** How long a precompressed sibling found missing is believed missing: a second. */
    static final long ABSENT_SIBLING_NANOS = 1_000_000_000L;
    private static final System.Logger LOG = System.getLogger("io.sockeye.files");
    private static final int ATTEMPTS = 3;
    /** Listings made at once, by all handlers: half the cores (at least one). */
    private static final java.util.concurrent.Semaphore LISTINGS =
            new java.util.concurrent.Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), true);

    private final FileSystemAccess fs;
    private final Path root;
    private final boolean followSymlinks;
    private final Exclusions exclusions;
    private final MimeTypes types;
    private final long trustNanos;
    private final long maxFileBytes;
    private final long maxBytes;
    private final int maxEntries;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Compressed> compressed = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final ReentrantLock evicting = new ReentrantLock();

    /** A remembered answer: what the path led to, what stat said of it then, and when. */
    private record Entry(Resource resource, Object path, Stat seen, long generation, long checkedAt) {
    }

    /** The gzip form of a file too large to keep in memory itself, for the file as stat saw it. */
    private record Compressed(Stat of, ByteBuffer gzip) {
    }

    ResourceCache(FileSystemAccess fs, Path root, boolean followSymlinks, List<Path> excluded, MimeTypes types, long trustNanos,
                  long maxFileBytes, long maxBytes, int maxEntries) {
        this.fs = fs;
        this.root = root;
        this.followSymlinks = followSymlinks;
        this.exclusions = new Exclusions(fs, root, excluded);
        this.types = types;
        this.trustNanos = trustNanos;
        this.maxFileBytes = maxBytes <= 0 ? -1 : maxFileBytes;
        this.maxBytes = maxBytes;
        this.maxEntries = maxEntries;
    }

    FileSystemAccess fs() {
        return fs;
    }

    Path root() {
        return root;
    }

    /**
     * @param key the path under the root, its segments joined by {@code /} (as
     *            {@link io.sockeye.RequestPaths#jailedPath} gives it, already checked)
     * @return what is there now; the caller closes it (which releases an open file)
     * @throws io.sockeye.HttpException 503 if the file cannot be opened now (see {@link PlatformOpens})
     */
    Resource lookup(String key) throws IOException {
        return lookup(key, false);
    }

    /**
     * Looks up a precompressed sibling ({@code file.gz}, {@code file.br}): as {@link #lookup}, except that
     * finding none is trusted for {@link #ABSENT_SIBLING_NANOS} without looking again. That only decides
     * which coding is sent, never which bytes of the file (they are still checked on every request), and
     * saves a {@code stat} per sibling on every request for text from a browser.
     */
    Resource sibling(String key) throws IOException {
        return lookup(key, true);
    }

    private Resource lookup(String key, boolean sibling) throws IOException {
        Entry e = entries.get(key);
        if (e != null && e.generation == exclusions.current().generation()) {
            boolean absentSibling = sibling && e.resource == Resource.MISSING;
            long age = trustNanos > 0 || absentSibling ? System.nanoTime() - e.checkedAt : 0;
            if ((trustNanos > 0 && age < trustNanos) || (absentSibling && age < ABSENT_SIBLING_NANOS)) return e.resource;
            if (fs.unchanged(e.path, e.seen)) {
                // believed again for a while: a new entry once a second, not a stat per request
                if (absentSibling || trustNanos > 0) entries.replace(key, e, new Entry(e.resource, e.path, e.seen, e.generation, System.nanoTime()));
                return e.resource; // the hit path: one stat at most, no allocation
            }
        }
        return fs.opensMayBlock() ? PlatformOpens.call(() -> load(key, e)) : load(key, e);
    }

    /**
     * Walks to what the path names now (the jail is enforced there), reads it if it is small, and remembers
     * the answer if the path still leads to the same thing afterwards.
     */
    private Resource load(String key, Entry known) throws IOException {
        Object path = known != null ? known.path : fs.pathHandle(SafePaths.resolve(root, key));
        for (int attempt = 1; ; attempt++) {
            boolean cacheable = true;
            Stat before = null;
            try {
                before = fs.stat(path);
            } catch (IOException e) {
                cacheable = false; // a loop, a denied directory: the walk will tell; nothing to compare with
            }
            Exclusions.Snapshot excluded = exclusions.refresh();
            long started = System.currentTimeMillis() * 1_000_000L;
            Resource r;
            try (PathWalk.Found found = PathWalk.resolve(fs, root, key, followSymlinks, excluded)) {
                r = materialize(found, key, started);
            } catch (IOException changed) {
                if (attempt < ATTEMPTS) continue;
                LOG.log(Level.DEBUG, () -> "gave up looking up " + LogText.escape(key, 300) + ": " + changed);
                return Resource.MISSING;
            }
            if (r.channel != null) return r; // served from what was opened; nothing to remember
            Stat after = null;
            try {
                if (cacheable) after = fs.stat(path);
            } catch (IOException e) {
                cacheable = false;
            }
            boolean stable = cacheable && (before == null ? after == null : before.sameAs(after))
                    && (r.stat == null || r.stat.sameAs(after));
            if (!stable && attempt < ATTEMPTS) continue;
            if (stable && r.settled) remember(key, new Entry(r, path, after, excluded.generation(), System.nanoTime()));
            else forget(key);
            return r;
        }
    }

    private Resource materialize(PathWalk.Found found, String key, long started) throws IOException {
        switch (found.kind) {
            case MISSING -> {
                return Resource.MISSING;
            }
            case FORBIDDEN -> {
                LOG.log(Level.DEBUG, () -> "refused " + LogText.escape(key, 300) + ": outside the root, excluded, or not a regular file");
                return Resource.FORBIDDEN;
            }
            case DIRECTORY -> {
                return Resource.directory(found.stat);
            }
            default -> {
            }
        }
        Stat stat = found.stat;
        String type = types.forName(key);
        boolean settled = stat.latestNanos() < started - RACY_NANOS;
        FileChannel ch;
        try {
            ch = found.openFile();
        } catch (AccessDeniedException e) {
            return Resource.FORBIDDEN;
        }
        if (stat.size() > maxFileBytes) return Resource.open(stat, type, ch, settled);
        try (ch) {
            ByteBuffer content = ByteBuffer.allocateDirect((int) stat.size());
            while (content.hasRemaining() && ch.read(content) > 0) {
                // read it all: a file that shrank meanwhile gives fewer bytes, and its stat will differ
            }
            if (content.hasRemaining() || ch.size() != stat.size()) throw new IOException("changed while being read");
            content.flip();
            return Resource.inMemory(stat, type, content.asReadOnlyBuffer(), settled);
        }
    }

    private void remember(String key, Entry fresh) {
        Entry old = entries.put(key, fresh);
        bytes.addAndGet(fresh.resource.memory() - (old == null ? 0 : old.resource.memory()));
        evictIfNeeded();
    }

    private void forget(String key) {
        Entry old = entries.remove(key);
        if (old != null) bytes.addAndGet(-old.resource.memory());
    }

    private void evictIfNeeded() {
        if ((bytes.get() > maxBytes || entries.size() > maxEntries) && evicting.tryLock()) {
            try {
                // Arbitrary eviction down to 3/4 of the budget: cheap, and a hot entry comes right back.
                Iterator<Map.Entry<String, Compressed>> cs = compressed.entrySet().iterator();
                while (cs.hasNext() && bytes.get() > maxBytes * 3 / 4) {
                    bytes.addAndGet(-cs.next().getValue().gzip.capacity());
                    cs.remove();
                }
                Iterator<Entry> it = entries.values().iterator();
                while (it.hasNext() && (bytes.get() > maxBytes * 3 / 4 || entries.size() > maxEntries * 3 / 4)) {
                    Entry r = it.next();
                    it.remove();
                    bytes.addAndGet(-r.resource.memory());
                }
            } finally {
                evicting.unlock();
            }
        }
    }

    /** Accounts for memory a resource gained after it was cached (its compressed bytes), if it is cached. */
    void grew(String key, Resource r, long delta) {
        Entry e = entries.get(key);
        if (e != null && e.resource == r) bytes.addAndGet(delta);
    }

    /**
     * Lists a directory: walked to afresh (the jail is enforced there) and read through the directory that
     * walk opened; links in it are walked too, and listed only if they may be served.
     *
     * @return the listing, or {@code null} if the path is not a directory (any more)
     */
    DirectoryListing.Listing list(String key, boolean dotfiles, DirectoryListing.Sort by, boolean descending, int max)
            throws IOException {
        // A listing of a huge directory is seconds of work on the thread that runs it: at most half the
        // cores list at once (the rest wait their turn, parked), so listings never take every carrier
        // thread and stall the requests for files
        try {
            LISTINGS.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting to list a directory");
        }
        try {
            if (fs.opensMayBlock()) return PlatformOpens.call(() -> listNow(key, dotfiles, by, descending, max));
            return listNow(key, dotfiles, by, descending, max);
        } finally {
            LISTINGS.release();
        }
    }

    private DirectoryListing.Listing listNow(String key, boolean dotfiles, DirectoryListing.Sort by, boolean descending, int max)
            throws IOException {
        Exclusions.Snapshot excluded = exclusions.refresh();
        try (PathWalk.Found found = PathWalk.resolve(fs, root, key, followSymlinks, excluded)) {
            if (found.kind != Resource.Kind.DIRECTORY) return null;
            try (FileSystemAccess.Directory dir = found.takeDirectory()) {
                return DirectoryListing.read(dir, name -> {
                    try (PathWalk.Found link = PathWalk.resolve(fs, root, key.isEmpty() ? name : key + "/" + name, followSymlinks, excluded)) {
                        return link.kind == Resource.Kind.FILE || link.kind == Resource.Kind.DIRECTORY ? link.stat : null;
                    } catch (IOException e) {
                        return null;
                    }
                }, excluded.refusals(fs), dotfiles, by, descending, max);
            }
        }
    }

    /** What is done with a walk's end while it is open. */
    interface WalkUse<T> {
        T apply(PathWalk.Found found) throws IOException;
    }

    /**
     * Walks to what a path names now, by the very walk {@link #lookup} makes (the jail, the exclusions, the
     * rules for links and for what may be opened), bypassing what is remembered, and hands it to
     * {@code use} while it is open: for folder archives, which open every file they send and keep none.
     * Runs on a platform thread where opens may block (see {@link PlatformOpens}).
     *
     * @param key a checked relative path
     * @return what {@code use} returned
     */
    <T> T walk(String key, WalkUse<T> use) throws IOException {
        java.util.concurrent.Callable<T> work = () -> {
            Exclusions.Snapshot excluded = exclusions.refresh();
            try (PathWalk.Found found = PathWalk.resolve(fs, root, key, followSymlinks, excluded)) {
                return use.apply(found);
            }
        };
        if (fs.opensMayBlock()) return PlatformOpens.call(work);
        try {
            return work.call();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** @return whether {@code more} bytes fit in the memory budget beside what is held now */
    boolean fits(long more) {
        return bytes.get() + more <= maxBytes;
    }

    /** @return the gzip form of a large file as stat sees it now, or {@code null} */
    ByteBuffer compressed(String key, Stat now) {
        Compressed c = compressed.get(key);
        return c != null && c.of.sameAs(now) ? c.gzip : null;
    }

    /** Keeps the gzip form of a large file, made from its settled content as {@code of} describes it. */
    void compressed(String key, Stat of, ByteBuffer gzip) {
        Compressed old = compressed.put(key, new Compressed(of, gzip));
        bytes.addAndGet(gzip.capacity() - (old == null ? 0 : old.gzip.capacity()));
        evictIfNeeded();
    }
}
