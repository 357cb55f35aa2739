package io.sockeye.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.sockeye.AccessLogFormat;
import io.sockeye.ServerConfig;
import io.sockeye.Version;
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
        List<String> cleaned = new ArrayList<>();
        for (String d : cgiDirs) {
            String clean = d.replaceAll("^/+|/+$", "");
            if (clean.isEmpty() || clean.contains("..") || clean.contains("\\") || clean.startsWith(".")) {
                return "not a usable --cgi-dir: " + d;
            }
            cleaned.add(clean);
        }
        cgiDirs = cleaned; // without their slashes from here on, as the site mounts them
        if (bind != null) {
            try {
                bindAddress = InetAddress.getByName(bind.startsWith("[") && bind.endsWith("]") ? bind.substring(1, bind.length() - 1) : bind);
            } catch (UnknownHostException e) {
                return "cannot resolve the bind address: " + bind;
            }
        }
        return null;
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
