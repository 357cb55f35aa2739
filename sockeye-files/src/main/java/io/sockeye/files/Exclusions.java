package io.sockeye.files;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import io.sockeye.files.FileSystemAccess.Directory;
import io.sockeye.files.FileSystemAccess.Stat;
import io.sockeye.files.FileSystemAccess.Type;

/**
 * The directories that are never served from ({@link FileHandler.Builder#exclude}), known by identity
 * (device and inode), not by path: a path string says nothing about a bind mount, a hard link, or the
 * other spellings a case-insensitive file system accepts ({@code /CGI-BIN/} for {@code /cgi-bin/} on
 * vfat, exFAT, NTFS, CIFS or ext4 with casefold). {@link PathWalk} compares every directory on the way to
 * a file with these.
 *
 * <p>The identities are taken again from the configured paths (links followed) on every lookup that
 * goes to the disk, since a directory may be created, replaced or linked after the handler was built;
 * when they change, the {@linkplain Snapshot#generation generation} moves on and cached answers from
 * before are looked up again. A file with more than one hard link may also live in an excluded directory
 * under another name, so one is looked for there (at most {@link #MAX_SCAN} names; a larger excluded tree
 * refuses such files outright). Thread-safe.
 */
final class Exclusions {

    /** Most names looked at when searching the excluded directories for a hard link. */
    static final int MAX_SCAN = 10_000;
    private static final int MAX_DEPTH = 16;

    /** What is excluded now. */
    record Snapshot(Set<Object> ids, boolean rootExcluded, long generation, Exclusions owner) {

        /** @return whether nothing is excluded (no excluded directory exists now) */
        boolean isEmpty() {
            return ids.isEmpty() && !rootExcluded;
        }

        /** @return whether a file of this identity also lies in an excluded directory, or may (fail closed) */
        boolean holdsFile(FileSystemAccess fs, Object identity) throws IOException {
            return !ids.isEmpty() && owner.search(fs, identity, null);
        }

        /**
         * @return a test of what a listing must leave out: what a lookup would refuse (an excluded directory,
         *         or a file that lies in one too, by another name); the excluded files are gathered once
         */
        Predicate<Stat> refusals(FileSystemAccess fs) {
            if (ids.isEmpty()) return s -> false;
            AtomicReference<Set<Object>> files = new AtomicReference<>();
            return s -> {
                if (ids.contains(s.identity())) return true;
                if (s.type() != Type.FILE || s.links() == 1) return false;
                if (files.get() == null) {
                    Set<Object> found = new HashSet<>();
                    try {
                        if (owner.search(fs, null, found)) found = Set.of(ALL);
                    } catch (IOException e) {
                        found = Set.of(ALL);
                    }
                    files.set(found);
                }
                return files.get().contains(ALL) || files.get().contains(s.identity());
            };
        }
    }

    /** Stands for every file, when the excluded directories are too large to gather. */
    private static final Object ALL = new Object();

    private final FileSystemAccess fs;
    private final Path root;
    private final List<Path> paths;
    /** The paths' handles, made by the first {@link #refresh}: making one may choose the file access (see {@link NativeFiles}). */
    private volatile List<Object> handles;
    private final ReentrantLock refreshing = new ReentrantLock();
    private volatile Snapshot current;

    Exclusions(FileSystemAccess fs, Path root, List<Path> paths) {
        this.fs = fs;
        this.root = root;
        this.paths = List.copyOf(paths);
        this.current = new Snapshot(Set.of(), false, 0, this);
    }

    /** @return what is excluded as last seen: for the cache's hit path (a volatile read) */
    Snapshot current() {
        return current;
    }

    /** @return whether any directory is configured to be excluded */
    boolean configured() {
        return !paths.isEmpty();
    }

    /** @return what is excluded now, looked at again */
    Snapshot refresh() throws IOException {
        if (paths.isEmpty()) return current;
        Set<Object> ids = new HashSet<>();
        for (Object h : handles()) {
            Stat s;
            try {
                s = fs.stat(h);
            } catch (IOException e) {
                s = null; // not reachable for us: nothing under it can be read by us either
            }
            if (s != null) ids.add(s.identity());
        }
        Snapshot seen = current;
        if (seen.ids.equals(ids)) return seen;
        refreshing.lock();
        try {
            seen = current;
            if (seen.ids.equals(ids)) return seen;
            Snapshot next = new Snapshot(Set.copyOf(ids), rootInside(ids), seen.generation + 1, this);
            current = next;
            return next;
        } finally {
            refreshing.unlock();
        }
    }

    private List<Object> handles() {
        List<Object> h = handles;
        if (h == null) {
            List<Object> made = new ArrayList<>();
            for (Path p : paths) made.add(fs.pathHandle(p));
            handles = h = List.copyOf(made); // two threads may both make them: equal handles, either will do
        }
        return h;
    }

    /** @return whether the root or a directory above it is excluded (then everything is) */
    private boolean rootInside(Set<Object> ids) throws IOException {
        if (ids.isEmpty()) return false;
        Directory d = fs.open(root);
        try {
            for (int i = 0; i < 256; i++) {
                Object id = d.stat().identity();
                if (ids.contains(id)) return true;
                Directory up = d.parent();
                boolean top = up.stat().identity().equals(id);
                d.close();
                d = up;
                if (top) return false;
            }
            return true;
        } finally {
            d.close();
        }
    }

    /**
     * Looks for a file by identity under the excluded directories, or gathers them all into {@code into};
     * too many names to look at: found.
     */
    private boolean search(FileSystemAccess fs, Object identity, Set<Object> into) throws IOException {
        int[] budget = {MAX_SCAN};
        for (Path p : paths) {
            Directory d;
            try {
                d = fs.open(p);
            } catch (IOException e) {
                continue; // not there, or not a directory
            }
            try {
                if (holds(d, identity, into, budget, 0)) return true;
            } finally {
                d.close();
            }
        }
        return false;
    }

    private static boolean holds(Directory dir, Object identity, Set<Object> into, int[] budget, int depth) throws IOException {
        List<String> names = new ArrayList<>();
        dir.names(n -> {
            if (budget[0]-- > 0) names.add(n);
        });
        if (budget[0] < 0 || depth > MAX_DEPTH) return true;
        for (String name : names) {
            Stat s = dir.statAt(name);
            if (s == null) continue;
            if (s.type() == Type.FILE && s.identity().equals(identity)) return true;
            if (s.type() == Type.FILE && into != null) into.add(s.identity());
            if (s.type() == Type.DIRECTORY) {
                FileSystemAccess.Entry e = dir.entry(name);
                if (e == null || e.stat().type() != Type.DIRECTORY) continue;
                try (Directory sub = e.openDirectory()) {
                    if (holds(sub, identity, into, budget, depth + 1)) return true;
                }
            }
        }
        return false;
    }
}
