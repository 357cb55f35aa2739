package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.header;
import static io.sockeye.files.FilesTestSupport.text;
import static io.sockeye.files.FilesTestSupport.touch;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.sockeye.HttpServer;

/** Listings: escaped and encoded names that round-trip, order, sizes, parent link, hidden files, JSON. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DirectoryListingTest {

    @TempDir
    static Path tmp;
    static Path www;
    static HttpServer server;
    static HttpServer atListRoot;
    static HttpServer withDotfiles;
    static HttpServer noListing;
    /** Every visible name in /list/, directories with a trailing slash. */
    static final Set<String> LISTED = new HashSet<>();
    static final List<String> HOSTILE = new ArrayList<>(List.of(
            "<img src=x onerror=alert(1)>.txt", "<script>alert(1)<\\script>.txt", "a\"b'c.txt", "a&b.txt",
            "space name.txt", "é中.txt", "a:b.txt", "javascript:alert(1)", "%41.txt", "#hash.txt", "?q.txt",
            "plus+sign.txt", "semi;colon.txt", "tab\there.txt"));
    static final Instant T = Instant.parse("2020-01-02T03:04:05Z");

    @BeforeAll
    static void start() throws Exception {
        www = Files.createDirectory(tmp.resolve("www"));
        Path list = Files.createDirectory(www.resolve("list"));
        try {
            write(list.resolve("new\nline.txt"), "new\nline.txt");
            HOSTILE.add("new\nline.txt");
        } catch (IOException | RuntimeException e) {
            // the file system refuses the name: leave it out
        }
        for (String name : HOSTILE) {
            if (!name.contains("\n")) write(list.resolve(name), name);
            LISTED.add(name);
        }
        Files.createDirectory(list.resolve("<i>dir"));
        write(list.resolve("<i>dir/inner.txt"), "inner");
        Files.createDirectory(list.resolve("Subdir"));
        LISTED.add("<i>dir/");
        LISTED.add("Subdir/");
        write(list.resolve(".env"), "SECRET=1");
        write(list.resolve(".hidden/x.txt"), "x");

        Path sorted = Files.createDirectory(www.resolve("sorted"));
        write(sorted.resolve("b.txt"), "x".repeat(300));
        write(sorted.resolve("A.txt"), "x".repeat(10));
        write(sorted.resolve("c.txt"), "x".repeat(2000));
        try (RandomAccessFile f = new RandomAccessFile(sorted.resolve("d.bin").toFile(), "rw")) {
            f.setLength(5L << 20); // sparse
        }
        Files.createDirectory(sorted.resolve("zdir"));
        Files.createDirectory(sorted.resolve("Mdir"));
        touch(sorted.resolve("c.txt"), T.plusSeconds(100));
        touch(sorted.resolve("b.txt"), T.plusSeconds(200));
        touch(sorted.resolve("A.txt"), T.plusSeconds(300));
        touch(sorted.resolve("d.bin"), T.plusSeconds(400));
        touch(sorted.resolve("zdir"), T.plusSeconds(500));
        touch(sorted.resolve("Mdir"), T.plusSeconds(600));
        write(www.resolve("withindex/index.html"), "the index");

        server = FilesTestSupport.start(FileHandler.of(www));
        atListRoot = FilesTestSupport.start(FileHandler.of(list));
        withDotfiles = FilesTestSupport.start(FileHandler.builder(www).dotfiles(true).build());
        noListing = FilesTestSupport.start(FileHandler.builder(www).listing(false).build());
    }

    @AfterAll
    static void stop() {
        for (HttpServer s : new HttpServer[] {server, atListRoot, withDotfiles, noListing}) if (s != null) s.close();
    }

    record Row(String href, String text, String size) {
    }

    private static final Pattern ROW = Pattern.compile(
            "<tr><td><a href=\"([^\"]*)\">([^<]*)</a></td><td class=\"size\">([^<]*)</td>");

    /** The entry rows of a listing page, parent link excluded. */
    static List<Row> rows(String html) {
        List<Row> rows = new ArrayList<>();
        Matcher m = ROW.matcher(html);
        while (m.find()) rows.add(new Row(m.group(1), m.group(2), m.group(3)));
        return rows;
    }

    static String unescape(String html) {
        return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&#x27;", "'").replace("&amp;", "&");
    }

    @Test
    void hostileNamesAreEscapedInTextAndEncodedInLinks() throws Exception {
        HttpResponse<byte[]> r = get(server, "/list/");
        assertEquals(200, r.statusCode());
        assertEquals("text/html; charset=utf-8", header(r, "Content-Type").toLowerCase().replace("\"", ""));
        String html = text(r);
        assertFalse(html.contains("<img src=x"), "a name became markup");
        assertFalse(html.contains("<script>alert"), "a name became markup");
        assertFalse(html.contains("<i>dir"), "a name became markup");
        assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;.txt"), "the name is shown, escaped");

        Set<String> shown = new HashSet<>();
        for (Row row : rows(html)) {
            if (row.href.equals("../")) continue;
            assertTrue(row.href.matches("([A-Za-z0-9._~-]|%[0-9A-F]{2})+/?"), "every byte outside unreserved is encoded: " + row.href);
            assertFalse(row.text.contains("<") || row.text.contains(">") || row.text.contains("\""), "escaped: " + row.text);
            String name = unescape(row.text);
            shown.add(name);
            assertEquals(name.endsWith("/"), row.href.endsWith("/"), "directories link with a slash: " + row.href);
        }
        assertEquals(LISTED, shown, "exactly the visible entries are listed");
    }

    @Test
    void everyLinkLeadsToItsOwnFile() throws Exception {
        String html = text(get(server, "/list/"));
        int followed = 0;
        for (Row row : rows(html)) {
            String name = unescape(row.text);
            if (row.href.equals("../") || name.endsWith("/") || name.contains("\\")) continue; // backslashes: refused by the jail
            HttpResponse<byte[]> file = get(server, "/list/" + row.href);
            assertEquals(200, file.statusCode(), "link " + row.href + " for " + name);
            assertEquals(name, text(file), "link " + row.href + " leads to another file");
            followed++;
        }
        assertTrue(followed >= HOSTILE.size() - 1, "followed " + followed);
        assertEquals("inner", text(get(server, "/list/" + DirectoryListing.encode("<i>dir") + "/inner.txt")));
    }

    @Test
    void theTitleOfAHostileDirectoryIsEscaped() throws Exception {
        HttpResponse<byte[]> r = get(server, "/list/%3Ci%3Edir/");
        assertEquals(200, r.statusCode());
        assertFalse(text(r).contains("<i>dir"));
        assertTrue(rows(text(r)).stream().anyMatch(row -> row.href.equals("inner.txt")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|Mdir/,zdir/,A.txt,b.txt,c.txt,d.bin",
        "?sort=name|Mdir/,zdir/,A.txt,b.txt,c.txt,d.bin",
        "?sort=name&order=desc|zdir/,Mdir/,d.bin,c.txt,b.txt,A.txt",
        "?sort=size|Mdir/,zdir/,A.txt,b.txt,c.txt,d.bin",
        "?sort=size&order=desc|zdir/,Mdir/,d.bin,c.txt,b.txt,A.txt",
        "?sort=date|zdir/,Mdir/,c.txt,b.txt,A.txt,d.bin",
        "?sort=date&order=desc|Mdir/,zdir/,d.bin,A.txt,b.txt,c.txt",
        "?order=desc|zdir/,Mdir/,d.bin,c.txt,b.txt,A.txt",
    })
    void directoriesFirstThenSortedAsAsked(String query, String expected) throws Exception {
        List<String> names = new ArrayList<>();
        for (Row row : rows(text(get(server, "/sorted/" + query)))) {
            if (!row.href.equals("../")) names.add(unescape(row.text));
        }
        assertEquals(List.of(expected.split(",")), names, query);
    }

    @Test
    void sizesAreReadable() throws Exception {
        Map<String, String> sizes = new LinkedHashMap<>();
        for (Row row : rows(text(get(server, "/sorted/")))) sizes.put(unescape(row.text), row.size);
        assertEquals("10 B", sizes.get("A.txt"));
        assertEquals("300 B", sizes.get("b.txt"));
        assertTrue(sizes.get("c.txt").matches("2(\\.0)? ?(KiB|KB|kB|K)"), sizes.get("c.txt"));
        assertTrue(sizes.get("d.bin").matches("5(\\.0)? ?(MiB|MB|M)"), sizes.get("d.bin"));
        assertFalse(sizes.get("zdir/").matches(".*\\d.*"), "a directory has no size: " + sizes.get("zdir/"));
    }

    @Test
    void aParentLinkExceptAtTheRoot() throws Exception {
        assertTrue(text(get(server, "/list/")).contains("href=\"../\""));
        assertTrue(text(get(server, "/")).contains("href=\"list/\""), "the root is listed");
        assertFalse(text(get(server, "/")).contains("href=\"../\""), "no parent above the root");
        assertFalse(text(get(atListRoot, "/")).contains("href=\"../\""), "no parent above the root");
    }

    @Test
    void hiddenEntriesAreListedOnlyWithDotfiles() throws Exception {
        String html = text(get(server, "/list/"));
        assertFalse(html.contains(".env") || html.contains(".hidden"), "hidden entries listed");
        String json = text(get(server, "/list/", "Accept", "application/json"));
        assertFalse(json.contains(".env") || json.contains(".hidden"), "hidden entries listed as JSON");
        String shown = text(get(withDotfiles, "/list/"));
        assertTrue(shown.contains("href=\".env\"") && shown.contains("href=\".hidden/\""), "dotfiles(true) lists them");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/list/", "/sorted/", "/"})
    void listingOffIs403(String path) throws Exception {
        HttpResponse<byte[]> r = get(noListing, path);
        assertEquals(403, r.statusCode(), path);
        assertFalse(text(r).contains("b.txt") || text(r).contains("Subdir"), "no entries in the refusal");
        assertEquals("the index", text(get(noListing, "/withindex/")), "an index is still served");
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/json, text/html;q=0.5", "text/html;q=0.1, application/*"})
    void jsonListingRoundTripsNamesExactly(String accept) throws Exception {
        HttpResponse<byte[]> r = get(server, "/list/", "Accept", accept);
        assertEquals(200, r.statusCode());
        assertTrue(header(r, "Content-Type").startsWith("application/json"), header(r, "Content-Type"));
        Object parsed = FilesTestSupport.json(text(r));
        assertTrue(parsed instanceof Map<?, ?>, "a JSON object");
        Map<?, ?> listing = (Map<?, ?>) parsed;
        assertEquals(false, listing.get("truncated"));
        assertEquals((double) LISTED.size(), listing.get("total"));
        Set<String> names = new HashSet<>();
        for (Object o : (List<?>) listing.get("entries")) {
            Map<?, ?> entry = (Map<?, ?>) o;
            String name = (String) entry.get("name");
            names.add(name.endsWith("/") || !"directory".equals(entry.get("type")) ? name : name + "/");
        }
        assertEquals(LISTED, names);
    }

    @Test
    void htmlIsPreferredWhenAskedFor() throws Exception {
        HttpResponse<byte[]> r = get(server, "/list/", "Accept", "text/html, application/json;q=0.9");
        assertTrue(header(r, "Content-Type").startsWith("text/html"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "abc|abc", "a-b_c.d~e|a-b_c.d~e", "a b|a%20b", "a:b|a%3Ab", "%41|%2541", "é|%C3%A9", "中|%E4%B8%AD",
        "a/b|a%2Fb", "a\\b|a%5Cb", "#?&=|%23%3F%26%3D", "\"<>|%22%3C%3E", "+;,|%2B%3B%2C", "..|..",
    })
    void encodeEscapesEveryByteButUnreserved(String name, String encoded) {
        assertEquals(encoded, DirectoryListing.encode(name));
    }

    @Test
    void encodeEscapesControls() {
        assertEquals("a%0Ab%09c%00%27", DirectoryListing.encode("a\nb\tc\0'"));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 999, 1023, 1024, 1536, 10_000, 1_048_575, 1_048_576, 5L << 20, 123_456_789, 5L << 30, 3L << 40})
    void readableSizeIsCloseToTheSize(long size) {
        String s = DirectoryListing.readableSize(size);
        Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?) (B|KiB|MiB|GiB|TiB)").matcher(s);
        assertTrue(m.matches(), s);
        if (size < 1024) assertEquals(size + " B", s);
        int power = List.of("B", "KiB", "MiB", "GiB", "TiB").indexOf(m.group(2));
        double back = Double.parseDouble(m.group(1)) * Math.pow(1024, power);
        assertTrue(Math.abs(back - size) <= size * 0.05 + 0.5, s + " for " + size);
    }
}
