package io.sockeye.examples.guestbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.HttpServer;

@Timeout(30)
class GuestbookTest {

    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private HttpResponse<String> post(HttpServer server, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/entries"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> list(HttpServer server) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void addListRestartList(String url) throws Exception {
        try (HttpServer server = Guestbook.start(InetAddress.getLoopbackAddress(), 0, url)) {
            HttpResponse<String> added = post(server, "name=Vamei&message=Hello+%3Cworld%3E%0D%0Asecond+line");
            assertEquals(303, added.statusCode());
            assertEquals("/", added.headers().firstValue("Location").orElse(""));
            String page = list(server).body();
            assertTrue(page.contains("<b>Vamei</b>") && page.contains("Hello &lt;world&gt;<br>second line"), page);
        }
        try (HttpServer again = Guestbook.start(InetAddress.getLoopbackAddress(), 0, url)) {
            String page = list(again).body();
            assertTrue(page.contains("<b>Vamei</b>"), "the entry survived the restart: " + page);
            assertEquals(303, post(again, "name=%E5%BC%A0%E4%B8%89&message=%E4%BD%A0%E5%A5%BD").statusCode());
            String both = list(again).body();
            assertTrue(both.indexOf("张三") < both.indexOf("Vamei"), "newest first");
        }
    }

    @Test
    void entriesAreAddedListedAndSurviveARestartInSqlite(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("guestbook.db");
        addListRestartList("jdbc:sqlite:" + db);
        assertTrue(Files.size(db) > 0, "the database file was created on first run");
    }

    @Test
    void entriesSurviveARestartInPostgresql() throws Exception {
        String url = TestPostgres.url();
        try (var c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.executeUpdate("DROP TABLE IF EXISTS guestbook_entries");
        }
        addListRestartList(url);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "name=&message=hi",                         // empty name
        "name=a&message=+++",                       // blank message
        "message=only",                             // missing name
        "name=a&message=%C3%28",                    // invalid UTF-8
        "name=a&message=%zz",                       // malformed escape
        "name=a%00b&message=hi",                    // a control character
    })
    void badInputIs400AndNothingIsStored(String body, @TempDir Path dir) throws Exception {
        try (HttpServer server = Guestbook.start(InetAddress.getLoopbackAddress(), 0, "jdbc:sqlite:" + dir.resolve("g.db"))) {
            HttpResponse<String> r = post(server, body);
            assertEquals(400, r.statusCode(), r.body());
            assertFalse(list(server).body().contains("<li>"), "nothing was stored");
        }
    }

    @Test
    void tooLongIs400(@TempDir Path dir) throws Exception {
        try (HttpServer server = Guestbook.start(InetAddress.getLoopbackAddress(), 0, "jdbc:sqlite:" + dir.resolve("g.db"))) {
            assertEquals(400, post(server, "name=" + "n".repeat(81) + "&message=hi").statusCode());
            assertEquals(400, post(server, "name=a&message=" + "m".repeat(2001)).statusCode());
            assertEquals(303, post(server, "name=" + "n".repeat(80) + "&message=" + "m".repeat(2000)).statusCode());
        }
    }

    @Test
    void sqlInInputIsJustText(@TempDir Path dir) throws Exception {
        try (HttpServer server = Guestbook.start(InetAddress.getLoopbackAddress(), 0, "jdbc:sqlite:" + dir.resolve("g.db"))) {
            assertEquals(303, post(server, "name=x'%3B+DROP+TABLE+guestbook_entries%3B--&message=hi").statusCode());
            assertTrue(list(server).body().contains("x&#39;; DROP TABLE guestbook_entries;--"));
        }
    }
}
