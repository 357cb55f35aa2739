package io.sockeye.cgi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import io.sockeye.Handler;
import io.sockeye.HttpException;
import io.sockeye.Request;
import io.sockeye.Response;
import io.sockeye.Status;

/**
 * Runs CGI scripts (RFC 3875) from a directory: mount it where scripts live.
 *
 * <pre>{@code
 * Path site = Path.of("site");
 * Router router = Router.create();
 * router.mount("/cgi-bin/", CgiHandler.builder(site.resolve("cgi-bin"))
 *         .documentRoot(site)
 *         .localRedirects(router)       // "Location: /path" is served by the site itself
 *         .build());
 * router.mount("/", FileHandler.of(site));
 * }</pre>
 *
 * <h2>Which script</h2>
 * The directory is looked up per request: it may be created, replaced or removed while the server runs
 * (404 while it does not exist). The path below the mount point is walked segment by segment; the first regular file is the script, and
 * the rest of the path is PATH_INFO. The directory is a jail as a docroot is ({@code ..}, encoded
 * separators, hidden names and links out of it are refused). A directory, or a file that is not
 * executable, is 403: a script's source is never sent. Nothing outside the directory is ever run.
 *
 * <h2>How it runs</h2>
 * Directly (no shell), with no arguments, in its own directory and its own process group or session (so
 * that everything it starts can be killed with it), with a clean environment (see
 * {@code CgiEnvironment}; the server's own is never passed on, and {@code HTTP_PROXY} never set). The
 * request body goes to its stdin: a body of known length as it arrives; a chunked one is first stored in
 * a temporary file (up to the server's body limit, else 413) so the script is told CONTENT_LENGTH. Its
 * stderr is logged line by line, tagged with the script's name. Its output's header section is parsed
 * ({@code Status}, {@code Location}, {@code Content-Type}, other fields passed on; anything malformed is
 * 502); the body is streamed to the client as the script writes it. Scripts named {@code nph-*} write
 * their own status line. A script that runs past its timeout is killed with everything it started (504
 * if it had not answered yet); a client that goes away ends its script; a script that exits non-zero
 * without output is 502. At most {@link Builder#maxConcurrent(int) so many} scripts run at once; a
 * request that cannot get a slot within {@link Builder#queueTimeout(Duration) a short wait} gets 503.
 *
 * <p>On Linux with Java 22 or newer and native access enabled ({@code --enable-native-access}, which the
 * command-line server's jar declares), scripts are started with {@code posix_spawn} and their pipes
 * read without tying up carrier threads, each in a process group of its own (a session of its own if the
 * server has a controlling terminal); otherwise with the JDK's {@link ProcessBuilder} and {@code setsid}
 * (always a session), which costs two more program loads per request. Behaviour is otherwise the same.
 */
public final class CgiHandler implements Handler {

    private static final System.Logger LOG = System.getLogger("io.sockeye.cgi");
    private static final int MAX_REDIRECTS = 5;
    // A local redirect is served on the request's own thread, after the script that asked for it is done,
    // and may itself redirect: the depth of that nesting, per thread.
    private static final ThreadLocal<Integer> REDIRECT_DEPTH = ThreadLocal.withInitial(() -> 0);

    private final ScriptDirectory scripts;
    private final Path documentRoot;
    private final Duration timeout;
    private final ScriptSlots slots;
    private final Duration queueTimeout;
    private final Map<String, String> environment;
    private final boolean passAuthorization;
    private final Handler localRedirects;

    private CgiHandler(Builder b) {
        this.scripts = new ScriptDirectory(b.directory);
        this.documentRoot = b.documentRoot;
        this.timeout = b.timeout;
        this.slots = new ScriptSlots(b.maxConcurrent);
        this.queueTimeout = b.queueTimeout;
        this.environment = Map.copyOf(b.environment);
        this.passAuthorization = b.passAuthorization;
        this.localRedirects = b.localRedirects;
    }

    /**
     * @param directory where the scripts are; it need not exist yet (requests get 404 until it does)
     * @return a handler with the defaults (30 s timeout, {@code 16 × cores} scripts at once)
     */
    public static CgiHandler of(Path directory) {
        return builder(directory).build();
    }

    /** @param directory where the scripts are @return a builder for the options */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    @Override
    public void handle(Request request, Response response) throws IOException, InterruptedException {
        ScriptLocation location = ScriptLocation.find(request, scripts.path(), scripts.realPath());
        Path spool = null;
        String redirect;
        try {
            // A chunked body is spooled first, for CONTENT_LENGTH (RFC 3875 §4.1.2), and before a slot is
            // taken: a client slow to upload must not hold one with no script running.
            if (request.contentLength() < 0) {
                spool = Files.createTempFile("sockeye-cgi-", ".body");
                try (OutputStream out = Files.newOutputStream(spool)) {
                    request.body().transferTo(out);
                }
            }
            if (!slots.acquire(queueTimeout)) {
                LOG.log(Level.WARNING, "503 for " + location.scriptName() + ": every script slot is busy");
                response.header("Retry-After", "1");
                response.sendError(Status.SERVICE_UNAVAILABLE, "too many scripts running; try again shortly");
                return;
            }
            try {
                if (spool != null) {
                    try (InputStream body = Files.newInputStream(spool)) {
                        redirect = run(request, response, location, body, Files.size(spool));
                    }
                } else if (request.contentLength() > 0 || request.header("Content-Length") != null) {
                    redirect = run(request, response, location, request.body(), request.contentLength());
                } else {
                    redirect = run(request, response, location, null, -1);
                }
            } finally {
                slots.release();
            }
        } finally {
            if (spool != null) Files.deleteIfExists(spool);
        }
        // served after the slot is given back: a redirect to another script must not need a second one
        if (redirect != null) redirectLocally(request, response, redirect);
    }

    /**
     * Runs the script: this thread feeds its stdin from the request body while a second one turns its
     * stdout into the response, so neither side can stall the other through a full pipe; this thread
     * touches the response only after the second has finished with it.
     *
     * @return the path of a local redirect the script asked for, or {@code null} if it answered itself
     */
    private String run(Request request, Response response, ScriptLocation location, InputStream body, long length)
            throws IOException, InterruptedException {
        Map<String, String> env = CgiEnvironment.build(request, location.scriptName(), location.pathInfo(), location.script(),
                documentRoot, length, passAuthorization, environment);
        String name = location.scriptName();
        if (body != null && length > 0) {
            // Read the first byte here, before the script can answer: a client that sent
            // "Expect: 100-continue" gets its 100 now, not after a quick answer has gone out in its place
            // (the connection would then have to close, and the feeding wait for a body never sent).
            java.io.PushbackInputStream first = new java.io.PushbackInputStream(body, 1);
            int b = first.read();
            if (b >= 0) first.unread(b);
            body = first;
        }
        CgiProcess process;
        try {
            process = CgiProcess.start(location.script(), env, timeout, name);
        } catch (IOException e) {
            LOG.log(Level.WARNING, name + ": cannot be run: " + e.getMessage());
            throw new HttpException(Status.BAD_GATEWAY, "the script could not be run", e);
        }
        try (process) {
            if (body == null) {
                // nothing to feed: answer from this thread; stdin is closed so the script sees no body
                process.feed(null);
                try {
                    return respond(response, location, process);
                } finally {
                    process.outputFinished();
                }
            }
            Exception[] failure = new Exception[1];
            String[] redirect = new String[1];
            Thread output = Thread.ofVirtual().name("cgi-stdout").start(() -> {
                try {
                    redirect[0] = respond(response, location, process);
                } catch (Exception e) {
                    failure[0] = e;
                    process.kill();
                } finally {
                    process.outputFinished();
                }
            });
            try {
                process.feed(body);
            } catch (IOException e) {
                process.kill(); // the client is gone or its body broke: nobody to answer
                output.join();
                throw e;
            }
            output.join();
            if (failure[0] instanceof IOException e) throw e;
            if (failure[0] instanceof RuntimeException e) throw e;
            if (failure[0] instanceof InterruptedException e) throw e;
            if (failure[0] != null) throw new IOException(failure[0]);
            return redirect[0];
        }
    }

    /** Turns the script's output into the response. @return a local redirect's path, or {@code null} */
    private String respond(Response response, ScriptLocation location, CgiProcess process)
            throws IOException, InterruptedException {
        String name = location.scriptName();
        CgiResponseHead head;
        try {
            CgiResponseParser parser = new CgiResponseParser(process.stdout());
            boolean nph = location.script().getFileName().toString().startsWith("nph-");
            head = nph ? parser.parseNph() : parser.parse();
        } catch (CgiResponseParser.CgiException e) {
            if (process.timedOut()) throw new HttpException(Status.GATEWAY_TIMEOUT, "the script took too long");
            // output closed: the script is almost always exiting, so its status is worth a short wait (a
            // loaded machine may take a moment to reap it), bounded for one that closed stdout and lives on
            int exit = process.exitStatus(2_000);
            String why = exit > 0 ? "exited with status " + exit + " before answering" : e.getMessage();
            LOG.log(Level.WARNING, name + ": bad output: " + why);
            throw new HttpException(Status.BAD_GATEWAY, "the script failed");
        }
        if (head.localRedirect()) return head.location();
        response.status(head.status());
        for (int i = 0; i < head.headers().size(); i++) {
            response.headers().add(head.headers().name(i), head.headers().value(i));
        }
        copyBody(process, response, name);
        int exit = process.waitFor();
        if (exit != 0) LOG.log(Level.WARNING, name + ": exited with status " + exit);
        return null;
    }

    private void copyBody(CgiProcess process, Response response, String name) throws IOException {
        InputStream stdout = process.stdout();
        OutputStream out = response.body();
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = stdout.read(buffer)) > 0) {
            try {
                out.write(buffer, 0, n);
                // Stream what the script produced so far if it is still working on the rest. Before the head
                // is out, a script that is just finishing gets a moment, so a short answer still goes out whole
                // with a length; once it is out (chunked), there is nothing to wait for.
                if (stdout.available() == 0 && (response.isCommitted() || !process.endsWithin(5))) out.flush();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> name + ": client gone; stopping the script");
                process.kill();
                throw e;
            }
        }
        if (process.timedOut()) {
            if (!response.isCommitted()) throw new HttpException(Status.GATEWAY_TIMEOUT, "the script took too long");
            throw new IOException(name + ": killed at its timeout while sending its output");
        }
        out.close();
    }

    private void redirectLocally(Request request, Response response, String location) throws IOException {
        if (localRedirects == null) {
            response.redirect(Status.FOUND, location);
            return;
        }
        int depth = REDIRECT_DEPTH.get();
        if (depth >= MAX_REDIRECTS) {
            LOG.log(Level.WARNING, "local redirects loop at " + location);
            throw new HttpException(Status.BAD_GATEWAY, "too many local redirects");
        }
        RedirectedRequest redirected;
        try {
            redirected = new RedirectedRequest(request, location);
        } catch (HttpException undecodable) {
            // the script wrote the path, not the client: a bad gateway rather than a bad request
            LOG.log(Level.WARNING, request.path() + ": local redirect to an undecodable path: " + undecodable.getMessage());
            throw new HttpException(Status.BAD_GATEWAY, "the script redirected to an invalid path");
        }
        REDIRECT_DEPTH.set(depth + 1);
        try {
            localRedirects.handle(redirected, response);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("local redirect to " + location + " failed", e);
        } finally {
            REDIRECT_DEPTH.set(depth);
        }
    }

    /** The options of a {@link CgiHandler}. */
    public static final class Builder {
        private final Path directory;
        private Path documentRoot;
        private Duration timeout = Duration.ofSeconds(30);
        private int maxConcurrent = 16 * Runtime.getRuntime().availableProcessors();
        private Duration queueTimeout = Duration.ofSeconds(5);
        private final Map<String, String> environment = new LinkedHashMap<>();
        private boolean passAuthorization;
        private Handler localRedirects;

        private Builder(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
        }

        /** @param root the site's document root, for DOCUMENT_ROOT and PATH_TRANSLATED @return this */
        public Builder documentRoot(Path root) {
            this.documentRoot = root == null ? null : root.toAbsolutePath().normalize();
            return this;
        }

        /** @param limit how long a script may run before it is killed @return this */
        public Builder timeout(Duration limit) {
            if (limit.isNegative() || limit.isZero()) throw new IllegalArgumentException("timeout must be positive");
            this.timeout = limit;
            return this;
        }

        /** @param max scripts running at once @return this */
        public Builder maxConcurrent(int max) {
            if (max < 1) throw new IllegalArgumentException("maxConcurrent must be at least 1");
            this.maxConcurrent = max;
            return this;
        }

        /** @param wait how long a request waits for a script slot before it gets 503 @return this */
        public Builder queueTimeout(Duration wait) {
            if (wait.isNegative()) throw new IllegalArgumentException("negative wait");
            this.queueTimeout = wait;
            return this;
        }

        /** @param name a variable @param value its value @return this, with the variable added to every script's environment */
        public Builder environment(String name, String value) {
            environment.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
            return this;
        }

        /** @param on whether scripts see the Authorization field as HTTP_AUTHORIZATION @return this */
        public Builder passAuthorization(boolean on) {
            this.passAuthorization = on;
            return this;
        }

        /**
         * @param site what serves a script's local redirect ({@code Location: /path}); without one, such a
         *             redirect is sent to the client as a 302
         * @return this
         */
        public Builder localRedirects(Handler site) {
            this.localRedirects = site;
            return this;
        }

        /** @return the handler (the directory is looked up per request, so it may be created later) */
        public CgiHandler build() {
            return new CgiHandler(this);
        }
    }
}
