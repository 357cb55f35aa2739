package io.sockeye.examples.guestbook;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.sockeye.Form;
import io.sockeye.Handler;
import io.sockeye.Html;
import io.sockeye.HttpException;
import io.sockeye.HttpServer;
import io.sockeye.Router;
import io.sockeye.ServerConfig;
import io.sockeye.Status;
import io.sockeye.examples.Examples;

/**
 * Stage 8, the tutorial's "put the form into a database": a guestbook. {@code GET /} lists the entries
 * and shows a form; {@code POST /entries} adds one and redirects back to the list (POST/redirect/GET, so
 * a reload does not post twice). Entries live in SQLite by default (a file created on first run, in the
 * user's data folder: {@code ~/.local/share/sockeye/guestbook.db}, or under {@code $XDG_DATA_HOME}) or in
 * PostgreSQL given a JDBC URL, and survive a restart. Bad input — an empty field, one too long, invalid
 * UTF-8 — gets a 400 with a message, and nothing is stored.
 *
 * <pre>java -jar sockeye-examples/target/sockeye-examples.jar guestbook [[address:]port] [jdbc-url]</pre>
 * e.g. {@code 8000}, {@code 127.0.0.1:8000} (this machine only; all interfaces by default), and
 * {@code jdbc:sqlite:guestbook.db} or {@code jdbc:postgresql://localhost/gb?user=u&password=p}. A mistake in
 * them, a database that cannot be opened or a port that is taken is one line on standard error and exit
 * status 2 (the command line) or 1 (the rest).
 */
public final class Guestbook {

    static final int MAX_NAME = 80;
    static final int MAX_MESSAGE = 2000;
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private final GuestbookStore store;

    Guestbook(GuestbookStore store) {
        this.store = store;
    }

    /**
     * Runs the guestbook until Ctrl-C (or SIGTERM): {@code [[address:]port] [jdbc-url]}, see above.
     *
     * @throws InterruptedException if interrupted while serving
     */
    public static void main(String[] args) throws InterruptedException {
        GuestbookArguments a;
        try {
            a = GuestbookArguments.parse(args, System.getenv(), System.getProperty("user.home"));
        } catch (IllegalArgumentException e) {
            throw fail(2, e.getMessage() + "; " + GuestbookArguments.USAGE);
        }
        String url = GuestbookArguments.shown(a.jdbcUrl());
        GuestbookStore store;
        try {
            if (a.database() != null) Files.createDirectories(a.database().getParent());
            store = new GuestbookStore(a.jdbcUrl());
        } catch (IOException | SQLException e) {
            throw fail(1, "cannot open the database " + url + ": " + oneLine(e));
        }
        HttpServer server;
        try {
            server = start(a.address(), a.port(), store);
        } catch (BindException e) {
            throw fail(1, oneLine(e)); // the server's message says where, and why (the port is taken, say)
        } catch (IOException e) {
            String where = (a.address() == null ? "" : a.address().getHostAddress() + " ") + "port " + a.port();
            throw fail(1, "cannot listen on " + where + ": " + oneLine(e));
        }
        Examples.serveUntilStopped(server, "Guestbook (" + url + ")");
    }

    // One line, not a stack trace: these are the user's mistakes or the machine's state, not bugs.
    // (returned, to be thrown, so that the compiler sees that main goes no further)
    private static Error fail(int status, String message) {
        System.err.println("guestbook: " + message);
        System.exit(status);
        return new AssertionError("System.exit returned");
    }

    // (a driver's message may run over several lines, or be missing)
    private static String oneLine(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.replaceAll("\\s+", " ").strip();
    }

    /** Starts a guestbook on an address ({@code null}: all interfaces) and port over a JDBC URL. */
    public static HttpServer start(InetAddress address, int port, String jdbcUrl) throws IOException, SQLException {
        return start(address, port, new GuestbookStore(jdbcUrl));
    }

    private static HttpServer start(InetAddress address, int port, GuestbookStore store) throws IOException {
        Guestbook book = new Guestbook(store);
        Router router = Router.create().get("/", book.list()).post("/entries", book.add());
        return HttpServer.create(ServerConfig.defaults().withBindAddress(address).withPort(port).withAccessLog(true), router).start();
    }

    Handler list() {
        return (req, res) -> {
            StringBuilder page = new StringBuilder("""
                    <!DOCTYPE html>
                    <html><head><meta charset="utf-8"><title>Guestbook</title></head>
                    <body>
                    <h1>Guestbook</h1>
                    <form action="/entries" method="post">
                    <p><label>Name <input name="name" maxlength="80" required></label></p>
                    <p><label>Message<br><textarea name="message" rows="4" cols="50" maxlength="2000" required></textarea></label></p>
                    <p><button type="submit">Sign</button></p>
                    </form>
                    <ul>
                    """);
            for (GuestbookStore.Entry e : store.newest(100)) {
                page.append("<li><b>").append(Html.escape(e.name())).append("</b> <small>").append(WHEN.format(e.created()))
                        .append("</small><br>").append(Html.escape(e.message()).replace("\n", "<br>")).append("</li>\n");
            }
            res.header("Cache-Control", "no-store").send("text/html", page.append("</ul>\n</body></html>\n").toString());
        };
    }

    Handler add() {
        return (req, res) -> {
            Form form = req.form(); // a malformed or non-UTF-8 body is a 400 from here
            String name = form.first("name").orElse("").strip();
            String message = form.first("message").orElse("").strip().replace("\r\n", "\n");
            if (name.isEmpty() || message.isEmpty()) throw new HttpException(Status.BAD_REQUEST, "a name and a message are both needed");
            if (name.codePointCount(0, name.length()) > MAX_NAME) {
                throw new HttpException(Status.BAD_REQUEST, "the name is longer than " + MAX_NAME + " characters");
            }
            if (message.codePointCount(0, message.length()) > MAX_MESSAGE) {
                throw new HttpException(Status.BAD_REQUEST, "the message is longer than " + MAX_MESSAGE + " characters");
            }
            if (hasControlCharacters(name) || hasControlCharacters(message.replace("\n", ""))) {
                throw new HttpException(Status.BAD_REQUEST, "control characters are not allowed");
            }
            store.add(name, message, Instant.now());
            res.redirect(Status.SEE_OTHER, "/");
        };
    }

    private static boolean hasControlCharacters(String s) {
        return s.chars().anyMatch(c -> Character.isISOControl(c) && c != '\t');
    }
}
