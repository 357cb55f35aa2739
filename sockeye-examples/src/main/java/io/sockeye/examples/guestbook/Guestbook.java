package io.sockeye.examples.guestbook;

import java.io.IOException;
import java.net.InetAddress;
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
 * a reload does not post twice). Entries live in SQLite by default (a file created on first run) or in
 * PostgreSQL given a JDBC URL, and survive a restart. Bad input — an empty field, one too long, invalid
 * UTF-8 — gets a 400 with a message, and nothing is stored.
 *
 * <pre>java -jar sockeye-examples/target/sockeye-examples.jar guestbook [port] [jdbc-url]</pre>
 * e.g. {@code jdbc:sqlite:guestbook.db} (the default) or {@code jdbc:postgresql://localhost/gb?user=u&password=p}.
 */
public final class Guestbook {

    static final int MAX_NAME = 80;
    static final int MAX_MESSAGE = 2000;
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private final GuestbookStore store;

    Guestbook(GuestbookStore store) {
        this.store = store;
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8000;
        String url = args.length > 1 ? args[1] : "jdbc:sqlite:guestbook.db";
        HttpServer server = start(null, port, url);
        Examples.serveUntilStopped(server, "Guestbook (" + url + ")");
    }

    /** Starts a guestbook on an address ({@code null}: all interfaces) and port over a JDBC URL. */
    public static HttpServer start(InetAddress address, int port, String jdbcUrl) throws IOException, SQLException {
        Guestbook book = new Guestbook(new GuestbookStore(jdbcUrl));
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
