package io.sockeye.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.sockeye.ServerConfig;
import io.sockeye.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The command line, as {@code python -m http.server} and {@code jwebserver} users would type it. */
@Command(name = "sockeye", mixinStandardHelpOptions = true, versionProvider = Options.VersionInfo.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Sockeye, an HTTP/1.1 server: serves the files of a directory (the current one unless told"
                + " otherwise) on all interfaces, port 8000.",
        footer = {"", "Examples:", "  sockeye                    serve the current directory on port 8000",
            "  sockeye 8080               the same, on port 8080",
            "  sockeye -d site -b 127.0.0.1 0",
            "                             serve ./site on this machine only, on any free port"})
final class Options {

    @Parameters(index = "0", arity = "0..1", paramLabel = "PORT", description = "Port to listen on (default 8000; 0 picks a free one).")
    Integer positionalPort;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "Port to listen on, as the positional PORT.")
    Integer port;

    @Option(names = {"-b", "--bind"}, paramLabel = "ADDRESS",
            description = "Address to listen on (default: all interfaces). For this machine only: 127.0.0.1 or ::1.")
    String bind;

    @Option(names = {"-d", "--directory"}, paramLabel = "DIR", description = "Directory to serve (default: the current one).")
    Path directory;

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

    // single-page apps, 404.html and folder downloads (issue #12)
    @Option(names = "--spa", description = "Single-page app: a GET for a path that matches no file gets /index.html"
            + " (200), unless its last segment has an extension (/app.js stays 404). A 404.html at the root is"
            + " always the body of 404s.")
    boolean spa;

    @Option(names = "--no-archives", description = "Do not offer listed folders as .zip and .tar.gz downloads"
            + " (?download=zip, ?download=tar.gz; none with --no-listing either).")
    boolean noArchives;

    @Option(names = {"-q", "--quiet"}, description = "Do not log each request.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Log debug detail (connections lost and the like).")
    boolean verbose;

    private InetAddress bindAddress;

    /** @return a message about what is wrong with the options, or {@code null} */
    String validate() {
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
                .build();
    }

    /** {@code --version}. */
    static final class VersionInfo implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sockeye " + Version.VERSION + " (Java " + Runtime.version() + ")"};
        }
    }
}
