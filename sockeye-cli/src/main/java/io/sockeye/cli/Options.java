package io.sockeye.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.sockeye.AccessLogFormat;
import io.sockeye.BasicAuth;
import io.sockeye.Cors;
import io.sockeye.ServerConfig;
import io.sockeye.Version;
import io.sockeye.cgi.CgiHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The command line, as {@code python -m http.server} and {@code jwebserver} users would type it. */
@Command(name = "sockeye", versionProvider = Options.VersionInfo.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Sockeye, an HTTP/1.1 server: serves the files of a directory (the current one unless told"
                + " otherwise) on all interfaces, port 8000.",
        footer = {"", "Examples:", "  sockeye                    serve the current directory on port 8000",
            "  sockeye 8080               the same, on port 8080",
            "  sockeye -d site -b 127.0.0.1 0",
            "                             serve ./site on this machine only, on any free port",
            "  sockeye site 8080          serve ./site on port 8080",
            "",
            "Environment:",
            "  Every option can be set as SOCKEYE_<OPTION> too: SOCKEYE_PORT=8080,",
            "  SOCKEYE_NO_LISTING=1, SOCKEYE_CGI_TIMEOUT=5. Yes/no options take 1, true,",
            "  yes or 0, false, no; repeatable ones take values separated by commas (or",
            "  by newlines). PORT is read when SOCKEYE_PORT is not set. Options on the",
            "  command line win over variables."})
final class Options {

    // Strings, sorted out in validate(): a positional all of digits is the port, anything else the
    // directory, in either order (so that 'sockeye site' never says "'site' is not an int")
    @Parameters(arity = "0..2", paramLabel = "DIR|PORT", description = "The directory to serve and/or the port to"
            + " listen on (default 8000; 0 picks a free one), in either order: an argument of digits is the port.")
    List<String> positionals = new ArrayList<>();

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "Port to listen on, as the positional PORT.")
    Integer port;

    // --bind-address is jwebserver's spelling, --bind Python's
    @Option(names = {"-b", "--bind", "--bind-address"}, paramLabel = "ADDRESS",
            description = "Address to listen on (default: all interfaces). For this machine only: 127.0.0.1 or ::1.")
    String bind;

    @Option(names = {"-d", "--directory"}, paramLabel = "DIR", description = "Directory to serve (default: the current one).")
    Path directory;

    /** The port given as a positional argument, or {@code null}; set by {@link #validate()}. */
    Integer positionalPort;

    @Option(names = "--no-listing", description = "Do not list directories that have no index.html (answer 403).")
    boolean noListing;

    @Option(names = "--dotfiles", description = "Serve hidden files and directories (names starting with '.').")
    boolean dotfiles;

    @Option(names = "--follow-symlinks", description = "Follow symbolic links that lead outside the directory.")
    boolean followSymlinks;

    @Option(names = "--no-compress", description = "Do not compress responses (precompressed .gz/.br files included).")
    boolean noCompress;

    @Option(names = "--cache-control", paramLabel = "VALUE", description = "Cache-Control sent with files, e.g. 'max-age=3600'.")
    String cacheControl;

    @Option(names = "--cgi", description = "Run CGI scripts in cgi-bin/, htbin/ and ht-bin/ (and the --cgi-dir ones).")
    boolean cgi;

    @Option(names = "--cgi-dir", paramLabel = "DIR", description = "Another directory of CGI scripts, relative to the"
            + " served directory and served at /DIR/ (repeatable; implies --cgi).")
    List<String> cgiDirs = new ArrayList<>();

    @Option(names = "--cgi-timeout", paramLabel = "SECONDS", description = "Kill a CGI script after this long (default 30).")
    int cgiTimeout = 30;

    @Option(names = "--cgi-env", paramLabel = "NAME[=VALUE]", description = "Pass this variable of the server's"
            + " environment on to CGI scripts, or set it to VALUE (repeatable). PATH, LANG, LC_ALL, LC_CTYPE and TZ"
            + " are passed already, nothing else is; HTTP_* names never are.")
    List<String> cgiEnv = new ArrayList<>();

    @Option(names = "--max-connections", paramLabel = "N", description = "Connections open at once (default 10000; at the"
            + " cap the longest-idle ones are closed to admit new clients; lowered to what 'ulimit -n' allows).")
    int maxConnections = ServerConfig.defaults().maxConnections();

    @Option(names = "--max-connections-per-address", paramLabel = "N",
            description = "Connections one client address may hold at once (default: no cap).")
    int maxConnectionsPerAddress;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "Close a kept-alive connection after this long"
            + " without a request (default 60; shorter when the server is more than half full).")
    int idleTimeout = (int) ServerConfig.defaults().idleTimeout().toSeconds();

    @Option(names = "--request-timeout", paramLabel = "SECONDS",
            description = "Time a client has to send a request's head (default 10; 408 after it).")
    int requestTimeout = (int) ServerConfig.defaults().requestHeadTimeout().toSeconds();

    @Option(names = "--io-timeout", paramLabel = "SECONDS", description = "Drop a connection whose body upload or"
            + " response download makes no progress for this long (default 30).")
    int ioTimeout = (int) ServerConfig.defaults().ioTimeout().toSeconds();

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve HTTPS with this certificate chain (PEM, leaf first, e.g. fullchain.pem); needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The certificate's private key (PEM: PKCS#8, RSA or EC).")
    Path tlsKey;

    @Option(names = "--tls-password-file", paramLabel = "FILE", description = "A file whose first line is the key's password.")
    Path tlsPasswordFile;

    @Option(names = "--tls", description = "Serve HTTPS with a self-signed certificate for localhost, made on first use and"
            + " kept in the user's data folder (its fingerprint and how to trust it are printed).")
    boolean tls;

    @Option(names = "--redirect-http", paramLabel = "PORT",
            description = "With HTTPS: also listen for plain HTTP on this port, redirecting every request to HTTPS.")
    Integer redirectHttp;

    @Option(names = "--hsts", paramLabel = "SECONDS", description = "With HTTPS: send Strict-Transport-Security with"
            + " this max-age (browsers then refuse plain HTTP to this host for that long; beware on localhost).")
    Long hsts;

    // uploads (issue #12): --upload, --overwrite, --mkdir, --delete, --max-body
    @Option(names = "--upload", description = "Take files: PUT /DIR/NAME with the content as the body, and an upload"
            + " form (several files, or dropped ones) on directory listings. Existing files are kept (409).")
    boolean upload;

    @Option(names = "--overwrite", description = "With --upload: an upload replaces an existing file (atomically).")
    boolean overwrite;

    @Option(names = "--mkdir", description = "With --upload: a PUT makes the missing directories of its path, and the"
            + " form can make a new folder.")
    boolean mkdir;

    @Option(names = "--delete", description = "Take DELETE /PATH of a file or an empty directory.")
    boolean delete;

    @Option(names = "--max-body", paramLabel = "SIZE", description = "Largest request body, uploads and CGI POSTs"
            + " included: bytes, or with K, M or G (1024-based), e.g. 500M or 2G (default 10M; more gets 413).")
    String maxBody;

    long maxBodyBytes = ServerConfig.defaults().maxBodyBytes();

    // Basic authentication, extra response headers and CORS (issue #12)
    @Option(names = "--auth", paramLabel = "USER:PASSWORD", description = "Ask for this user name and password (Basic"
            + " authentication; repeatable). The password may be a bcrypt hash: --auth 'ann:$2y$10$...'.")
    List<String> auth = new ArrayList<>();

    @Option(names = "--auth-file", paramLabel = "FILE", description = "Ask for the users of this htpasswd file"
            + " (bcrypt hashes, as 'htpasswd -B' makes them; other hash kinds are refused).")
    Path authFile;

    @Option(names = "--auth-plaintext", description = "Allow plain-text passwords in the --auth-file.")
    boolean authPlaintext;

    @Option(names = "--auth-writes-only", description = "Let anyone read (GET, HEAD, OPTIONS); ask for the login only"
            + " for PUT, POST, DELETE and other writes.")
    boolean authWritesOnly;

    @Option(names = "--auth-realm", paramLabel = "NAME", description = "The name browsers show when asking for the login"
            + " (default 'Sockeye').")
    String authRealm = "Sockeye";

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "Add this header field to every"
            + " response (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = "--cors", arity = "0..1", fallbackValue = "*", paramLabel = "ORIGIN", description = "Let web pages"
            + " from ORIGIN (https://host:port; without one, any origin) read the responses (CORS, with preflights).")
    String cors;

    Map<String, PasswordFile.Stored> users = Map.of();
    List<ExtraHeaders.Field> headerFields = List.of();

    // single-page apps, 404.html and folder downloads (issue #12)
    @Option(names = "--spa", description = "Single-page app: a GET for a path that matches no file gets /index.html"
            + " (200), unless its last segment has an extension (/app.js stays 404). A 404.html at the root is"
            + " always the body of 404s.")
    boolean spa;

    @Option(names = "--no-archives", description = "Do not offer listed folders as .zip and .tar.gz downloads"
            + " (?download=zip, ?download=tar.gz; none with --no-listing either).")
    boolean noArchives;

    // cli-ergonomics: jwebserver's -o/--output, the access log's format, the browser and the QR code
    @Option(names = {"-o", "--output"}, paramLabel = "LEVEL", converter = OutputLevel.Converter.class,
            description = "What to log, as jwebserver says it: none (as -q), info (the default) or verbose (as -v).")
    OutputLevel output;

    @Option(names = "--log-format", paramLabel = "FORMAT", converter = LogFormatConverter.class,
            description = "The access log's format: combined (Apache's Combined Log Format, the default) or json"
                    + " (one JSON object per line).")
    AccessLogFormat logFormat = AccessLogFormat.COMBINED;

    @Option(names = "--open", description = "Open the site in the browser once the server listens.")
    boolean open;

    @Option(names = "--qr", description = "Print a QR code of the address other devices on the network can reach"
            + " (for a phone's camera).")
    boolean qr;

    @Option(names = {"-q", "--quiet"}, description = "Do not log each request.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Log debug detail (connections lost and the like).")
    boolean verbose;

    // Instead of mixinStandardHelpOptions, for jwebserver's -version (which picocli would otherwise read
    // as -v clustered with the unknown -ersion)
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = {"-V", "--version", "-version"}, versionHelp = true, description = "Print version information and exit.")
    boolean version;

    private InetAddress bindAddress;

    /**
     * @return whether the positional arguments give this option's value (a port, a directory), so that
     *         its environment variable does not apply
     */
    boolean givesByPosition(picocli.CommandLine.Model.OptionSpec option) {
        boolean digits = false;
        boolean other = false;
        for (String p : positionals) {
            if (!p.isEmpty() && p.chars().allMatch(c -> c >= '0' && c <= '9')) digits = true;
            else other = true;
        }
        List<String> names = List.of(option.names());
        return digits && names.contains("--port") || other && names.contains("--directory");
    }

    /** @return a message about what is wrong with the options, or {@code null} */
    String validate() {
        String positional = sortPositionals();
        if (positional != null) return positional;
        if (output != null) {
            if (output == OutputLevel.NONE) quiet = true;
            if (output == OutputLevel.VERBOSE) verbose = true;
        }
        if (cors != null && !cors.isEmpty() && cors.length() <= 5 && cors.chars().allMatch(Character::isDigit) && positionalPort == null) {
            // "--cors 8080": the option's value is optional, so picocli took the port for an origin, which
            // can never be all digits: it is the port, and any origin is allowed
            positionalPort = Integer.valueOf(cors);
            cors = "*";
        }
        if (port != null && positionalPort != null && !port.equals(positionalPort)) {
            return "two different ports given: " + port + " and " + positionalPort;
        }
        int p = port();
        if (p < 0 || p > 65535) return "port must be between 0 and 65535: " + p;
        if (directory == null) directory = Path.of("");
        directory = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(directory)) return "not a directory: " + directory;
        if (!Files.isReadable(directory)) return "cannot read the directory: " + directory;
        if (cgiTimeout < 1) return "--cgi-timeout must be at least 1 second";
        if (maxConnections < 1) return "--max-connections must be at least 1";
        if (maxConnectionsPerAddress < 0) return "--max-connections-per-address must not be negative";
        if (idleTimeout < 1) return "--idle-timeout must be at least 1 second";
        if (requestTimeout < 1) return "--request-timeout must be at least 1 second";
        if (ioTimeout < 1) return "--io-timeout must be at least 1 second";
        if ((tlsCert == null) != (tlsKey == null)) return "--tls-cert and --tls-key go together";
        if (tlsPasswordFile != null && tlsKey == null) return "--tls-password-file needs --tls-key";
        if (redirectHttp != null && !https()) return "--redirect-http needs HTTPS (--tls, or --tls-cert and --tls-key)";
        if (redirectHttp != null && (redirectHttp < 0 || redirectHttp > 65535)) return "--redirect-http must be a port: " + redirectHttp;
        if (hsts != null && !https()) return "--hsts needs HTTPS (--tls, or --tls-cert and --tls-key)";
        if (hsts != null && hsts < 0) return "--hsts must not be negative";
        if (overwrite && !upload) return "--overwrite needs --upload";
        if (mkdir && !upload) return "--mkdir needs --upload";
        if (maxBody != null) {
            maxBodyBytes = size(maxBody);
            if (maxBodyBytes < 0) return "--max-body must be a size such as 500K, 500M, 2G or a number of bytes: " + maxBody;
        }
        String accessProblem = validateAccess();
        if (accessProblem != null) return accessProblem;
        List<String> cleaned = new ArrayList<>();
        for (String d : cgiDirs) {
            String clean = d.replaceAll("^/+|/+$", "");
            if (clean.isEmpty() || clean.contains("..") || clean.contains("\\") || clean.startsWith(".")) {
                return "not a usable --cgi-dir: " + d;
            }
            cleaned.add(clean);
        }
        cgiDirs = cleaned; // without their slashes from here on, as the site mounts them
        if (!cgiEnv.isEmpty() && !cgi && cgiDirs.isEmpty()) return "--cgi-env is for CGI scripts: add --cgi";
        try {
            Site.cgiEnvironment(CgiHandler.builder(directory), cgiEnv); // the handler's own checks, said now
        } catch (IllegalArgumentException e) {
            return "--cgi-env: " + e.getMessage();
        }
        if (bind != null) {
            try {
                bindAddress = InetAddress.getByName(bind.startsWith("[") && bind.endsWith("]") ? bind.substring(1, bind.length() - 1) : bind);
            } catch (UnknownHostException e) {
                return "cannot resolve the bind address: " + bind;
            }
        }
        return null;
    }

    /** @return bytes, from a number with an optional K, M, G or T (1024-based; "KB", "KiB" too); -1 if it is none */
    static long size(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\\s*(\\d{1,19})\\s*(?:([KMGT])(?:I?B)?|B)?\\s*").matcher(text);
        if (!m.matches()) return -1;
        int shift = m.group(2) == null ? 0 : 10 * ("KMGT".indexOf(Character.toUpperCase(m.group(2).charAt(0))) + 1);
        try {
            long n = Long.parseLong(m.group(1));
            return n > (Long.MAX_VALUE >> shift) ? -1 : n << shift;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** @return what is wrong with the auth, header and CORS options, or {@code null}; reads the --auth-file */
    private String validateAccess() {
        try {
            Map<String, PasswordFile.Stored> table = PasswordFile.table();
            for (String a : auth) PasswordFile.addOption(a, table);
            if (authFile != null) PasswordFile.addFile(authFile, authPlaintext, table);
            users = table;
            headerFields = ExtraHeaders.parseAll(headers);
            if (cors != null) {
                checkedOrigin(cors);
                try {
                    Cors.builder(cors);
                } catch (IllegalArgumentException e) {
                    return "--cors: " + e.getMessage();
                }
            }
            try {
                BasicAuth.builder((u, p) -> false).realm(authRealm);
            } catch (IllegalArgumentException e) {
                return "--auth-realm: " + e.getMessage();
            }
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        } catch (java.io.IOException e) {
            return "cannot read --auth-file " + authFile + ": " + e.getMessage();
        }
        if (users.isEmpty() && (authPlaintext || authWritesOnly)) return "--auth-plaintext and --auth-writes-only need --auth or --auth-file";
        return null;
    }

    private static void checkedOrigin(String origin) {
        if (origin.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("--cors " + origin + ": an origin is https://host[:port]; to allow any origin"
                    + " and serve on another port, write --cors='*'");
        }
    }

    /** Sorts the positional arguments into the port (digits only) and the directory; @return a problem, or null */
    private String sortPositionals() {
        positionalPort = null;
        Path positionalDirectory = null;
        for (String p : positionals) {
            if (!p.isEmpty() && p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                if (positionalPort != null) return "two ports given: " + positionalPort + " and " + p;
                if (p.length() > 5) return "port must be between 0 and 65535: " + p;
                positionalPort = Integer.parseInt(p);
            } else {
                if (positionalDirectory != null) {
                    return "two directories given: " + positionalDirectory + " and " + p + " (a port is digits only)";
                }
                try {
                    positionalDirectory = Path.of(p);
                } catch (java.nio.file.InvalidPathException e) {
                    return "not a usable directory name: " + p;
                }
            }
        }
        if (positionalDirectory != null) {
            if (directory != null && !directory.toAbsolutePath().normalize().equals(positionalDirectory.toAbsolutePath().normalize())) {
                return "two different directories given: " + directory + " and " + positionalDirectory;
            }
            directory = positionalDirectory;
        }
        return null;
    }

    int port() {
        return port != null ? port : positionalPort != null ? positionalPort : 8000;
    }

    /** @return whether the server speaks HTTPS */
    boolean https() {
        return tls || tlsCert != null;
    }

    ServerConfig config(io.sockeye.TlsConfig tlsConfig) {
        return ServerConfig.builder()
                .tls(tlsConfig)
                .bindAddress(bindAddress)
                .port(port())
                .maxConnections(maxConnections)
                .maxConnectionsPerAddress(maxConnectionsPerAddress)
                .idleTimeout(Duration.ofSeconds(idleTimeout))
                .requestHeadTimeout(Duration.ofSeconds(requestTimeout))
                .ioTimeout(Duration.ofSeconds(ioTimeout))
                .maxBodyBytes(maxBodyBytes)
                .accessLog(!quiet)
                .accessLogFormat(logFormat)
                .build();
    }

    /** {@code --log-format}'s values, in lower case as typed. */
    static final class LogFormatConverter implements picocli.CommandLine.ITypeConverter<AccessLogFormat> {
        @Override
        public AccessLogFormat convert(String value) {
            return switch (value.toLowerCase(java.util.Locale.ROOT)) {
                case "combined", "clf" -> AccessLogFormat.COMBINED;
                case "json" -> AccessLogFormat.JSON;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "--log-format is combined or json, not '" + value + "'");
            };
        }
    }

    /** {@code --version}. */
    static final class VersionInfo implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sockeye " + Version.VERSION + " (Java " + Runtime.version() + ")"};
        }
    }
}
