package io.sockeye.cgi;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.Objects;

import io.sockeye.Handler;
import io.sockeye.HttpException;
import io.sockeye.LogText;
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
 * {@code CgiEnvironment}; of the server's own only {@code PATH}, the locale and the time zone are passed on
 * unless {@link Builder#passEnvironment more are named}, and {@code HTTP_PROXY} is never set), under
 * {@link Builder#limits resource limits} (CPU time, address space, open files, processes). The request
 * body is read whole before a script slot is taken (in memory up to a bound, else in a spool file), so the
 * script is told CONTENT_LENGTH even for a chunked body and a client slow to upload holds no slot; the
 * script's stdin is fed from there. Its stderr is logged line by line, bounded and escaped, tagged with the
 * script's name. Its output is read as fast as it writes it into a spool (memory, then a file), from which
 * the response is written at the client's pace: the script ends, is reaped and gives its slot back even
 * while a slow client is still reading, and a client that keeps up gets each piece as it is written. Its
 * header section is parsed ({@code Status}, {@code Location}, {@code Content-Type}, other fields passed
 * on; anything malformed is 502). Scripts named {@code nph-*} write their own status line. A script that
 * runs past its timeout is killed with everything it started (504 if it had not answered yet); a client
 * that goes away ends its script; a script that exits non-zero without output is 502. At most
 * {@link Builder#maxConcurrent(int) so many} scripts run at once; a request that cannot get a slot within
 * {@link Builder#queueTimeout(Duration) a short wait} gets 503.
 *
 * <h2>What it holds, and for how long</h2>
 * Every script is reaped, however its request ended (answered, redirected, failed, timed out, its client
 * gone, the server stopped), and its process group is killed when it ends: nothing it started in the group
 * outlives it. A process that left the group is killed too if {@link Builder#adoptOrphans(boolean)} is on.
 * Bodies and outputs wait in memory up to {@link Builder#bufferLimits(int, long) a bound per request and in
 * total}, then in spool files, capped {@link Builder#spoolLimits(long, int) in bytes and in number} (a body
 * past them is 503 with {@code Retry-After}, one larger than them 413; an output waits, and its script with
 * it); spool files go to {@link Builder#spoolDirectory(Path) a private directory} and are unlinked as soon as
 * they are open, so none is ever left behind. A client that reads nothing for the server's I/O timeout is
 * dropped, and its spooled output with it.
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
    /** How long a script that has written some output gets to finish before that output is flushed. */
    private static final long FINISHING_NANOS = 5_000_000;
    /** How long a handler waits, once a script's output is over, for the script to end before it returns. */
    private static final long FINISHING_MILLIS = 200;
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
    private final SpoolSpace space;
    private final ScriptLimits limits;
    private final boolean jdkSpawn;

    private CgiHandler(Builder b) {
        this.scripts = new ScriptDirectory(b.directory);
        this.documentRoot = b.documentRoot;
        this.timeout = b.timeout;
        this.slots = b.sharedWith != null ? b.sharedWith.slots : new ScriptSlots(b.maxConcurrent);
        this.queueTimeout = b.queueTimeout;
        // the server's variables first, then the set ones, which win (CgiEnvironment puts them last)
        Map<String, String> env = ServerVariables.inherited(b.passed, b.serverEnvironment);
        env.putAll(b.environment);
        this.environment = Map.copyOf(env);
        this.passAuthorization = b.passAuthorization;
        this.localRedirects = b.localRedirects;
        this.space = b.sharedWith != null ? b.sharedWith.space
                : new SpoolSpace(b.spoolDirectory, b.memoryPerRequest, b.maxMemory, b.maxSpoolBytes, b.maxSpoolFiles, b.maxOutputSpool);
        long cpu = b.cpuSeconds >= 0 ? b.cpuSeconds : Math.max(1, (b.timeout.toMillis() + 999) / 1000);
        this.limits = new ScriptLimits(cpu, b.addressSpace, b.openFiles, b.processes);
        this.jdkSpawn = b.jdkSpawn;
        if (b.adoptOrphans) Orphans.want(); // turned on before the first script: see Orphans.want
    }

    /**
     * @param directory where the scripts are; it need not exist yet (requests get 404 until it does)
     * @return a handler with the defaults (30 s timeout, {@code 16 × cores} scripts at once)
     */
    public static CgiHandler of(Path directory) {
        return builder(directory).build();
    }

    /**
     * Does now, on the calling thread, the one-time work the first script would otherwise wait for: linking
     * the native calls that start scripts, where they can be used (a tenth of a second or more: the JVM
     * generates their stubs at run time), and making the JVM the subreaper if a handler built so far
     * {@link Builder#adoptOrphans(boolean) adopts orphans}. Optional: a server that has started listening
     * may call it from a background thread so that its first script starts sooner. Scripts started
     * meanwhile wait for it rather than repeat it. Nothing else changes.
     */
    public static void warmUp() {
        NativeSpawner.available();
        Orphans.enableIfWanted();
    }

    /** @param directory where the scripts are @return a builder for the options */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    @Override
    public void handle(Request request, Response response) throws IOException, InterruptedException {
        ScriptLocation location = ScriptLocation.find(request, scripts.path(), scripts.realPath());
        String redirect;
        // The body is read whole first, and only then is a slot taken: a client slow to send its body
        // holds no slot and no script (nginx and lighttpd buffer it before engaging a backend too).
        try (RequestBody body = readBody(request, response)) {
            if (response.isCommitted()) return; // refused: 503
            if (!slots.acquire(queueTimeout)) {
                LOG.log(Level.WARNING, "503 for " + LogText.escape(location.scriptName()) + ": every script slot is busy");
                unavailable(response, "too many scripts running; try again shortly");
                return;
            }
            redirect = run(request, response, location, body);
        }
        // served after the slot is given back: a redirect to another script must not need a second one
        if (redirect != null) redirectLocally(request, response, redirect);
    }

    /** @return the body read whole, or {@code null} for none; the response is a 503 if there was no room */
    private RequestBody readBody(Request request, Response response) throws IOException {
        try {
            return RequestBody.read(request, space);
        } catch (HttpException e) {
            if (e.status() != Status.SERVICE_UNAVAILABLE) throw e;
            unavailable(response, e.getMessage());
            return null;
        }
    }

    private static void unavailable(Response response, String message) throws IOException {
        response.header("Retry-After", "1");
        response.sendError(Status.SERVICE_UNAVAILABLE, message);
    }

    /**
     * Runs the script, holding a slot the run gives back when it ends (output over, script reaped), which
     * may be before the client has the whole answer: the rest waits in the spool.
     *
     * @return the path of a local redirect the script asked for, or {@code null} if it answered itself
     */
    private String run(Request request, Response response, ScriptLocation location, RequestBody body)
            throws IOException, InterruptedException {
        String name = location.scriptName();
        Map<String, String> env = CgiEnvironment.build(request, name, location.pathInfo(), location.script(),
                documentRoot, body == null ? -1 : body.length(), passAuthorization, environment);
        OutputSpool spool = new OutputSpool(space);
        CgiProcess run;
        try {
            run = CgiProcess.start(location.script(), env, limits, jdkSpawn, timeout, name, body, spool, slots::release);
        } catch (IOException e) {
            slots.release();
            spool.close();
            LOG.log(Level.WARNING, name + ": cannot be run: " + e.getMessage());
            throw new HttpException(Status.BAD_GATEWAY, "the script could not be run", e);
        }
        boolean over = false;
        try {
            String redirect = respond(response, location, run);
            spool.close(); // read to its end; or, for a redirect, the rest is not wanted
            // Waits a moment for the script to be reaped (it is almost always exiting), for its exit status;
            // interruptible (a server shutdown then kills it, below). A script that closed its output and
            // runs on has answered: the connection goes on, and the run ends on its own (the script ending
            // or killed at its deadline), giving its slot back then.
            try {
                int exit = run.done().get(FINISHING_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (redirect == null && exit != 0) LOG.log(Level.WARNING, name + ": exited with status " + exit);
            } catch (java.util.concurrent.TimeoutException runsOn) {
                LOG.log(Level.DEBUG, () -> name + ": closed its output and runs on; its answer is complete");
            }
            over = true;
            return redirect;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause());
        } finally {
            spool.close();
            if (!over) run.abort(); // the client went away, the output was bad, or this thread was interrupted
        }
    }

    /** Turns the script's output into the response. @return a local redirect's path, or {@code null} */
    private String respond(Response response, ScriptLocation location, CgiProcess run) throws IOException, InterruptedException {
        String name = location.scriptName();
        OutputSpool spool = run.spool();
        CgiResponseHead head;
        try {
            CgiResponseParser parser = new CgiResponseParser(spool.input());
            boolean nph = location.script().getFileName().toString().startsWith("nph-");
            head = nph ? parser.parseNph() : parser.parse();
        } catch (CgiResponseParser.CgiException e) {
            if (run.timedOut()) throw new HttpException(Status.GATEWAY_TIMEOUT, "the script took too long");
            // output over: the script is almost always exiting, so its status is worth a short wait (a
            // loaded machine may take a moment to reap it), bounded for one that closed stdout and lives on
            spool.close();
            Integer exit = run.awaitEnd(2_000);
            String why = exit != null && exit > 0 ? "exited with status " + exit + " before answering" : e.getMessage();
            LOG.log(Level.WARNING, name + ": bad output: " + why);
            throw new HttpException(Status.BAD_GATEWAY, "the script failed");
        } catch (IOException e) {
            if (run.timedOut()) throw new HttpException(Status.GATEWAY_TIMEOUT, "the script took too long");
            throw e;
        }
        if (head.localRedirect()) return head.location();
        response.status(head.status());
        for (int i = 0; i < head.headers().size(); i++) {
            response.headers().add(head.headers().name(i), head.headers().value(i));
        }
        copyBody(run, response, name);
        return null;
    }

    private void copyBody(CgiProcess run, Response response, String name) throws IOException, InterruptedException {
        OutputSpool spool = run.spool();
        OutputStream out = response.body();
        try {
            while (spool.writeTo(out) >= 0) {
                // Stream what the script produced so far if it is still working on the rest. Before the head
                // is out, a script that is just finishing gets a moment, so a short answer still goes out whole
                // with a length; once it is out (chunked), there is nothing to wait for.
                if (!spool.ready() && (response.isCommitted() || !spool.awaitReady(FINISHING_NANOS))) out.flush();
            }
        } catch (IOException e) {
            if (run.timedOut()) {
                if (!response.isCommitted()) throw new HttpException(Status.GATEWAY_TIMEOUT, "the script took too long");
                throw new IOException(name + ": killed at its timeout while sending its output");
            }
            LOG.log(Level.DEBUG, () -> name + ": client gone; stopping the script");
            throw e;
        }
        out.close();
    }

    /** @return bytes in memory (past the free first chunks), bytes on disk, spool files open: for tests */
    long[] spoolUsage() {
        return space.usage();
    }

    private void redirectLocally(Request request, Response response, String location) throws IOException {
        if (localRedirects == null) {
            response.redirect(Status.FOUND, location);
            return;
        }
        int depth = REDIRECT_DEPTH.get();
        if (depth >= MAX_REDIRECTS) {
            LOG.log(Level.WARNING, "local redirects loop at " + LogText.escape(location));
            throw new HttpException(Status.BAD_GATEWAY, "too many local redirects");
        }
        RedirectedRequest redirected;
        try {
            redirected = new RedirectedRequest(request, location);
        } catch (HttpException undecodable) {
            // the script wrote the path, not the client: a bad gateway rather than a bad request
            LOG.log(Level.WARNING, LogText.escape(request.path()) + ": local redirect to an undecodable path: " + LogText.escape(undecodable.getMessage()));
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
        private final Set<String> passed = new LinkedHashSet<>(ServerVariables.DEFAULT_PASSED);
        private Map<String, String> serverEnvironment = System.getenv();
        private boolean passAuthorization;
        private Handler localRedirects;
        private Path spoolDirectory;
        private int memoryPerRequest = 64 * 1024;
        private long maxMemory = 64L << 20;
        private long maxSpoolBytes = 1L << 30;
        private int maxSpoolFiles = 1024;
        private long maxOutputSpool = 64L << 20;
        private long cpuSeconds = -1; // the timeout's, unless set
        private long addressSpace = 4L << 30;
        private long openFiles = 1024;
        private long processes = 4096;
        private boolean adoptOrphans;
        private boolean jdkSpawn;
        private CgiHandler sharedWith;

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

        /**
         * Sets a variable in every script's environment (over one of the same name passed from the server's).
         *
         * @param name  a variable: a shell-style name, neither {@code HTTP_*} (the request's header fields;
         *              {@code HTTP_PROXY} is httpoxy) nor a meta-variable the server sets per request
         * @param value its value
         * @return this
         * @throws IllegalArgumentException for a name so refused, or a value holding NUL
         */
        public Builder environment(String name, String value) {
            ServerVariables.checkName(Objects.requireNonNull(name));
            ServerVariables.checkValue(name, Objects.requireNonNull(value));
            environment.put(name, value);
            return this;
        }

        /**
         * Passes a variable of the server's environment on to scripts, when the server has it. By default
         * {@code PATH}, {@code LANG}, {@code LC_ALL}, {@code LC_CTYPE} and {@code TZ} are passed (a script
         * then finds the interpreters the user's shell finds, as with {@code python -m http.server --cgi});
         * without the server's {@code PATH}, scripts get {@code /usr/local/bin:/usr/bin:/bin}. Nothing else
         * of the server's is passed.
         *
         * @param name a variable, with the rules of {@link #environment(String, String)}
         * @return this
         * @throws IllegalArgumentException for a refused name
         */
        public Builder passEnvironment(String name) {
            ServerVariables.checkName(Objects.requireNonNull(name));
            passed.add(name);
            return this;
        }

        /** @return this, passing none of the server's variables (not even the default ones: PATH is then the fixed one) */
        public Builder passNoEnvironment() {
            passed.clear();
            return this;
        }

        /** For tests: the server environment variables are taken from (the process's by default). */
        Builder serverEnvironment(Map<String, String> server) {
            this.serverEnvironment = Map.copyOf(server);
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

        /**
         * @param dir where request bodies and scripts' output are spooled when they outgrow memory; made
         *            (private, {@code 0700}) if it does not exist. By default a directory
         *            {@code sockeye-cgi-*} made private under {@code java.io.tmpdir}, once per JVM. Spool
         *            files are unlinked as soon as they are open, so none is left behind whatever happens.
         * @return this
         */
        public Builder spoolDirectory(Path dir) {
            this.spoolDirectory = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
            return this;
        }

        /**
         * @param maxBytes bytes all spool files of this handler may hold together (1 GiB by default); a
         *                 request body that finds no room is answered 503 with {@code Retry-After} (413 if it
         *                 is larger than this on its own), a script's output waits for room (the script
         *                 blocks writing it)
         * @param maxFiles spool files open at once (256 by default), with the same effect past it
         * @return this
         */
        public Builder spoolLimits(long maxBytes, int maxFiles) {
            if (maxBytes < 0 || maxFiles < 0) throw new IllegalArgumentException("negative spool limit");
            this.maxSpoolBytes = maxBytes;
            this.maxSpoolFiles = maxFiles;
            return this;
        }

        /**
         * @param perRequest bytes of a request body, and of a script's output, held in memory before a spool
         *                   file is used (64 KiB by default; at least 16 KiB is used for output)
         * @param total      bytes all requests may hold in memory past the first 16 KiB each (64 MiB by default)
         * @return this
         */
        public Builder bufferLimits(int perRequest, long total) {
            if (perRequest < 0 || total < 0) throw new IllegalArgumentException("negative buffer limit");
            this.memoryPerRequest = perRequest;
            this.maxMemory = total;
            return this;
        }

        /**
         * @param maxBytes bytes of one script's output that may wait on disk for a slow client (64 MiB by
         *                 default); past it, the script waits for the client
         * @return this
         */
        public Builder outputSpoolLimit(long maxBytes) {
            if (maxBytes < 0) throw new IllegalArgumentException("negative spool limit");
            this.maxOutputSpool = maxBytes;
            return this;
        }

        /**
         * Resource limits for scripts ({@code setrlimit}, soft and hard): 0 leaves one as the server has it.
         *
         * @param cpu          CPU time (by default the {@link #timeout(Duration) timeout}, rounded up)
         * @param addressSpace bytes of virtual memory (4 GiB by default: room for python, perl, php-cgi and
         *                     node, which reserves about 1 GiB up front; a JVM or WebAssembly needs more)
         * @param openFiles    open files (1024 by default; the JVM raises its own to the hard limit)
         * @param processes    processes and threads of the server's user, all of them (4096 by default): a
         *                     net under fork bombs, not a count per script; root is not held to it
         * @return this
         */
        public Builder limits(Duration cpu, long addressSpace, long openFiles, long processes) {
            if (cpu.isNegative() || addressSpace < 0 || openFiles < 0 || processes < 0) throw new IllegalArgumentException("negative limit");
            this.cpuSeconds = (cpu.toMillis() + 999) / 1000;
            this.addressSpace = addressSpace;
            this.openFiles = openFiles;
            this.processes = processes;
            return this;
        }

        /**
         * @param on whether this JVM adopts the processes scripts leave behind and kills them (off by
         *           default). A script's process group is always killed when its run ends; a process that
         *           left the group ({@code setsid}) escapes that. With this on, the JVM becomes the
         *           "subreaper" of its descendants ({@code PR_SET_CHILD_SUBREAPER}), so such a process
         *           becomes its child when its parent dies, and every child of the JVM that is not a running
         *           script is then killed and reaped, except children in the JVM's own process group
         *           without a CGI environment (what {@link ProcessBuilder} starts). Process-wide once on: use
         *           it only where the application starts no child processes in groups of their own. Needs
         *           Java 22+ with native access on Linux; elsewhere it logs a warning and does nothing.
         * @return this
         */
        public Builder adoptOrphans(boolean on) {
            this.adoptOrphans = on;
            return this;
        }

        /** For tests: start scripts with the JDK's ProcessBuilder even where posix_spawn is available. */
        Builder jdkSpawn(boolean on) {
            this.jdkSpawn = on;
            return this;
        }

        /**
         * Shares another handler's script slots and spool space (memory, files, bytes) with it, so that a
         * site with several directories of scripts has one set of limits in all rather than one per
         * directory; this builder's own {@link #maxConcurrent}, {@link #bufferLimits}, {@link #spoolLimits},
         * {@link #outputSpoolLimit} and {@link #spoolDirectory} are then not used.
         *
         * @param other a handler built before, or {@code null} for limits of this handler's own
         * @return this
         */
        public Builder shareLimitsWith(CgiHandler other) {
            this.sharedWith = other;
            return this;
        }

        /** @return the handler (the directory is looked up per request, so it may be created later) */
        public CgiHandler build() {
            return new CgiHandler(this);
        }
    }
}
