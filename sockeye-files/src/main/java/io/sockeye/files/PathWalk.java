package io.sockeye.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;

import io.sockeye.files.FileSystemAccess.Directory;
import io.sockeye.files.FileSystemAccess.Entry;
import io.sockeye.files.FileSystemAccess.Stat;
import io.sockeye.files.FileSystemAccess.Type;

/**
 * Finds what a checked relative path names under the root, the way the kernel would, but one name at a
 * time from the open root, so that the jail holds on every step and not only on a path string checked
 * beforehand (after which any directory on the way, or the file itself, could be swapped for a link out):
 * each name is looked at without following it; a directory is entered by its descriptor; a symbolic link
 * is read and its text walked in turn from where it is, as the kernel does (at most 40 links); {@code ..}
 * goes back to the directory it came from, and never above the root unless links may lead out
 * ({@code followSymlinks}). An absolute link leads back into the root only if it spells the root's path
 * (as configured or as its real path); others lead out. This is Go's {@code os.Root} in spirit.
 *
 * <p>What the walk ends on must be a regular file or a directory; anything else (a FIFO, a socket, a
 * device) is refused without being opened. Directories of the way are known by identity (device and
 * inode), so an excluded directory is recognised however it was reached: by a link, a bind mount, or
 * another spelling on a case-insensitive file system ({@link Exclusions}).
 *
 * <p>Where nothing is excluded and links may not lead out, the kernel does the walk in one call
 * ({@code openat2} with {@code RESOLVE_BENEATH}) when the backend has it; what it refuses (an absolute
 * link, a way out) is walked here to tell which it was.
 */
final class PathWalk {

    /** The kernel's limit on links followed in one path (MAXSYMLINKS), and ours. */
    static final int MAX_LINKS = 40;
    private static final int MAX_STEPS = 4096;

    private PathWalk() {
    }

    /** What a walk found: a file or a directory held open for the caller, or a refusal. Close it. */
    static final class Found implements AutoCloseable {
        final Resource.Kind kind;
        final Stat stat;
        private Entry file;
        /** The directory found, or the file's directory (some backends open a file through it). */
        private Directory directory;

        private Found(Resource.Kind kind, Stat stat, Entry file, Directory directory) {
            this.kind = kind;
            this.stat = stat;
            this.file = file;
            this.directory = directory;
        }

        static Found of(Resource.Kind kind) {
            return new Found(kind, null, null, null);
        }

        /** @return the file, opened for reading: the inode the walk ended on */
        FileChannel openFile() throws IOException {
            return file.openFile();
        }

        /** @return the directory found, which the caller now closes */
        Directory takeDirectory() {
            if (kind != Resource.Kind.DIRECTORY) throw new IllegalStateException(kind.toString());
            Directory d = directory;
            directory = null;
            return d;
        }

        @Override
        public void close() {
            if (file != null) file.close();
            if (directory != null) directory.close();
            file = null;
            directory = null;
        }
    }

    /**
     * @param fs             the backend
     * @param root           the root, as configured (absolute)
     * @param key            a checked relative path: segments joined by {@code /}, none empty, {@code .} or
     *                       {@code ..}; {@code ""} for the root
     * @param followSymlinks whether links may lead out of the root
     * @param excluded       what may not be served
     * @return what is there
     * @throws IOException if something changed under the walk (the caller may walk again)
     */
    static Found resolve(FileSystemAccess fs, Path root, String key, boolean followSymlinks, Exclusions.Snapshot excluded)
            throws IOException {
        Directory rootDir;
        try {
            rootDir = fs.open(root);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Found.of(Resource.Kind.MISSING);
        }
        Found found = null;
        try {
            if (excluded.rootExcluded()) return found = Found.of(Resource.Kind.FORBIDDEN);
            if (!followSymlinks && excluded.isEmpty()) {
                Entry e = fs.openBeneath(rootDir, key);
                if (e != null) return found = ending(e);
            }
            return found = walk(fs, root, rootDir, key, followSymlinks, excluded);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Found.of(Resource.Kind.MISSING);
        } catch (AccessDeniedException e) {
            return Found.of(Resource.Kind.FORBIDDEN);
        } finally {
            // the walk closes what it opened but the root, unless the root is what it found ("")
            if (found == null || found.directory != rootDir) rootDir.close();
        }
    }

    /** The end of the kernel's walk (it follows links, so never a link). */
    private static Found ending(Entry e) throws IOException {
        Type t = e.stat().type();
        if (t == Type.FILE) return new Found(Resource.Kind.FILE, e.stat(), e, null);
        if (t == Type.DIRECTORY) return new Found(Resource.Kind.DIRECTORY, e.stat(), null, e.openDirectory());
        e.close();
        return Found.of(Resource.Kind.FORBIDDEN);
    }

    private static Found walk(FileSystemAccess fs, Path root, Directory rootDir, String key, boolean followSymlinks,
                              Exclusions.Snapshot excluded) throws IOException {
        ArrayDeque<Directory> stack = new ArrayDeque<>();
        stack.push(rootDir);
        ArrayDeque<String> todo = new ArrayDeque<>();
        push(todo, key);
        int links = 0;
        int steps = 0;
        try {
            while (!todo.isEmpty()) {
                String name = todo.pollFirst();
                if (++steps > MAX_STEPS) return Found.of(Resource.Kind.MISSING);
                if (name.isEmpty() || name.equals(".")) continue;
                if (name.equals("..")) {
                    if (!up(stack, followSymlinks)) return Found.of(Resource.Kind.FORBIDDEN); // a link that climbs out
                    continue;
                }
                Entry e = stack.peek().entry(name);
                if (e == null) return Found.of(Resource.Kind.MISSING);
                switch (e.stat().type()) {
                    case DIRECTORY -> stack.push(e.openDirectory());
                    case LINK -> {
                        if (++links > MAX_LINKS) {
                            e.close();
                            return Found.of(Resource.Kind.MISSING); // ELOOP
                        }
                        Resource.Kind refused = follow(fs, root, e, stack, todo, followSymlinks);
                        if (refused != null) return Found.of(refused);
                    }
                    case FILE -> {
                        if (!todo.isEmpty()) {
                            e.close();
                            return Found.of(Resource.Kind.MISSING); // "file/x": not a directory
                        }
                        return finish(fs, stack, e, excluded);
                    }
                    default -> {
                        e.close();
                        return Found.of(todo.isEmpty() ? Resource.Kind.FORBIDDEN : Resource.Kind.MISSING);
                    }
                }
            }
            return finish(fs, stack, null, excluded);
        } finally {
            for (Directory d : stack) d.close();
        }
    }

    /** Goes up one directory; above where the walk started only if links may lead out. @return whether it may */
    private static boolean up(ArrayDeque<Directory> stack, boolean followSymlinks) throws IOException {
        if (stack.size() > 1) {
            stack.pop().close();
            return true;
        }
        if (!followSymlinks) return false;
        Directory up = stack.peek().parent();
        stack.pop().close();
        stack.push(up);
        return true;
    }

    /**
     * Reads a link and puts its text before what is left to walk, as the kernel does: a relative link goes on
     * from the link's directory, an absolute one from the root (if it spells the root) or from {@code /}
     * (if links may lead out). Closes the link's entry.
     *
     * @return {@code null} to walk on, or why not
     */
    private static Resource.Kind follow(FileSystemAccess fs, Path root, Entry link, ArrayDeque<Directory> stack,
                                        ArrayDeque<String> todo, boolean followSymlinks) throws IOException {
        String target;
        try {
            target = link.linkTarget();
        } finally {
            link.close();
        }
        if (target.isEmpty()) return Resource.Kind.MISSING;
        if (target.startsWith("/")) {
            String inside = followSymlinks ? target.substring(1) : insideRoot(root, target);
            if (inside == null) return Resource.Kind.FORBIDDEN; // an absolute link out
            while (stack.size() > 1) stack.pop().close();
            if (followSymlinks) {
                Directory top = fs.open(Path.of("/"));
                stack.pop().close();
                stack.push(top);
            }
            target = inside;
        }
        push(todo, target);
        return null;
    }

    /** Checks the end of the walk against the exclusions; takes {@code file} and the top directory over. */
    private static Found finish(FileSystemAccess fs, ArrayDeque<Directory> stack, Entry file, Exclusions.Snapshot excluded)
            throws IOException {
        if (!excluded.isEmpty()) {
            boolean refused = false;
            for (Directory d : stack) refused |= excluded.ids().contains(d.stat().identity());
            if (file != null) {
                Stat s = file.stat();
                refused |= excluded.ids().contains(s.identity()) || (s.links() != 1 && excluded.holdsFile(fs, s.identity()));
            }
            if (refused) {
                if (file != null) file.close();
                return Found.of(Resource.Kind.FORBIDDEN);
            }
        }
        Directory top = stack.pop();
        if (file != null) return new Found(Resource.Kind.FILE, file.stat(), file, top);
        return new Found(Resource.Kind.DIRECTORY, top.stat(), null, top);
    }

    /** Puts a relative path's names at the front of what is left to walk, in order. */
    private static void push(ArrayDeque<String> todo, String path) {
        int end = path.length();
        while (end > 0) {
            int slash = path.lastIndexOf('/', end - 1);
            todo.addFirst(path.substring(slash + 1, end));
            end = slash < 0 ? 0 : slash;
        }
    }

    /**
     * @return what follows the root in an absolute link's text that spells the root (as configured, or its
     *         real path), or {@code null} if it does not: such a link leads out
     */
    static String insideRoot(Path root, String target) {
        String rest = after(root.toString(), target);
        if (rest != null) return rest;
        try {
            return after(root.toRealPath().toString(), target);
        } catch (IOException e) {
            return null;
        }
    }

    private static String after(String prefix, String target) {
        if (prefix.endsWith("/")) prefix = prefix.substring(0, prefix.length() - 1);
        if (target.equals(prefix)) return "";
        return target.startsWith(prefix) && target.charAt(prefix.length()) == '/' ? target.substring(prefix.length() + 1) : null;
    }
}
