package io.sockeye.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import io.sockeye.LogText;
import io.sockeye.Handler;
import io.sockeye.Request;
import io.sockeye.RequestPaths;
import io.sockeye.Response;
import io.sockeye.Status;

/**
 * Serves the files under a directory, as a careful web server does: {@code index.html} for directories
 * (or a listing), content types by extension, validators and conditional requests, byte ranges,
 * compression, and a small in-memory cache of hot files. Mount it anywhere:
 *
 * <pre>{@code
 * Router.create().mount("/static/", FileHandler.of(Path.of("public")));
 *
 * FileHandler site = FileHandler.builder(Path.of("site"))
 *         .listing(false)
 *         .cacheControl("max-age=3600")
 *         .build();
 * }</pre>
 *
 * <h2>The root is a jail</h2>
 * Nothing outside the root is ever served: the path is decoded once, {@code .} and {@code ..} resolved
 * before the file system is consulted (climbing above the root is refused), encoded slashes and
 * backslashes, NUL and hidden names ({@code .git}) are refused. Then the file is found one name at a time
 * from the open root, never following a link blindly: a symbolic link may lead
 * anywhere inside the root, and out of it only with {@link Builder#followSymlinks}; what is found must be
 * a regular file or a directory (a FIFO, socket or device is refused without being opened), and what is
 * sent is read from the very file that was checked, so swapping a name for a link or a FIFO between the
 * check and the read achieves nothing. {@linkplain Builder#exclude Excluded directories} are known by
 * identity (device and inode), so no link, bind mount, hard link or case-insensitive spelling reaches
 * into them. Options loosen hidden names and outward links on purpose. Refusals are 404s (or 403s for
 * what exists but may not be served), with no path of the machine in the body.
 *
 * <p>On Linux (x86-64, AArch64) with Java 22+ and native access enabled ({@code --enable-native-access},
 * or {@code Enable-Native-Access} in an executable jar's manifest), files are opened with
 * {@code openat2}/{@code O_PATH}, which never blocks on a FIFO. Elsewhere the JDK's
 * {@link java.nio.file.SecureDirectoryStream} is used, on platform threads, since its opens can block.
 *
 * <h2>Fresh at once</h2>
 * Small files are kept in memory, checked with one {@code stat} that the file is still the same (inode,
 * size, modification and change time) at most once a millisecond: an edit, a deletion or a replacement
 * shows to every request that starts a millisecond after it, which is at once for a person reloading a
 * page, and costs a busy server one system call per file per millisecond instead of one per request (on
 * the 1 KiB benchmark a {@code stat} per request cost a fifth of the server's CPU). Content changed within
 * the last two seconds, when timestamps may not yet tell two writes apart, is read again until it
 * settles. {@link Builder#revalidateAfter} sets the interval: zero checks on every request. Large files
 * are looked up and opened afresh by every request whatever the interval.
 *
 * <h2>What is sent</h2>
 * GET and HEAD; PUT, POST and DELETE go to the {@linkplain Builder#uploads upload handler} if there is one; other methods get 405 with {@code Allow}. A directory asked for without its trailing slash
 * is redirected to it (the redirect is always to a path on this server). Files get {@code Last-Modified},
 * a strong {@code ETag} from size and modification time, and honour {@code If-None-Match},
 * {@code If-Modified-Since} (304), {@code If-Match}, {@code If-Unmodified-Since} (412), {@code Range} and
 * {@code If-Range} (206, 416). A precompressed {@code file.br} or {@code file.gz} beside a file is sent to
 * clients that accept it; other text is gzipped on the fly between two sizes
 * ({@link Builder#gzipMinBytes}, {@link Builder#gzipMaxBytes}), and the gzip form of a file is kept while
 * the file is unchanged. Files up to a size are kept in memory; larger ones are sent with {@code sendfile}.
 *
 * <h2>Not found, single-page apps, folder downloads</h2>
 * A {@code 404.html} at the root, if there is one, is the body of every 404 this handler sends (the status
 * stays 404), as static hosts and {@code http-server} do; it is looked up by the same walk as any file, so
 * a {@code 404.html} that is a link out of the root, or a FIFO, is not used (the built-in page is).
 * {@link Builder#notFoundPage} names another file or none. {@link Builder#spaFallback} serves a page
 * (usually {@code index.html}) for the paths of a single-page app, which match no file: a GET or HEAD of a
 * missing path gets that page with 200 and its usual validators, unless the path's last segment has an
 * extension ({@code /app.js} is a missing file, not a route; {@link Builder#spaForExtensions}), a segment
 * is hidden, or the path leads into an excluded or refused directory. With {@link Builder#archives}, a
 * listed folder can be downloaded whole as {@code ?download=zip} or {@code ?download=tar.gz}, streamed
 * and bounded ({@link Builder#archiveLimits}), with the rules of the jail applied to every entry; the
 * listing links to both.
 *
 * <p>Thread-safe.
 */
public final class FileHandler implements Handler {

    private static final System.Logger LOG = System.getLogger("io.sockeye.files");

    private final boolean listing;
    private final boolean dotfiles;
    private final List<String> indexNames;
    private final ResourceCache cache;
    private final ContentServer content;
    /** Takes PUT, POST and DELETE, and gives listings their upload form; {@code null} for none. */
    private final UploadHandler uploads;
    /** The page served for a missing route of a single-page app, as a key under the root, or {@code null}. */
    private final String spaFallback;
    private final boolean spaForExtensions;
    /** The file whose content is the body of a 404, as a key under the root, or {@code null}. */
    private final String notFoundPage;
    /** Folder archives, or {@code null} if they are off. */
    private final FolderDownloads downloads;

    /** How many missing directories above a missing path are looked at before the fallback is refused. */
    private static final int MAX_SPA_ANCESTORS = 32;

    private FileHandler(Builder b) {
        this.listing = b.listing;
        this.dotfiles = b.dotfiles;
        this.indexNames = List.copyOf(b.indexNames);
        this.cache = new ResourceCache(b.fs, b.root, b.followSymlinks, List.copyOf(b.excluded), b.mimeTypes, b.revalidateAfter.toNanos(),
                b.maxCachedFileBytes, b.maxCacheBytes, 10_000);
        this.uploads = b.uploads;
        this.content = new ContentServer(cache, b.compress, b.gzipMinBytes, b.gzipMaxBytes, b.cacheControl);
        this.spaFallback = b.spaFallback;
        this.spaForExtensions = b.spaForExtensions;
        this.notFoundPage = b.notFoundPage;
        this.downloads = b.archives && b.listing ? new FolderDownloads(cache, b.dotfiles, b.mimeTypes,
                new FolderDownloads.Limits(b.archiveMaxEntries, b.archiveMaxBytes, Math.max(2, Runtime.getRuntime().availableProcessors())))
                : null;
    }

    /**
     * @param root the directory to serve
     * @return a handler with the default options: listings on, hidden files and outward links refused,
     *         compression on (gzip on the fly from 1 KiB to 8 MiB), files up to 256 KiB kept in memory
     *         and checked on every request
     * @throws UncheckedIOException if the root is not a readable directory
     */
    public static FileHandler of(Path root) {
        return builder(root).build();
    }

    /** @param root the directory to serve @return a builder for the options */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /**
     * Does now, on the calling thread, the one-time work the first request for a file would otherwise do:
     * choosing how files are opened and, where that is natively, linking the native calls (a tenth of a
     * second or more: the JVM generates their stubs at run time). Optional: a server that has started
     * listening may call it from a background thread so that its first request does not wait for that.
     * Requests that come meanwhile wait for it rather than repeat it. Nothing else changes.
     */
    public static void warmUp() {
        NativeFiles.chosen();
    }

    @Override
    public void handle(Request request, Response response) throws IOException {
        String method = request.method();
        if (uploads != null && uploads.handles(method)) {
            uploads.handle(request, response);
            return;
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            response.header("Allow", uploads == null || uploads.methods().isEmpty() ? "GET, HEAD, OPTIONS" : "GET, HEAD, OPTIONS, " + uploads.methods());
            if (method.equals("OPTIONS")) response.status(Status.NO_CONTENT).send(new byte[0]);
            else response.sendError(Status.METHOD_NOT_ALLOWED, "only GET and HEAD are served here");
            return;
        }
        String path = request.pathWithinMount();
        String key = RequestPaths.jailedPath(request, dotfiles);
        if (key == null) {
            LOG.log(Level.DEBUG, () -> "refused path " + LogText.escape(request.rawPath(), 300) + " from " + request.remoteAddress());
            notFound(response);
            return;
        }
        try (Resource r = cache.lookup(key)) {
            switch (r.kind) {
                case MISSING -> missing(request, response, key);
                case FORBIDDEN -> response.sendError(Status.FORBIDDEN, null);
                case DIRECTORY -> directory(request, response, key);
                case FILE -> {
                    if (path.endsWith("/")) notFound(response);
                    else content.serve(request, response, r, key);
                }
            }
        }
    }

    /** Nothing is at the path: the single-page app's page if it applies, else a 404. */
    private void missing(Request request, Response response, String key) throws IOException {
        if (spaFallback != null && spaApplies(key)) {
            try (Resource page = cache.lookup(spaFallback)) {
                if (page.kind == Resource.Kind.FILE) {
                    content.serve(request, response, page, spaFallback);
                    return;
                }
            }
        }
        notFound(response);
    }

    /**
     * @return whether a missing path is a route of the single-page app: no extension on its last segment
     *         (unless allowed), no hidden segment, and its nearest existing ancestor one that may be served
     *         (a walk that ends on a directory or file checks every directory on the way against the
     *         exclusions; the walk to a missing name stops before it can)
     */
    private boolean spaApplies(String key) {
        String last = key.substring(key.lastIndexOf('/') + 1);
        if (!spaForExtensions && last.indexOf('.') >= 0) return false;
        if (key.startsWith(".") || key.contains("/.")) return false;
        String k = key;
        for (int i = 0; i < MAX_SPA_ANCESTORS; i++) {
            int slash = k.lastIndexOf('/');
            if (slash < 0) return true; // the root, which a missing path's walk has already checked
            k = k.substring(0, slash);
            try (Resource up = cache.lookup(k)) {
                switch (up.kind) {
                    case DIRECTORY, FILE -> {
                        return true;
                    }
                    case FORBIDDEN -> {
                        return false;
                    }
                    case MISSING -> {
                    }
                }
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
        return false;
    }

    /** A 404: with the not-found page's content if there is one that may be served, else the built-in page. */
    private void notFound(Response response) throws IOException {
        if (notFoundPage != null) {
            try (Resource page = cache.lookup(notFoundPage)) {
                if (page.kind == Resource.Kind.FILE) {
                    response.status(Status.NOT_FOUND);
                    response.header("Content-Type", "text/html; charset=utf-8");
                    if (page.content != null) response.send(page.content);
                    else response.sendFile(page.channel, 0, page.size);
                    return;
                }
            }
        }
        response.sendError(Status.NOT_FOUND, null);
    }

    private void directory(Request request, Response response, String key) throws IOException {
        if (!request.path().endsWith("/")) {
            // Location is the canonical form of the path as sent (one leading slash, no dot segments):
            // "//evil.example/dir" must never become a redirect to another host (CVE-2021-28861)
            String canonical = RequestPaths.canonical(request.rawPath());
            String query = request.rawQuery();
            response.redirect(Status.MOVED_PERMANENTLY, canonical + (canonical.endsWith("/") ? "" : "/")
                    + (query == null ? "" : "?" + query));
            return;
        }
        for (String index : indexNames) {
            String indexKey = key.isEmpty() ? index : key + "/" + index;
            try (Resource file = cache.lookup(indexKey)) {
                if (file.kind == Resource.Kind.FILE) {
                    content.serve(request, response, file, indexKey);
                    return;
                }
            }
        }
        if (!listing) {
            response.sendError(Status.FORBIDDEN, "directory listing is disabled");
            return;
        }
        if (downloads != null && FolderDownloads.asked(request)) {
            downloads.serve(request, response, key);
            return;
        }
        DirectoryListing.Sort sort = DirectoryListing.Sort.NAME;
        String by = request.query().first("sort").orElse("name").toUpperCase(Locale.ROOT);
        for (DirectoryListing.Sort s : DirectoryListing.Sort.values()) {
            if (s.name().equals(by)) sort = s;
        }
        boolean descending = request.query().first("order").orElse("asc").equals("desc");
        DirectoryListing.Listing entries;
        try {
            entries = cache.list(key, dotfiles, sort, descending, DirectoryListing.MAX_ENTRIES);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "cannot list " + LogText.escape(key, 300) + ": " + e);
            response.sendError(Status.FORBIDDEN, null);
            return;
        }
        if (entries == null) {
            notFound(response); // gone, or no longer a directory
            return;
        }
        response.headers().add("Vary", "Accept"); // added, not set: a wrapper (Cors) may vary by more
        String accept = request.header("Accept");
        if (QualityValues.mediaType(accept, "application/json") > QualityValues.mediaType(accept, "text/html")) {
            content.sendGenerated(request, response, "application/json", DirectoryListing.json(entries, downloads != null));
        } else {
            content.sendGenerated(request, response, "text/html", DirectoryListing.html(request.path(),
                    !key.isEmpty() || !request.mountPath().isEmpty(), entries, sort, descending, downloads != null,
                    uploads == null ? "" : uploads.formHtml()));
        }
    }

    /** The options of a {@link FileHandler}. */
    public static final class Builder {
        private final Path root;
        private boolean listing = true;
        private boolean dotfiles;
        private boolean followSymlinks;
        private boolean compress = true;
        private String cacheControl;
        private MimeTypes mimeTypes = MimeTypes.defaults();
        private List<String> indexNames = List.of("index.html", "index.htm");
        private Duration revalidateAfter = Duration.ofMillis(1);
        private long maxCachedFileBytes = 256 * 1024;
        private long maxCacheBytes = 64L << 20;
        private long gzipMinBytes = 1024;
        private long gzipMaxBytes = 8L << 20;
        private final List<Path> excluded = new ArrayList<>();
        private FileSystemAccess fs = NativeFiles.best();
        private UploadHandler uploads;
        private String spaFallback;
        private boolean spaForExtensions;
        private String notFoundPage = "404.html";
        private boolean archives;
        private int archiveMaxEntries = 100_000;
        private long archiveMaxBytes = 64L << 30;

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        }

        /** @param on whether directories without an index are listed (else 403) @return this */
        public Builder listing(boolean on) {
            this.listing = on;
            return this;
        }

        /** @param on whether names starting with a dot are served and listed @return this */
        public Builder dotfiles(boolean on) {
            this.dotfiles = on;
            return this;
        }

        /** @param on whether symbolic links may lead outside the root @return this */
        public Builder followSymlinks(boolean on) {
            this.followSymlinks = on;
            return this;
        }

        /** @param on whether precompressed siblings and on-the-fly gzip are used @return this */
        public Builder compression(boolean on) {
            this.compress = on;
            return this;
        }

        /** @param value a {@code Cache-Control} value for files, or {@code null} for none @return this */
        public Builder cacheControl(String value) {
            this.cacheControl = value;
            return this;
        }

        /** @param types the content-type table @return this */
        public Builder mimeTypes(MimeTypes types) {
            this.mimeTypes = Objects.requireNonNull(types, "types");
            return this;
        }

        /** @param names the names tried, in order, for a directory's page @return this */
        public Builder indexNames(List<String> names) {
            this.indexNames = List.copyOf(names);
            return this;
        }

        /**
         * @param interval how long what was found on disk is trusted without looking at the disk at all:
         *                 1 ms by default (a change shows to requests a millisecond after it); zero checks
         *                 with one {@code stat} on every request. A longer interval saves calls on sites whose
         *                 files change only by deployment, and serves a changed or deleted file for up to
         *                 that long
         * @return this
         */
        public Builder revalidateAfter(Duration interval) {
            if (interval.isNegative()) throw new IllegalArgumentException("negative interval");
            this.revalidateAfter = interval;
            return this;
        }

        /**
         * @param max   largest file kept in memory (at most 1 GiB); larger files are opened by each request
         *              and sent with {@code sendfile}
         * @param total most bytes kept in memory, files and their gzip forms together; 0 keeps nothing
         * @return this
         */
        public Builder memoryCache(long max, long total) {
            if (max < 0 || total < 0) throw new IllegalArgumentException("negative size");
            this.maxCachedFileBytes = Math.min(max, 1L << 30);
            this.maxCacheBytes = total;
            return this;
        }

        /**
         * Never serves what lies under a directory, by whatever path or link it is reached: for
         * directories of scripts, whose source must not be sent.
         *
         * @param directory a directory (under the root or not); it need not exist yet
         * @return this
         */
        public Builder exclude(Path directory) {
            excluded.add(directory.toAbsolutePath().normalize());
            return this;
        }

        /** @param bytes smallest file gzipped on the fly (default 1 KiB) @return this */
        public Builder gzipMinBytes(long bytes) {
            this.gzipMinBytes = bytes;
            return this;
        }

        /**
         * Bounds the CPU one request can cost: a text file larger than this is sent as it is, by
         * {@code sendfile}, even to clients that accept gzip (a precompressed {@code .gz} or {@code .br}
         * sibling is still sent). Below it, a file's gzip form is made once and kept in memory while the
         * file is unchanged (within {@link #memoryCache}'s budget), or streamed at the fastest level.
         *
         * @param bytes largest file gzipped on the fly (default 8 MiB)
         * @return this
         */
        public Builder gzipMaxBytes(long bytes) {
            this.gzipMaxBytes = bytes;
            return this;
        }

        /**
         * Takes uploads: PUT, POST and DELETE are passed to the handler, {@code OPTIONS} lists them, and
         * directory listings carry its upload form (when its uploads are on). Its root should be this one.
         *
         * @param handler the upload handler, or {@code null} for none (the default: those methods get 405)
         * @return this
         */
        public Builder uploads(UploadHandler handler) {
            this.uploads = handler;
            return this;
        }

        /**
         * Serves a single-page app: a GET or HEAD of a path that matches no file gets this page (200, with
         * its validators and conditional requests as when it is asked for by name), so that the app's
         * client-side router sees the path. Not for paths whose last segment has an extension
         * ({@code /logo.png} is a missing file; see {@link #spaForExtensions}), hidden paths, or paths into an
         * excluded or refused directory, which still get 404; nor for other methods.
         *
         * @param file the page, relative to the root (as {@code index.html} or {@code app/index.html}), or
         *             {@code null} for no fallback (the default)
         * @return this
         * @throws IllegalArgumentException if it is not a plain relative path under the root
         */
        public Builder spaFallback(String file) {
            this.spaFallback = file == null ? null : relative(file);
            return this;
        }

        /**
         * @param on whether paths whose last segment has an extension ({@code /a/b.c}) get the
         *           {@linkplain #spaFallback fallback page} too (default: no, they get 404, so that a missing
         *           script or image is not answered with HTML)
         * @return this
         */
        public Builder spaForExtensions(boolean on) {
            this.spaForExtensions = on;
            return this;
        }

        /**
         * Names the file whose content is the body of this handler's 404s (with status 404 and type
         * {@code text/html}), looked up as any file is: if it is missing, refused (a link out of the root, a
         * FIFO) or unreadable, the built-in page is sent. On by default, with {@code 404.html}, as on static
         * hosts (GitHub Pages, Netlify) and in {@code http-server}: a site that ships a {@code 404.html}
         * means it to be used.
         *
         * @param file the page, relative to the root, or {@code null} for the built-in page always
         * @return this
         * @throws IllegalArgumentException if it is not a plain relative path under the root
         */
        public Builder notFoundPage(String file) {
            this.notFoundPage = file == null ? null : relative(file);
            return this;
        }

        /**
         * Lets a listed folder be downloaded whole: {@code GET /dir/?download=zip} or
         * {@code ?download=tar.gz}, linked from the listing page (and named in the JSON listing). Only where
         * a listing would be shown ({@link #listing} on, no index page); every entry obeys the same rules as
         * a request for it. Off by default: a library's user who serves assets does not expect their
         * folders to become downloadable archives.
         *
         * @param on whether folder archives are offered
         * @return this
         */
        public Builder archives(boolean on) {
            this.archives = on;
            return this;
        }

        /**
         * @param maxEntries most files and folders in one archive (default 100,000)
         * @param maxBytes   most bytes of files in one archive, before compression (default 64 GiB)
         * @return this; past either the download is aborted (the connection closed before the archive's
         *         end, so that no client mistakes a cut-short archive for the whole)
         */
        public Builder archiveLimits(int maxEntries, long maxBytes) {
            if (maxEntries < 1 || maxBytes < 0) throw new IllegalArgumentException("limits must be positive");
            this.archiveMaxEntries = maxEntries;
            this.archiveMaxBytes = maxBytes;
            return this;
        }

        /** @return a relative path's segments joined by {@code /}, checked as a request's would be */
        private static String relative(String file) {
            String f = file.startsWith("/") ? file.substring(1) : file;
            for (String segment : f.split("/", -1)) {
                if (segment.isEmpty() || segment.startsWith(".") || segment.indexOf('\\') >= 0 || segment.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("not a plain relative path under the root: " + file);
                }
            }
            return f;
        }

        /** For tests: how files are opened, whatever the runtime allows. */
        Builder fileAccess(FileSystemAccess access) {
            this.fs = Objects.requireNonNull(access, "access");
            return this;
        }

        /**
         * @return the handler
         * @throws UncheckedIOException if the root is not a readable directory
         */
        public FileHandler build() {
            if (!Files.isDirectory(root)) throw new UncheckedIOException(new java.nio.file.NotDirectoryException(root.toString()));
            return new FileHandler(this);
        }
    }
}
