package io.sockeye.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The certificate that {@code sockeye --tls} serves when given none: self-signed for {@code localhost},
 * {@code 127.0.0.1}, {@code ::1} and the machine's host name, made on first use and kept in the user's
 * data folder ({@link #defaultFolder()}) so that a client told to trust it once goes on trusting it.
 */
final class DevelopmentCertificate {

    /** A kept certificate with less than this left is replaced, so that it does not expire mid-session. */
    static final Duration MINIMUM_REMAINING = Duration.ofDays(7);
    static final String CERT_FILE = "cert.pem";
    static final String KEY_FILE = "key.pem";
    /** Held (FileChannel.lock) while the pair is checked and replaced; never read. */
    static final String LOCK_FILE = ".lock";
    /** How long start-up waits for the JDK's host name, which may resolve it through a slow DNS. */
    private static final Duration HOST_NAME_TIMEOUT = Duration.ofSeconds(1);

    /** File locks belong to the process: threads of one JVM take turns on this first. */
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private DevelopmentCertificate() {
    }

    /**
     * What {@link #loadOrCreate} found or made.
     *
     * @param certFile the certificate, PEM
     * @param keyFile the private key, PKCS#8 PEM, mode 0600
     * @param certificate the key and certificate, for the server's TLS context
     * @param created whether they were made now (none were kept, or the kept ones were expiring, damaged or
     *        not for the names now wanted), so that clients have to be told to trust the new one
     */
    record Result(Path certFile, Path keyFile, SelfSignedCertificate certificate, boolean created) {

        /** @return the certificate's SHA-256 fingerprint, colon-separated upper-case hex */
        String fingerprint() {
            return certificate.sha256Fingerprint();
        }

        /**
         * @param port the port the server listens on, for the example address
         * @return a paragraph for the user: that the certificate is self-signed, and the commands that make
         *         this system's usual clients trust it
         */
        String howToTrust(int port) {
            return howToTrust(port, System.getProperty("os.name", ""));
        }

        String howToTrust(int port, String osName) {
            String os = osName.toLowerCase(Locale.ROOT);
            boolean windows = os.startsWith("windows");
            String cert = windows ? '"' + certFile.toString() + '"' : shellQuote(certFile.toString());
            String url = "https://localhost:" + port + "/";
            StringBuilder s = new StringBuilder()
                    .append("This certificate is self-signed: browsers and other clients refuse it until told to trust it")
                    .append(" (check the SHA-256 fingerprint they show against ").append(fingerprint()).append("). For example:\n")
                    .append("  curl:     curl --cacert ").append(cert).append(' ').append(url).append('\n');
            if (windows) {
                s.append("  Windows (Edge, Chrome): certutil -user -addstore Root ").append(cert).append('\n');
            } else if (os.startsWith("mac")) {
                s.append("  macOS (Safari, Chrome): security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db ")
                        .append(cert).append('\n');
            } else {
                s.append("  Chrome, Chromium (package libnss3-tools): certutil -d sql:$HOME/.pki/nssdb -A -t \"P,,\" -n sockeye-dev -i ")
                        .append(cert).append('\n')
                        .append("  the system's store (Debian, Ubuntu): sudo cp ").append(cert)
                        .append(" /usr/local/share/ca-certificates/sockeye-dev.crt && sudo update-ca-certificates\n");
            }
            return s.append("  Firefox:  open ").append(url).append(" and choose Advanced, Accept the Risk and Continue; it keeps")
                    .append(" the exception (its Authorities list takes only CA certificates, which this one is not).\n")
                    .append("A new certificate, made when this one nears its end or the host name changes, must be trusted again.")
                    .toString();
        }
    }

    /** The names a development certificate is for: localhost, the host name if known, the loopback addresses. */
    record Names(List<String> dnsNames, List<InetAddress> addresses) {
    }

    /** Like {@link #loadOrCreate(Path)} in {@link #defaultFolder()}. */
    static Result loadOrCreate() throws IOException {
        return loadOrCreate(defaultFolder());
    }

    /**
     * Returns the certificate kept in this folder if it is still good: both files read, the key is the
     * certificate's, it is valid now and for {@link #MINIMUM_REMAINING} more, and it names all of
     * {@link #wantedNames()}. Otherwise makes a new one ({@link SelfSignedCertificate#DEFAULT_VALIDITY}) and
     * writes it there, replacing what was there. The folder is made if missing and kept 0700.
     *
     * <p>Processes that run this at once take turns under a lock file in the folder, so the second finds
     * and reuses the pair that the first wrote rather than making its own. The files are also each
     * replaced at once, the key before the certificate, and a pair whose key is not the certificate's is
     * treated as damaged: even without the lock (a file system that refuses it) no mismatched pair is used.
     *
     * @throws IOException if the folder or the files cannot be written
     */
    static Result loadOrCreate(Path folder) throws IOException {
        Names names = wantedNames();
        makeFolder(folder);
        Path certFile = folder.resolve(CERT_FILE);
        Path keyFile = folder.resolve(KEY_FILE);
        IN_PROCESS.lock();
        try (FileChannel lockFile = FileChannel.open(folder.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockOrNull(lockFile)) {
            SelfSignedCertificate kept = readIfGood(certFile, keyFile, names);
            if (kept != null) return new Result(certFile, keyFile, kept, false);
            SelfSignedCertificate made = SelfSignedCertificate.generate(names.dnsNames(), names.addresses(),
                    SelfSignedCertificate.DEFAULT_VALIDITY);
            made.writePem(certFile, keyFile);
            return new Result(certFile, keyFile, made, true);
        } finally {
            IN_PROCESS.unlock();
        }
    }

    /**
     * The folder for the certificate, by the platform's convention for per-user application data:
     * {@code %LOCALAPPDATA%\Sockeye\tls} on Windows (local, not roaming: a key stays on its machine),
     * {@code ~/Library/Application Support/Sockeye/tls} on macOS, elsewhere
     * {@code $XDG_DATA_HOME/sockeye/tls} or {@code ~/.local/share/sockeye/tls} (XDG Base Directory).
     */
    static Path defaultFolder() {
        return defaultFolder(System.getProperty("os.name", ""), System.getenv(), System.getProperty("user.home"));
    }

    static Path defaultFolder(String osName, Map<String, String> env, String home) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            String local = env.get("LOCALAPPDATA");
            Path base = local != null && !local.isBlank() ? Path.of(local) : Path.of(home, "AppData", "Local");
            return base.resolve("Sockeye").resolve("tls");
        }
        if (os.startsWith("mac")) return Path.of(home, "Library", "Application Support", "Sockeye", "tls");
        String xdg = env.get("XDG_DATA_HOME");
        // the specification: a relative path there is invalid and is to be ignored
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg) : Path.of(home, ".local", "share");
        return base.resolve("sockeye").resolve("tls");
    }

    /** @return localhost and the host name (if known and not localhost), then 127.0.0.1 and ::1 */
    static Names wantedNames() {
        List<String> dns = new ArrayList<>(List.of("localhost"));
        String host = HostName.VALUE;
        if (host != null) dns.add(host);
        try {
            // literals: no lookup
            return new Names(List.copyOf(dns), List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The machine's host name, looked for once per process. */
    private static final class HostName {
        static final String VALUE = find();

        /**
         * First where it costs nothing: /etc/hostname (Linux), HOSTNAME (Docker and some shells export it),
         * COMPUTERNAME (Windows). Then the JDK's, on a thread given {@link #HOST_NAME_TIMEOUT}: getLocalHost
         * resolves the name as well, through DNS when it is not in /etc/hosts, which can take many seconds
         * (macOS's .local names are known for it), and a server should not wait for that to start. A
         * platform thread rather than a virtual one: the lookup is a native call that would hold one of the
         * few carrier threads the server's connections run on until it returns.
         */
        private static String find() {
            String name = usable(readHostnameFile());
            if (name == null) name = usable(System.getenv("HOSTNAME"));
            if (name == null) name = usable(System.getenv("COMPUTERNAME"));
            if (name != null) return name;
            CompletableFuture<String> lookup = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    lookup.complete(InetAddress.getLocalHost().getHostName());
                } catch (Throwable e) {
                    lookup.completeExceptionally(e);
                }
            }, "sockeye-host-name");
            t.setDaemon(true);
            t.start();
            try {
                return usable(lookup.get(HOST_NAME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (Exception e) {
                return null; // too slow, or no name: the certificate is for localhost alone
            }
        }

        private static String readHostnameFile() {
            try {
                return Files.readString(Path.of("/etc/hostname"), StandardCharsets.UTF_8).lines().findFirst().orElse(null);
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        /** A name a certificate can carry, lower-case without a final dot; not localhost, not an address. */
        private static String usable(String name) {
            if (name == null) return null;
            String n = name.strip().toLowerCase(Locale.ROOT);
            if (n.endsWith(".")) n = n.substring(0, n.length() - 1);
            if (n.equals("localhost") || n.equals("localhost.localdomain")) return null;
            return SelfSignedCertificate.isDnsName(n) ? n : null;
        }
    }

    /** The kept pair if it can serve on: readable, matching, valid long enough, for all the names. */
    private static SelfSignedCertificate readIfGood(Path certFile, Path keyFile, Names names) {
        if (!Files.isRegularFile(certFile) || !Files.isRegularFile(keyFile)) return null;
        SelfSignedCertificate kept;
        try {
            kept = SelfSignedCertificate.readPem(certFile, keyFile);
        } catch (IOException e) {
            return null; // damaged or not ours: replaced
        }
        X509Certificate cert = kept.certificate();
        Instant now = Instant.now();
        try {
            cert.checkValidity(Date.from(now));
            cert.checkValidity(Date.from(now.plus(MINIMUM_REMAINING)));
        } catch (CertificateException e) {
            return null;
        }
        return covers(cert, names) ? kept : null;
    }

    /** Whether the certificate's subjectAltName has every name: DNS names ignoring case, addresses by value. */
    static boolean covers(X509Certificate cert, Names names) {
        List<String> dns = new ArrayList<>();
        List<InetAddress> ips = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans == null) return false;
            for (List<?> san : sans) {
                Object type = san.get(0);
                Object value = san.get(1);
                if (Integer.valueOf(2).equals(type) && value instanceof String s) {
                    dns.add(s.toLowerCase(Locale.ROOT));
                } else if (Integer.valueOf(7).equals(type) && value instanceof String s && IP_LITERAL.matcher(s).matches()) {
                    ips.add(InetAddress.getByName(s)); // a literal, checked above: parsed, never looked up
                }
            }
        } catch (CertificateException | UnknownHostException e) {
            return false;
        }
        for (String n : names.dnsNames()) {
            if (!dns.contains(n.toLowerCase(Locale.ROOT))) return false;
        }
        return ips.containsAll(names.addresses());
    }

    private static void makeFolder(Path folder) throws IOException {
        if (!folder.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectories(folder);
            return;
        }
        Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
        if (!Files.isDirectory(folder)) {
            Path parent = folder.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            try {
                Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(owner));
            } catch (FileAlreadyExistsException e) {
                // another process made it meanwhile
            }
        }
        // a folder made by hand, or by an older version: it holds a private key, so the owner's alone
        if (!Files.getPosixFilePermissions(folder).equals(owner)) Files.setPosixFilePermissions(folder, owner);
    }

    /**
     * The lock, or null where the file system has none (some network file systems): the ordered, atomic
     * writes and the key check on reading still keep a mismatched pair from being used.
     */
    private static FileLock lockOrNull(FileChannel channel) {
        try {
            return channel.lock();
        } catch (IOException e) {
            return null;
        }
    }

    /** A word for a POSIX shell: in single quotes, each single quote written as '\'' . */
    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
