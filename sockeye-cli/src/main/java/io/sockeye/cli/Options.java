package io.sockeye.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;

import io.sockeye.ServerConfig;
import io.sockeye.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The command line, as {@code python -m http.server} and {@code jwebserver} users would type it. */
@Command(name = "sockeye", mixinStandardHelpOptions = true, versionProvider = Options.VersionInfo.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Sockeye, an HTTP/1.1 server. Serves on all interfaces, port 8000, unless told otherwise.",
        footer = {"", "Examples:", "  sockeye                 serve on port 8000", "  sockeye 8080            serve on port 8080",
            "  sockeye -b 127.0.0.1 0  serve on this machine only, on any free port"})
final class Options {

    @Parameters(index = "0", arity = "0..1", paramLabel = "PORT", description = "Port to listen on (default 8000; 0 picks a free one).")
    Integer positionalPort;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "Port to listen on, as the positional PORT.")
    Integer port;

    @Option(names = {"-b", "--bind"}, paramLabel = "ADDRESS",
            description = "Address to listen on (default: all interfaces). For this machine only: 127.0.0.1 or ::1.")
    String bind;

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

    ServerConfig config() {
        return ServerConfig.defaults()
                .withBindAddress(bindAddress)
                .withPort(port())
                .withAccessLog(!quiet);
    }

    /** {@code --version}. */
    static final class VersionInfo implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sockeye " + Version.VERSION + " (Java " + Runtime.version() + ")"};
        }
    }
}
