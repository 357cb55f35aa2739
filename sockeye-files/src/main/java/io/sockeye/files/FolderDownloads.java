package io.sockeye.files;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

import io.sockeye.HttpException;
import io.sockeye.LogText;
import io.sockeye.Request;
import io.sockeye.RequestPaths;
import io.sockeye.Response;
import io.sockeye.Status;

/**
 * A listed folder as one download: {@code GET /dir/?download=zip} or {@code ?download=tar.gz}. A query
 * parameter names the format, so no file's name can ever collide with it (a file is named by the path).
 *
 * <p>The archive is streamed as the folder is walked: no temporary file, nothing held in memory but one
 * directory's names at a time and the compressor's window; the response is chunked. Every entry is
 * found by the walk that serves a single request ({@link ResourceCache#walk}, {@link PathWalk}): the
 * jail, excluded directories (a {@code cgi-bin}), links that lead out, and FIFOs, sockets and devices are
 * refused exactly as they are for a GET of that path, and hidden names are left out unless hidden files
 * are served. A file is sent from the descriptor that walk opened (so what is archived is what was
 * checked); a link to a directory is archived as that directory, as a GET follows it, except a link to
 * one of its own ancestors (a loop), which is left out.
 *
 * <p>Bounded: at most so many entries, bytes (the files' own sizes) and levels of folders, and so many
 * downloads at once per handler (more get 503). Past a bound the download is aborted: the connection is
 * closed before the archive's end, so that no client takes a cut-short archive for the folder (a 403
 * instead if nothing was sent yet). A client that goes away stops the walk at its next write, and every
 * file and directory opened is closed on every path.
 */
final class FolderDownloads {

    /** The query parameter that asks for a folder's archive. */
    static final String PARAMETER = "download";

    private static final System.Logger LOG = System.getLogger("io.sockeye.files");
    private static final int MAX_DEPTH = 64;

    /** The bounds of one download, and how many run at once. */
    record Limits(int maxEntries, long maxBytes, int atOnce) {
    }

    private final ResourceCache cache;
    private final boolean dotfiles;
    private final MimeTypes types;
    private final Limits limits;
    private final Semaphore running;

    FolderDownloads(ResourceCache cache, boolean dotfiles, MimeTypes types, Limits limits) {
        this.cache = cache;
        this.dotfiles = dotfiles;
        this.types = types;
        this.limits = limits;
        this.running = new Semaphore(limits.atOnce());
    }

    /** @return whether the request asks for an archive rather than the listing */
    static boolean asked(Request request) {
        return request.rawQuery() != null && request.query().first(PARAMETER).isPresent();
    }

    /** Sends the folder at {@code key} (a directory the caller found, with no index page) as an archive. */
    void serve(Request request, Response response, String key) throws IOException {
        String format = request.query().first(PARAMETER).orElse("");
        boolean zip = format.equals("zip");
        if (!zip && !format.equals("tar.gz")) {
            response.sendError(Status.BAD_REQUEST, "unknown download format: ask for ?download=zip or ?download=tar.gz");
            return;
        }
        if (!running.tryAcquire()) {
            response.header("Retry-After", "10");
            response.sendError(Status.SERVICE_UNAVAILABLE, "too many folder downloads at once: try again shortly");
            return;
        }
        try {
            String top = topName(key, request.path());
            response.header("Content-Type", zip ? "application/zip" : "application/gzip");
            response.header("Content-Disposition", disposition(top + (zip ? ".zip" : ".tar.gz")));
            response.header("X-Content-Type-Options", "nosniff");
            if (request.method().equals("HEAD")) {
                // the head a GET would get (chunked, no length), without walking the folder for nothing
                OutputStream none = response.body();
                none.flush();
                none.close();
                return;
            }
            OutputStream body = response.body();
            ArchiveWriter writer = zip ? new ZipArchiveWriter(body) : new TarGzArchiveWriter(body);
            boolean complete = false;
            try {
                new Walk(writer, request).run(key, top + "/");
                writer.finish();
                complete = true;
            } finally {
                if (!complete) writer.release(); // the archive is left unended: the server aborts the response
            }
        } finally {
            running.release();
        }
    }

    /**
     * @return the archive's top folder: the folder's own name (from the checked key, so {@code /a/./} or
     *         {@code /a/b/../} name {@code a}), the mount's for the root of a mounted handler, or {@code files}
     */
    static String topName(String key, String requestPath) {
        if (!key.isEmpty()) return key.substring(key.lastIndexOf('/') + 1);
        String p = RequestPaths.canonical(requestPath);
        p = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
        String last = p.substring(p.lastIndexOf('/') + 1);
        return last.isEmpty() || last.equals(".") || last.equals("..") ? "files" : last;
    }

    /** @return a {@code Content-Disposition} with an ASCII name for old clients and the UTF-8 one (RFC 6266) */
    static String disposition(String fileName) {
        StringBuilder ascii = new StringBuilder(fileName.length());
        for (int i = 0; i < fileName.length(); i++) {
            char c = fileName.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
            ascii.append(plain ? c : '_');
        }
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + DirectoryListing.encode(fileName);
    }

    /** One download's walk: depth first, names in order, within the bounds. */
    private final class Walk {
        private final ArchiveWriter writer;
        private final Request request;
        private int entries;
        private long bytes;

        Walk(ArchiveWriter writer, Request request) {
            this.writer = writer;
            this.request = request;
        }

        /** A folder to archive, below the folders (by identity) that lead to it. */
        private record Folder(String key, String name, int depth, Ancestors above) {
        }

        /** The identities of the folders from the top down to one, as a shared list from the bottom up. */
        private record Ancestors(Object identity, Ancestors parent) {
            boolean contains(Object id) {
                for (Ancestors a = this; a != null; a = a.parent) {
                    if (a.identity.equals(id)) return true;
                }
                return false;
            }
        }

        private record Listed(FileSystemAccess.Stat stat, List<String> names) {
        }

        private record Opened(FileSystemAccess.Stat stat, FileChannel channel) {
        }

        void run(String topKey, String topName) throws IOException {
            ArrayDeque<Folder> todo = new ArrayDeque<>();
            todo.push(new Folder(topKey, topName, 0, null));
            while (!todo.isEmpty()) {
                Folder folder = todo.pop();
                Listed listed = cache.walk(folder.key, found -> found.kind == Resource.Kind.DIRECTORY ? read(found) : null);
                if (listed == null) continue; // gone, or refused now
                Ancestors here = new Ancestors(listed.stat.identity(), folder.above);
                if (folder.above != null && folder.above.contains(here.identity)) continue; // a loop
                count(0);
                writer.directory(folder.name, listed.stat.modifiedNanos() / 1_000_000);
                List<Folder> below = new ArrayList<>();
                for (String name : listed.names) {
                    String key = folder.key.isEmpty() ? name : folder.key + "/" + name;
                    Object what = cache.walk(key, this::open);
                    if (what instanceof Opened file) {
                        try (FileChannel ch = file.channel) {
                            count(file.stat.size());
                            writer.file(folder.name + name, file.stat.size(), file.stat.modifiedNanos() / 1_000_000,
                                    MimeTypes.isCompressible(types.forName(name)), ch);
                        }
                    } else if (what instanceof FileSystemAccess.Stat dir && !here.contains(dir.identity())) {
                        if (folder.depth + 1 > MAX_DEPTH) tooLarge("folders nested more than " + MAX_DEPTH + " deep");
                        below.add(new Folder(key, folder.name + name + "/", folder.depth + 1, here));
                    }
                }
                for (int i = below.size() - 1; i >= 0; i--) todo.push(below.get(i)); // so that they come in order
            }
        }

        /** The names of a directory worth archiving, in order, read through the directory the walk opened. */
        private Listed read(PathWalk.Found found) throws IOException {
            try (FileSystemAccess.Directory dir = found.takeDirectory()) {
                List<String> names = new ArrayList<>();
                int room = limits.maxEntries() - entries;
                boolean[] over = {false};
                dir.names(name -> {
                    if (name.equals(".") || name.equals("..") || name.indexOf('\\') >= 0) return; // no request reaches these
                    if (!dotfiles && name.startsWith(".")) return;
                    if (names.size() >= room) over[0] = true;
                    else names.add(name);
                });
                if (over[0]) tooLarge("more than " + limits.maxEntries() + " entries");
                names.sort(null);
                return new Listed(dir.stat(), names);
            }
        }

        /** @return the file, open, with its stat; a directory's stat; or {@code null} for what is not archived */
        private Object open(PathWalk.Found found) throws IOException {
            return switch (found.kind) {
                case FILE -> {
                    try {
                        yield new Opened(found.stat, found.openFile());
                    } catch (AccessDeniedException e) {
                        yield null; // as a GET of it would be refused
                    }
                }
                case DIRECTORY -> found.stat;
                default -> null;
            };
        }

        private void count(long size) {
            if (++entries > limits.maxEntries()) tooLarge("more than " + limits.maxEntries() + " entries");
            bytes += size;
            if (bytes > limits.maxBytes()) tooLarge("more than " + limits.maxBytes() + " bytes");
        }

        private void tooLarge(String why) {
            LOG.log(Level.WARNING, () -> "folder download of " + LogText.escape(request.path(), 300) + " from "
                    + request.remoteAddress() + " aborted: " + why);
            throw new HttpException(Status.FORBIDDEN, "the folder is too large to download as one archive (" + why + ")");
        }
    }
}
