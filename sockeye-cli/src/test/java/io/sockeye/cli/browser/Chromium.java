package io.sockeye.cli.browser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * A headless Chromium for tests, driven over the DevTools protocol: {@link #start} it, {@link #open} pages,
 * {@link #close} it. It runs with a fresh profile and home directory of its own, trusts only the
 * certificates it is told to, and leaves no process or file behind.
 */
public final class Chromium implements AutoCloseable {

    /** Where Debian's {@code chromium} package puts it (and {@code .ci/run} installs it). */
    public static final Path BINARY = Path.of("/usr/bin/chromium");

    private static final String LISTENING = "DevTools listening on ";
    private static final int LOG_LINES = 100;

    /**
     * How to start it.
     *
     * @param trusted certificates whose key Chromium accepts though no authority vouches for it
     * @param arguments more command-line switches
     * @param timeout the bound on each wait: the start, a command's reply, a page load, a condition
     */
    public record Options(List<X509Certificate> trusted, List<String> arguments, Duration timeout) {
        /** @return no certificate trusted beyond the system's, no more switches, 10 s waits */
        public static Options defaults() {
            return new Options(List.of(), List.of(), Duration.ofSeconds(10));
        }

        /** @return these options, also trusting {@code certificate} */
        public Options trusting(X509Certificate certificate) {
            List<X509Certificate> more = new ArrayList<>(trusted);
            more.add(certificate);
            return new Options(List.copyOf(more), arguments, timeout);
        }

        /** @return these options with more command-line switches */
        public Options withArguments(String... more) {
            return new Options(trusted, Stream.concat(arguments.stream(), Stream.of(more)).toList(), timeout);
        }

        /** @return these options with another bound on each wait */
        public Options withTimeout(Duration each) {
            return new Options(trusted, arguments, each);
        }
    }

    private final Process process;
    private final Path scratch;
    private final Duration timeout;
    private final Deque<String> log = new ArrayDeque<>();
    private final CompletableFuture<URI> endpoint = new CompletableFuture<>();
    private DevTools devTools;

    private Chromium(Process process, Path scratch, Duration timeout) {
        this.process = process;
        this.scratch = scratch;
        this.timeout = timeout;
    }

    /** @return whether {@link #BINARY} is there to start */
    public static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /**
     * Starts Chromium and connects to it.
     *
     * @throws IllegalStateException if it does not start, or its DevTools endpoint does not answer, in time
     */
    public static Chromium start(Options options) throws IOException {
        Path scratch = Files.createTempDirectory("sockeye-chromium-");
        List<String> command = new ArrayList<>(List.of(BINARY.toString(),
                "--headless",
                "--no-sandbox", // its sandbox will not run as root, as tests in containers do
                "--disable-gpu", // nothing to draw on
                "--no-first-run", // no welcome page or default-browser question
                // No connections of its own (updates, sync, field trials): the tests see only theirs, and
                // do not wait on refused ones where there is no network.
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", // the servers under test speak TCP only
                "--no-proxy-server", // whatever a CI machine's proxy settings, straight to 127.0.0.1
                "--password-store=basic", // no desktop keyring to ask for (or wait on)
                "--user-data-dir=" + scratch.resolve("profile"),
                "--remote-debugging-port=0")); // a free port, printed on stderr
        if (!options.trusted().isEmpty()) {
            // Certificate errors ignored for these keys only, not --ignore-certificate-errors for all:
            // anything else, another self-signed certificate included, still gets Chromium's error page.
            List<String> keys = options.trusted().stream().map(Chromium::spkiHash).toList();
            command.add("--ignore-certificate-errors-spki-list=" + String.join(",", keys));
        }
        command.addAll(options.arguments());
        command.add("about:blank");

        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        // Chromium keeps some things outside --user-data-dir: its certificate store (NSS, in ~/.pki or
        // ~/.local/share/pki), crash report settings (~/.config/chromium), and its single-instance socket
        // (a directory in $TMPDIR that a killed Chromium leaves behind). A home and a TMPDIR of its own keep
        // the user's trusted certificates out of the test, and the test's files out of the user's.
        Path home = scratch.resolve("home");
        Path tmp = scratch.resolve("tmp");
        Map<String, String> env = builder.environment();
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
        env.put("XDG_DATA_HOME", home.resolve(".local/share").toString());
        env.put("TMPDIR", tmp.toString());
        Files.createDirectories(home);
        Files.createDirectories(tmp);

        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            deleteTree(scratch);
            throw e;
        }
        Chromium chromium = new Chromium(process, scratch, options.timeout());
        try {
            Thread reader = new Thread(chromium::readStderr, "chromium-stderr-" + process.pid());
            reader.setDaemon(true);
            reader.start();
            URI ws = DevTools.await(chromium.endpoint, options.timeout(), "\"" + LISTENING + "ws://...\" from Chromium");
            chromium.devTools = DevTools.connect(ws, options.timeout());
            return chromium;
        } catch (RuntimeException e) {
            String log = chromium.log();
            chromium.close();
            throw new IllegalStateException(e.getMessage() + "\nChromium's stderr:\n" + log, e);
        }
    }

    /**
     * Opens {@code url} in a new tab and waits for it to load.
     *
     * @throws IllegalStateException as {@link Page#navigate} does
     */
    public Page open(String url) {
        Page page = Page.create(devTools, timeout);
        try {
            page.navigate(url);
            return page;
        } catch (RuntimeException e) {
            try {
                page.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** @return the last lines Chromium wrote on stderr, for a failure's message */
    public String log() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    /**
     * Kills Chromium and all its processes, and deletes its profile and home.
     *
     * @throws IllegalStateException if a process outlives the timeout
     */
    @Override
    public void close() {
        try {
            if (devTools != null) devTools.close();
        } finally {
            try {
                killTree();
            } finally {
                deleteTree(scratch);
            }
        }
    }

    private void killTree() {
        // Its children listed first, while they are still its children: once the browser is dead they are
        // re-parented and no longer found. Then the browser killed first, so that it starts no new one.
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + timeout.toNanos();
        DevTools.await(process.onExit(), timeout, "exit of Chromium (pid " + process.pid() + ")");
        // Not ours to wait for: the JDK would poll each every 300 ms and more, and count one killed but not
        // yet reaped by whoever inherited it (a zombie) as running.
        for (ProcessHandle child : children) {
            while (running(child)) {
                if (System.nanoTime() - deadline > 0) throw new IllegalStateException("Chromium's process " + child.pid() + " outlived a kill");
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for Chromium's processes to end", e);
                }
            }
        }
    }

    /** @return whether {@code p} still runs: alive, and not a zombie (Linux's /proc/PID/stat state Z) */
    private static boolean running(ProcessHandle p) {
        if (!p.isAlive()) return false;
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z'; // "PID (NAME) STATE ...", the name may hold ')'
        } catch (IOException | RuntimeException e) {
            return false; // gone meanwhile
        }
    }

    private void readStderr() {
        try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = err.readLine()) != null; ) {
                synchronized (log) {
                    if (log.size() == LOG_LINES) log.removeFirst();
                    log.addLast(line);
                }
                if (line.startsWith(LISTENING)) endpoint.complete(URI.create(line.substring(LISTENING.length()).strip()));
            }
        } catch (IOException e) {
            // the stream closed under us (Chromium killed): what we read is in the log
        }
        endpoint.completeExceptionally(new IllegalStateException("Chromium exited, or closed its stderr, without a DevTools address"));
    }

    /** @return what {@code --ignore-certificate-errors-spki-list} takes: base64 of SHA-256 of the SubjectPublicKeyInfo */
    static String spkiHash(X509Certificate certificate) {
        try {
            byte[] spki = certificate.getPublicKey().getEncoded(); // X.509 encoding: the SubjectPublicKeyInfo DER
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete Chromium's scratch directory " + dir, e);
        }
    }
}
