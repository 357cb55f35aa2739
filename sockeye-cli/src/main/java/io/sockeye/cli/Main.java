package io.sockeye.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.sockeye.Handler;
import io.sockeye.HttpServer;
import io.sockeye.Https;
import picocli.CommandLine;

/**
 * The {@code sockeye} command. {@link #main} is for the shell; tests call {@link #launch} and get the
 * running server back, and nothing here calls {@code System.exit} except {@code main}.
 */
public final class Main {

    /** Exit status for a bad command line. */
    static final int USAGE = 2;
    /** Exit status when the server cannot start (port taken, say). */
    static final int FAILED = 1;

    /**
     * A launch: the exit status if the command ended at once, or the server it started (and the plain-HTTP
     * server redirecting to it, with {@code --redirect-http}).
     */
    public record Launch(int exitCode, HttpServer server, HttpServer redirect, ConsoleLog log) {
        /** @return whether a server is running */
        public boolean started() {
            return server != null;
        }

        /** Stops the server (letting requests in flight finish, for up to the grace period) and flushes the log. */
        public void stop() {
            if (redirect != null) redirect.close();
            if (server != null) server.close();
            if (log != null) log.close();
        }

        /** Stops the server now, ending requests in flight (and a {@link #stop()} under way), and flushes the log. */
        public void stopNow() {
            if (redirect != null) redirect.shutdownNow();
            if (server != null) server.shutdownNow();
            if (log != null) log.close();
        }
    }

    private Main() {
    }

    /**
     * Runs the command: serves until interrupted. Ctrl-C stops gracefully, a second Ctrl-C at once; other
     * signals that end the JVM (SIGTERM) stop gracefully too.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        Launch launch = launch(args, System.getenv(), out, err, Browser.system());
        out.flush();
        if (!launch.started()) System.exit(launch.exitCode());
        Interrupts interrupts = new Interrupts(launch, err);
        try {
            interrupts.install();
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // SIGINT is the JVM's (run with -Xrs, say): it ends the JVM, and the hook below stops gracefully
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!interrupts.pressed()) err.println("Stopping...");
            launch.stop();
            out.flush();
        }, "sockeye-shutdown"));
        try {
            launch.server().awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        launch.stop(); // waits for the stop under way, and the log's last lines
        out.flush();
        System.exit(interrupts.pressed() ? 130 : 0); // 128 + SIGINT, as the shell reports an interrupted command
    }

    /**
     * Parses the command line and starts the server, or prints help, the version or an error; reads no
     * environment variables (see {@link #launch(String[], Map, PrintStream, PrintStream, Browser)}), and
     * {@code --open} opens the system's browser.
     *
     * @param args the command line
     * @param out  standard output: help, version, the access log
     * @param err  standard error: errors, the server's log
     * @return what happened
     */
    public static Launch launch(String[] args, PrintStream out, PrintStream err) {
        return launch(args, Map.of(), out, err, Browser.system());
    }

    /**
     * Parses the command line and the environment's {@code SOCKEYE_*} variables (and {@code PORT}) and
     * starts the server, or prints help, the version or an error.
     *
     * @param args    the command line
     * @param env     the environment variables ({@code System.getenv()} for the command)
     * @param out     standard output: help, version, the access log
     * @param err     standard error: errors, the server's log
     * @param browser what {@code --open} opens the site's URL with
     * @return what happened
     */
    static Launch launch(String[] args, Map<String, String> env, PrintStream out, PrintStream err, Browser browser) {
        Options options = new Options();
        CommandLine cl = new CommandLine(options)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            return usageError(err, UsageErrors.message(e));
        }
        if (!cl.isUsageHelpRequested() && !cl.isVersionHelpRequested()) {
            try {
                EnvironmentOptions.apply(cl, args, options::givesByPosition, env);
            } catch (EnvironmentOptions.BadVariable e) {
                return usageError(err, e.getMessage());
            } catch (CommandLine.ParameterException e) {
                return usageError(err, "with the SOCKEYE_ variables: " + UsageErrors.message(e));
            }
        }
        if (cl.isUsageHelpRequested()) {
            cl.usage(out);
            return new Launch(0, null, null, null);
        }
        if (cl.isVersionHelpRequested()) {
            cl.printVersionHelp(out);
            return new Launch(0, null, null, null);
        }
        String problem = options.validate();
        if (problem != null) {
            err.println("sockeye: " + problem);
            return new Launch(USAGE, null, null, null);
        }

        TlsSetup tls;
        try {
            tls = TlsSetup.of(options);
        } catch (IOException e) {
            err.println("sockeye: cannot use the TLS certificate: " + e.getMessage());
            return new Launch(FAILED, null, null, null);
        }
        ConsoleLog log = ConsoleLog.install(out, err, !options.quiet, options.verbose);
        HttpServer server;
        try {
            Handler site = Site.handler(options);
            if (options.hsts != null) site = Https.strictTransportSecurity(site, Duration.ofSeconds(options.hsts), false);
            server = HttpServer.create(options.config(tls == null ? null : tls.config()), site).start();
        } catch (BindException e) {
            err.println("sockeye: " + e.getMessage());
            log.close();
            return new Launch(FAILED, null, null, null);
        } catch (IOException | RuntimeException e) {
            err.println("sockeye: cannot start: " + e.getMessage());
            log.close();
            return new Launch(FAILED, null, null, null);
        }
        HttpServer redirect = null;
        if (options.redirectHttp != null) {
            try {
                redirect = HttpServer.create(options.config(null).toBuilder().port(options.redirectHttp).build(),
                        Https.redirectTo(server.port())).start();
            } catch (IOException | RuntimeException e) {
                err.println("sockeye: cannot listen on --redirect-http port " + options.redirectHttp + ": " + e.getMessage());
                server.close();
                log.close();
                return new Launch(FAILED, null, null, null);
            }
        }
        List<String> urls = urls(options, server.address());
        err.println(banner(options, server.address(), urls));
        if (redirect != null) {
            err.println("Redirecting http://" + hostText(redirect.address()) + ":" + redirect.port() + "/ to HTTPS");
        }
        String certificate = tls == null ? null : tls.describe(server.port());
        if (certificate != null) err.println(certificate);
        err.flush();
        if (options.qr) {
            String lan = Addresses.lanUrl(urls);
            if (lan == null) {
                err.println("No QR code: other devices cannot reach " + urls.get(0) + " (listen on all interfaces, or -b a LAN address)");
            } else if (lan.length() > QrCode.MAX_BYTES) {
                err.println("No QR code: the address is too long for one");
            } else {
                err.print(QrTerminal.render(QrCode.encode(lan)));
                err.println("  " + lan);
            }
        }
        err.flush();
        if (options.open) {
            try {
                browser.open(urls.get(0));
            } catch (IOException | RuntimeException e) {
                err.println("sockeye: could not open a browser: " + e.getMessage());
            }
        }
        WarmUp.start(options);
        return new Launch(0, server, redirect, log);
    }

    private static Launch usageError(PrintStream err, String message) {
        err.println("sockeye: " + message);
        err.println("Try 'sockeye --help' for more information.");
        return new Launch(USAGE, null, null, null);
    }

    /** An IPv6 address as people write it (RFC 5952): the longest run of zero groups as {@code ::}. */
    static String compact(byte[] ipv6) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) groups[i] = (ipv6[2 * i] & 0xff) << 8 | (ipv6[2 * i + 1] & 0xff);
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && groups[j] == 0) j++;
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    private static String hostText(InetSocketAddress bound) {
        InetAddress address = bound.getAddress();
        return address.isAnyLocalAddress() ? "0.0.0.0" : Addresses.host(address);
    }

    /** @return where the server can be reached, this machine's URL first */
    private static List<String> urls(Options options, InetSocketAddress bound) {
        String scheme = options.https() ? "https" : "http";
        if (bound.getAddress().isAnyLocalAddress()) {
            // with TLS the local address to give is localhost: the name the certificate is for
            return Addresses.urls(scheme, bound.getPort(), Addresses.local(), options.https() ? "localhost" : null);
        }
        return List.of(scheme + "://" + hostText(bound) + ":" + bound.getPort() + "/");
    }

    private static String banner(Options options, InetSocketAddress bound, List<String> urls) {
        String what = Site.describe(options);
        if (bound.getAddress().isAnyLocalAddress()) {
            String scheme = options.https() ? "https" : "http";
            StringBuilder sb = new StringBuilder("Serving ").append(what).append(" at ").append(scheme)
                    .append("://0.0.0.0:").append(bound.getPort()).append("/ (all interfaces), reachable at:");
            for (String url : urls) sb.append(System.lineSeparator()).append("  ").append(url);
            return sb.toString();
        }
        return "Serving " + what + " at " + urls.get(0);
    }
}
