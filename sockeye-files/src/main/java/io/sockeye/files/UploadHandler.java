package io.sockeye.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import io.sockeye.Form;
import io.sockeye.FormFile;
import io.sockeye.Handler;
import io.sockeye.HttpException;
import io.sockeye.LogText;
import io.sockeye.Request;
import io.sockeye.RequestPaths;
import io.sockeye.Response;
import io.sockeye.Status;

/**
 * Takes files into a served directory, as miniserve and Python's {@code uploadserver} do: {@code PUT /dir/name}
 * with the content as the body, a {@code multipart/form-data} POST to a directory (the form that
 * {@link FileHandler} listings carry when built with {@link FileHandler.Builder#uploads}), and, if
 * {@linkplain Builder#delete allowed}, {@code DELETE} of a file or an empty directory. Serving is left to
 * a {@link FileHandler}: give it this handler and it passes these methods on; alone, this handler answers
 * other methods with 405.
 *
 * <pre>{@code
 * UploadHandler uploads = UploadHandler.builder(root).overwrite(true).maxFileBytes(1L << 30).build();
 * Handler site = FileHandler.builder(root).uploads(uploads).build();
 * }</pre>
 *
 * <h2>What is written where</h2>
 * A file is written to a hidden temporary name ({@code .sockeye-upload-*}) in its target directory,
 * created exclusively and never through a link, and renamed into place once complete, so no one ever sees
 * half a file under its name; if anything fails (the client goes away or stalls past the server's I/O
 * timeout, a size cap, a full disk) the temporary file is deleted. An existing file is never replaced
 * unless {@link Builder#overwrite} (the rename then replaces it atomically; what was there is a new file,
 * so hard links to the old one keep the old content). Names are refused, not rewritten: a path separator,
 * {@code ..}, a leading dot, a control character, an empty name or one over 255 bytes is a 400 that says
 * why. The target directory must exist (unless {@link Builder#mkdir}), lie under the root, and be reached
 * without a symbolic link and outside the {@linkplain Builder#exclude excluded} directories (see
 * {@link UploadTree}).
 *
 * <h2>Answers</h2>
 * 201 with {@code Location} for a new file, 204 (PUT) or 200 (POST) when one was replaced, 409 when the
 * name is taken, 403 for a method that is off (with the {@linkplain Builder#hints hint} that turns it on),
 * 413 past {@link Builder#maxFileBytes} (and past the server's body limit, which core enforces), 507 when
 * the disk is full. A browser's form POST (one that prefers HTML) is answered 303 back to the listing.
 * Form POSTs from another origin (by {@code Origin} or {@code Sec-Fetch-Site}) are refused with 403, so
 * that a web page cannot make its visitors' browsers upload into a server on their network.
 *
 * <p>Thread-safe.
 */
public final class UploadHandler implements Handler {

    private static final System.Logger LOG = System.getLogger("io.sockeye.files");
    /** 507 Insufficient Storage (RFC 4918 §11.5): the disk is full. */
    static final int INSUFFICIENT_STORAGE = Status.INSUFFICIENT_STORAGE;
    private static final int COPY = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final boolean upload;
    private final boolean overwrite;
    private final boolean mkdir;
    private final boolean delete;
    private final boolean dotfiles;
    private final long maxFileBytes;
    private final String uploadHint;
    private final String overwriteHint;
    private final String mkdirHint;
    private final String deleteHint;
    private final UploadTree tree;
    /** Held for the check-and-rename that puts a file in place without replacing one. */
    private final Object renames = new Object();

    private UploadHandler(Builder b) {
        this.upload = b.upload;
        this.overwrite = b.overwrite;
        this.mkdir = b.mkdir;
        this.delete = b.delete;
        this.dotfiles = b.dotfiles;
        this.maxFileBytes = b.maxFileBytes;
        this.uploadHint = b.uploadHint;
        this.overwriteHint = b.overwriteHint;
        this.mkdirHint = b.mkdirHint;
        this.deleteHint = b.deleteHint;
        this.tree = new UploadTree(b.root, b.dotfiles, b.excluded);
    }

    /** @param root the served directory @return a builder: PUT and POST on, nothing replaced, no mkdir, no DELETE */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** @return whether PUT and POST are taken (else they get 403) */
    public boolean uploads() {
        return upload;
    }

    /** @return the methods that are on, for an {@code Allow} field: "PUT, POST", "DELETE", both, or "" */
    public String methods() {
        return upload && delete ? "PUT, POST, DELETE" : upload ? "PUT, POST" : delete ? "DELETE" : "";
    }

    /** @return whether this handler takes the method (PUT, POST or DELETE, on or off) */
    public boolean handles(String method) {
        return method.equals("PUT") || method.equals("POST") || method.equals("DELETE");
    }

    @Override
    public void handle(Request request, Response response) throws IOException {
        switch (request.method()) {
            case "PUT" -> {
                if (refused(response, upload, "uploads are off", uploadHint)) return;
                put(request, response);
            }
            case "POST" -> {
                if (refused(response, upload, "uploads are off", uploadHint)) return;
                post(request, response);
            }
            case "DELETE" -> {
                if (refused(response, delete, "deleting is off", deleteHint)) return;
                delete(request, response);
            }
            default -> {
                response.header("Allow", methods());
                response.sendError(Status.METHOD_NOT_ALLOWED, "only PUT, POST and DELETE are taken here");
            }
        }
    }

    private static boolean refused(Response response, boolean on, String what, String hint) throws IOException {
        if (on) return false;
        response.sendError(Status.FORBIDDEN, what + (hint.isEmpty() ? "" : " (" + hint + ")"));
        return true;
    }

    // ---- PUT ----------------------------------------------------------------------------------------------

    private void put(Request request, Response response) throws IOException {
        List<String> segments = segments(request);
        if (request.path().endsWith("/") || segments.isEmpty()) {
            throw new HttpException(Status.BAD_REQUEST, "PUT needs a file name: the path ends with a directory");
        }
        String name = segments.get(segments.size() - 1);
        checkName(name);
        long declared = request.contentLength();
        if (declared > maxFileBytes) throw tooLarge();
        try (UploadTree.Dir dir = open(segments.subList(0, segments.size() - 1), mkdir, mkdir ? "" : missingHint())) {
            checkFree(dir, name);
            boolean replaced = store(dir, name, request.body(), request.remoteAddress());
            String location = RequestPaths.canonical(request.rawPath());
            if (replaced) {
                response.status(Status.NO_CONTENT).send(new byte[0]);
            } else {
                response.status(Status.CREATED).header("Location", location).send("created " + dir.shown + name + "\n");
            }
        }
    }

    // ---- POST: the listing's form -------------------------------------------------------------------------

    private void post(Request request, Response response) throws IOException {
        String type = request.header("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new HttpException(Status.UNSUPPORTED_MEDIA_TYPE, "uploads are posted as multipart/form-data");
        }
        crossOrigin(request);
        List<String> segments = segments(request);
        try (UploadTree.Dir dir = open(segments, false, "")) {
            String dirPath = RequestPaths.canonical(request.rawPath());
            if (!dirPath.endsWith("/")) dirPath += "/";
            Form form = request.form(); // files past 64 KiB are spooled to temporary files by core, deleted after
            List<FormFile> files = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (FormFile f : form.files()) {
                if (f.fileName().isEmpty() && f.size() == 0) continue; // a file input left empty
                String name = UploadNames.fromForm(f.fileName());
                checkName(name);
                if (names.contains(name)) throw new HttpException(Status.BAD_REQUEST, "the same file name twice: " + name);
                if (f.size() > maxFileBytes) throw tooLarge();
                files.add(f);
                names.add(name);
            }
            String folder = form.first("folder").orElse("").strip();
            if (files.isEmpty() && folder.isEmpty()) throw new HttpException(Status.BAD_REQUEST, "the form holds no file");
            if (!folder.isEmpty()) {
                if (!mkdir) throw new HttpException(Status.FORBIDDEN, "making folders is off" + (mkdirHint.isEmpty() ? "" : " (" + mkdirHint + ")"));
                checkName(folder);
                if (dir.attributes(folder) != null) throw new HttpException(Status.CONFLICT, dir.shown + folder + " exists");
            }
            for (String name : names) checkFree(dir, name); // all before any is written: all or (but for races) none
            String location = null;
            boolean created = false;
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < files.size(); i++) {
                try (InputStream in = files.get(i).open()) {
                    boolean replaced = store(dir, names.get(i), in, request.remoteAddress());
                    created |= !replaced;
                    body.append(replaced ? "replaced " : "stored ").append(dir.shown).append(names.get(i)).append('\n');
                    if (location == null) location = dirPath + DirectoryListing.encode(names.get(i));
                }
            }
            if (!folder.isEmpty()) {
                try (UploadTree.Dir made = open(append(segments, folder), true, "")) {
                    created = true;
                    if (location == null) location = dirPath + DirectoryListing.encode(folder) + "/";
                }
            }
            String accept = request.header("Accept");
            if (QualityValues.mediaType(accept, "text/html") > QualityValues.mediaType(accept, "text/plain")) {
                response.redirect(Status.SEE_OTHER, dirPath); // a browser: back to the listing, which shows them
                return;
            }
            if (!folder.isEmpty()) body.append("made ").append(dir.shown).append(folder).append("/\n");
            if (created) response.status(Status.CREATED).header("Location", location);
            response.send(body.toString());
        }
    }

    /**
     * Refuses a form posted from a page of another origin: a browser sends such a POST without asking
     * (it is a "simple" request), so any web page its user visits could otherwise write here.
     */
    private static void crossOrigin(Request request) {
        String site = request.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            throw new HttpException(Status.FORBIDDEN, "cross-origin uploads are refused");
        }
        String origin = request.header("Origin");
        if (origin == null) return;
        String host = request.header("Host");
        String authority;
        try {
            authority = URI.create(origin).getRawAuthority();
        } catch (IllegalArgumentException e) {
            authority = null;
        }
        if (host == null || authority == null || !authority.equalsIgnoreCase(host)) {
            throw new HttpException(Status.FORBIDDEN, "cross-origin uploads are refused");
        }
    }

    private static List<String> append(List<String> segments, String name) {
        List<String> out = new ArrayList<>(segments);
        out.add(name);
        return out;
    }

    // ---- DELETE -------------------------------------------------------------------------------------------

    private void delete(Request request, Response response) throws IOException {
        List<String> segments = segments(request);
        if (segments.isEmpty()) throw new HttpException(Status.FORBIDDEN, "the served directory itself cannot be deleted");
        String name = segments.get(segments.size() - 1);
        checkName(name);
        try (UploadTree.Dir dir = open(segments.subList(0, segments.size() - 1), false, "")) {
            BasicFileAttributes a = dir.attributes(name);
            if (a == null) throw new HttpException(Status.NOT_FOUND, "no such file: " + dir.shown + name);
            if (a.isRegularFile()) {
                dir.deleteFile(name);
            } else if (a.isDirectory()) {
                if (tree.excluded(a.fileKey())) throw new HttpException(Status.FORBIDDEN, "this directory cannot be deleted");
                try {
                    dir.deleteDirectory(name);
                } catch (DirectoryNotEmptyException e) {
                    throw new HttpException(Status.CONFLICT, "directory not empty: " + dir.shown + name + "/");
                }
            } else {
                throw new HttpException(Status.FORBIDDEN, "only files and empty directories are deleted");
            }
            LOG.log(Level.INFO, () -> "deleted " + LogText.escape(dir.shown + name, 300) + " for " + request.remoteAddress());
            response.status(Status.NO_CONTENT).send(new byte[0]);
        }
    }

    // ---- common -------------------------------------------------------------------------------------------

    /**
     * Opens the target directory on a platform thread ({@link PlatformOpens}): the JDK opens each directory
     * of the way without {@code O_DIRECTORY}, so a FIFO swapped in under a name would block the open, and
     * must never hold a virtual thread's carrier. A walk given up for stuck (503) closes what it opens late.
     */
    private UploadTree.Dir open(List<String> segments, boolean create, String hint) throws IOException {
        AtomicReference<Object> handedOver = new AtomicReference<>();
        try {
            return PlatformOpens.call(() -> {
                UploadTree.Dir d = tree.open(segments, create, hint);
                if (!handedOver.compareAndSet(null, d)) {
                    d.close(); // the request has already been answered 503
                    throw new IOException("walk given up");
                }
                return d;
            });
        } catch (HttpException e) {
            if (e.status() == Status.SERVICE_UNAVAILABLE && handedOver.getAndSet(e) instanceof UploadTree.Dir late) late.close();
            throw e;
        }
    }

    /** @return the request's path as names under the root; 400 for one that could name something else */
    private static List<String> segments(Request request) {
        String raw = request.rawPath();
        String lower = raw.toLowerCase(Locale.ROOT);
        if (raw.indexOf('\\') >= 0 || lower.contains("%2f") || lower.contains("%5c")) {
            throw new HttpException(Status.BAD_REQUEST, "a file name may not hold a slash or a backslash");
        }
        List<String> segments = RequestPaths.jailedSegments(request, true);
        if (segments == null) throw new HttpException(Status.BAD_REQUEST, "the path leads outside the served directory");
        return segments;
    }

    private static void checkName(String name) {
        String problem = UploadNames.problem(name);
        if (problem != null) throw new HttpException(Status.BAD_REQUEST, problem);
    }

    private String missingHint() {
        return mkdirHint.isEmpty() ? "" : " (" + mkdirHint + ")";
    }

    /** 409 if the name is taken and may not be replaced, or is a directory. */
    private void checkFree(UploadTree.Dir dir, String name) throws IOException {
        BasicFileAttributes a = dir.attributes(name);
        if (a == null) return;
        if (a.isDirectory()) throw new HttpException(Status.CONFLICT, dir.shown + name + " is a directory");
        if (!overwrite) throw new HttpException(Status.CONFLICT, dir.shown + name + " exists" + overwriteHint());
    }

    private String overwriteHint() {
        return overwriteHint.isEmpty() ? "" : " (" + overwriteHint + ")";
    }

    private HttpException tooLarge() {
        return new HttpException(Status.CONTENT_TOO_LARGE, "file larger than the limit of " + maxFileBytes + " bytes");
    }

    /**
     * Writes a file under a temporary name and renames it into place.
     *
     * @return whether it replaced a file
     */
    private boolean store(UploadTree.Dir dir, String name, InputStream in, Object client) throws IOException {
        String temporary = UploadNames.TEMPORARY_PREFIX + HexFormat.of().formatHex(random());
        boolean placed = false;
        SeekableByteChannel out = dir.create(temporary);
        try {
            long total = copy(in, out, dir.shown + name);
            out.close();
            synchronized (renames) {
                BasicFileAttributes there = dir.attributes(name);
                if (there != null && there.isDirectory()) throw new HttpException(Status.CONFLICT, dir.shown + name + " is a directory");
                if (there != null && !overwrite) throw new HttpException(Status.CONFLICT, dir.shown + name + " exists" + overwriteHint());
                dir.rename(temporary, name);
                placed = true;
                LOG.log(Level.INFO, () -> (there == null ? "stored " : "replaced ") + LogText.escape(dir.shown + name, 300)
                        + " (" + total + " bytes) for " + client);
                return there != null;
            }
        } finally {
            if (!placed) {
                out.close();
                try {
                    dir.deleteFile(temporary);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, () -> "cannot delete the unfinished upload " + LogText.escape(dir.shown + temporary, 300) + ": " + e);
                }
            }
        }
    }

    private static byte[] random() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Copies the body, bounded; a failure to write (not to read) is the server's: 507 or 500. */
    private long copy(InputStream in, SeekableByteChannel out, String shown) throws IOException {
        byte[] buf = new byte[COPY];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            total += n;
            if (total > maxFileBytes) throw tooLarge();
            bb.clear().limit(n);
            try {
                while (bb.hasRemaining()) out.write(bb);
            } catch (IOException e) {
                throw writeFailed(shown, e);
            }
        }
        try {
            if (out instanceof FileChannel fc) fc.force(false); // on disk before its name is: no empty file after a crash
        } catch (IOException e) {
            throw writeFailed(shown, e);
        }
        return total;
    }

    private static HttpException writeFailed(String shown, IOException e) {
        String why = String.valueOf(e.getMessage());
        boolean full = why.contains("No space left") || why.contains("Disk quota exceeded") || why.contains("File too large");
        LOG.log(Level.WARNING, () -> "cannot write the upload " + LogText.escape(shown, 300) + ": " + e);
        return full ? new HttpException(INSUFFICIENT_STORAGE, "not enough disk space for the file", e)
                : new HttpException(Status.INTERNAL_SERVER_ERROR, "the file could not be written", e);
    }

    /**
     * The form a listing page carries when uploads are on: a file input for several files (and a
     * new-folder field with {@link Builder#mkdir}), posted to the page's own address; a few lines of script
     * add dropping files anywhere on the page. Without script the form works as it is.
     *
     * @return the HTML, or "" when uploads are off
     */
    public String formHtml() {
        if (!upload) return "";
        StringBuilder sb = new StringBuilder(1024)
                .append("<form class=\"upload\" method=\"post\" enctype=\"multipart/form-data\">\n")
                .append("<label>Upload files: <input type=\"file\" name=\"file\" multiple></label>\n");
        if (mkdir) sb.append("<label>New folder: <input type=\"text\" name=\"folder\" maxlength=\"255\"></label>\n");
        return sb.append("<button type=\"submit\">Upload</button> <small>or drop files on this page</small>\n</form>\n")
                .append("<script>(function(){var f=document.querySelector('form.upload'),i=f.querySelector('input[type=file]'),b=document.body;\n")
                .append("document.addEventListener('dragover',function(e){e.preventDefault();b.style.outline='3px dashed #39f';});\n")
                .append("document.addEventListener('dragleave',function(e){if(!e.relatedTarget)b.style.outline='';});\n")
                .append("document.addEventListener('drop',function(e){e.preventDefault();b.style.outline='';")
                .append("if(e.dataTransfer.files.length){i.files=e.dataTransfer.files;f.submit();}});})();</script>\n")
                .toString();
    }

    /** The options of an {@link UploadHandler}. */
    public static final class Builder {
        private final Path root;
        private boolean upload = true;
        private boolean overwrite;
        private boolean mkdir;
        private boolean delete;
        private boolean dotfiles;
        private long maxFileBytes = Long.MAX_VALUE;
        private String uploadHint = "";
        private String overwriteHint = "";
        private String mkdirHint = "";
        private String deleteHint = "";
        private final List<Path> excluded = new ArrayList<>();

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        }

        /** @param on whether PUT and POST store files (default on; off answers them 403) @return this */
        public Builder upload(boolean on) {
            this.upload = on;
            return this;
        }

        /** @param on whether an upload replaces an existing file, atomically (default off: 409) @return this */
        public Builder overwrite(boolean on) {
            this.overwrite = on;
            return this;
        }

        /**
         * @param on whether a PUT makes the missing directories of its path, and the form offers a new
         *           folder (default off: 404)
         * @return this
         */
        public Builder mkdir(boolean on) {
            this.mkdir = on;
            return this;
        }

        /** @param on whether DELETE removes a file or an empty directory (default off: 403) @return this */
        public Builder delete(boolean on) {
            this.delete = on;
            return this;
        }

        /** @param on whether directories whose names start with a dot may be written into (file names never) @return this */
        public Builder dotfiles(boolean on) {
            this.dotfiles = on;
            return this;
        }

        /** @param bytes largest file taken (default: only the server's body limit); larger gets 413 @return this */
        public Builder maxFileBytes(long bytes) {
            if (bytes < 0) throw new IllegalArgumentException("negative size");
            this.maxFileBytes = bytes;
            return this;
        }

        /**
         * Never writes into, or deletes, what lies under a directory (a directory of scripts), by whatever
         * path it is reached.
         *
         * @param directory a directory, under the root or not; it need not exist yet
         * @return this
         */
        public Builder exclude(Path directory) {
            excluded.add(directory.toAbsolutePath().normalize());
            return this;
        }

        /**
         * Words for the messages of refusals that an option would lift, e.g. {@code "start with --upload"};
         * "" for none (the default).
         *
         * @param upload    when PUT and POST are off
         * @param overwrite when a file exists
         * @param mkdir     when a directory is missing, or the form asks for a new folder
         * @param delete    when DELETE is off
         * @return this
         */
        public Builder hints(String upload, String overwrite, String mkdir, String delete) {
            this.uploadHint = Objects.requireNonNull(upload);
            this.overwriteHint = Objects.requireNonNull(overwrite);
            this.mkdirHint = Objects.requireNonNull(mkdir);
            this.deleteHint = Objects.requireNonNull(delete);
            return this;
        }

        /**
         * @return the handler
         * @throws UncheckedIOException if the root is not a directory
         */
        public UploadHandler build() {
            if (!Files.isDirectory(root)) throw new UncheckedIOException(new java.nio.file.NotDirectoryException(root.toString()));
            return new UploadHandler(this);
        }
    }
}
