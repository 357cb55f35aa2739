package io.sockeye.examples;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs an example by name: {@code java -jar sockeye-examples.jar NAME [args]}. Without a name, lists them.
 */
public final class Examples {

    @FunctionalInterface
    private interface Main {
        void run(String[] args) throws Exception;
    }

    private static final Map<String, Main> EXAMPLES = new LinkedHashMap<>();
    private static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

    static {
        add("socket-server", io.sockeye.examples.socketpair.SocketServer::main,
                "stage 1: a JDK socket server that answers Yes to one client [port]");
        add("socket-client", io.sockeye.examples.socketpair.SocketClient::main,
                "stage 1: the client that asks 'can you hear me?' [host] [port]");
        add("yes-server", io.sockeye.examples.socketpair.YesServer::main,
                "stage 1 on Sockeye's TCP layer: answers Yes to every client [port]");
        add("raw-http", io.sockeye.examples.rawhttp.PageServer::main,
                "stages 2-3: the WOW page, test.jpg and the form, on raw sockets [port] [site-dir]");
        add("tcp-page", io.sockeye.examples.tcplayer.TcpPageServer::main,
                "stage 4: the same on Sockeye's TCP layer with a connection handler [port] [site-dir]");
        add("http-site", io.sockeye.examples.httplayer.SiteServer::main,
                "stage 5: Sockeye's HTTP layer: the site's files and a form handler [port] [site-dir]");
        add("cgi-site", io.sockeye.examples.cgi.CgiSiteServer::main,
                "stage 6: the site with its form posted to cgi-bin/post.py [port] [site-dir]");
        add("time", io.sockeye.examples.time.TimeServer::main,
                "stage 7: a daytime (RFC 867) server and GET /time as text or JSON [http-port] [daytime-port]");
        add("guestbook", io.sockeye.examples.guestbook.Guestbook::main,
                "stage 8: a guestbook stored through JDBC (SQLite, or PostgreSQL by URL) [[address:]port] [jdbc-url]");
    }

    private Examples() {
    }

    /** Prints where a stage listens, stops it cleanly on Ctrl-C, and waits until then. */
    public static void serveUntilStopped(io.sockeye.HttpServer server, String what) throws InterruptedException {
        System.out.println(what + " on port " + server.port() + "; Ctrl-C stops");
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        server.awaitTermination();
    }

    /** A command line an example cannot use: said in one line, with exit status 2, not a stack trace. */
    public static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        /** @param message what is wrong */
        public UsageException(String message) {
            super(message);
        }
    }

    /**
     * @param args     the example's arguments
     * @param index    which one is the port
     * @param fallback the port when it is not given
     * @return the port
     * @throws UsageException if it is not a number from 0 to 65535
     */
    public static int port(String[] args, int index, int fallback) {
        if (args.length <= index) return fallback;
        String text = args[index];
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) return port;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UsageException("not a port: '" + text + "' (a number from 0 to 65535; 0 picks a free one)");
    }

    private static void add(String name, Main main, String description) {
        EXAMPLES.put(name, main);
        DESCRIPTIONS.put(name, description);
    }

    public static void main(String[] args) throws Exception {
        Main main = args.length > 0 ? EXAMPLES.get(args[0]) : null;
        if (main == null) {
            System.err.println(args.length > 0 ? "no example named " + args[0] : "usage: ./example NAME [args]   (or: java -jar sockeye-examples.jar NAME [args])");
            DESCRIPTIONS.forEach((name, text) -> System.err.printf("  %-16s %s%n", name, text));
            System.exit(2);
        }
        try {
            main.run(Arrays.copyOfRange(args, 1, args.length));
        } catch (UsageException e) {
            System.err.println(args[0] + ": " + e.getMessage());
            System.err.println("usage: ./example " + args[0] + " " + DESCRIPTIONS.get(args[0]).replaceAll("^.*?(\\[.*)?$", "$1"));
            System.exit(2);
        } catch (java.net.BindException e) {
            System.err.println(args[0] + ": cannot listen: " + e.getMessage());
            System.exit(1);
        }
    }
}
