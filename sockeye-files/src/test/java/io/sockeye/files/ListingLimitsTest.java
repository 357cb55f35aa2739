package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.text;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.sockeye.HttpServer;

/**
 * A directory larger than the listing's limit is listed by the order asked for, cut after sorting, and the
 * page and the JSON say so and how many there are; names that are not valid UTF-8 are left out, since no
 * request path can name them, while a real U+FFFD in a name is listed and reachable.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListingLimitsTest {

    static final int FILES = DirectoryListing.MAX_ENTRIES + 50;
    static final int DIRS = 3;

    @TempDir
    static Path tmp;
    static Path www;
    static boolean invalidName;

    @BeforeAll
    static void site() throws Exception {
        www = Files.createDirectory(tmp.resolve("www"));
        Path huge = Files.createDirectory(www.resolve("huge"));
        for (int i = 0; i < FILES; i++) Files.createFile(huge.resolve(String.format("f%05d.txt", i)));
        for (int i = 0; i < DIRS; i++) Files.createDirectory(huge.resolve("d" + i));
        Path names = Files.createDirectory(www.resolve("names"));
        write(names.resolve("ok.txt"), "ok");
        write(names.resolve("\uFFFD-real.txt"), "a real replacement character");
        // a name with the byte 0xFF, which no UTF-8 string can spell: made by the shell
        Process p = new ProcessBuilder("sh", "-c", "printf secret > \"$(printf 'bad\\377name.txt')\"")
                .directory(names.toFile()).inheritIO().start();
        invalidName = p.waitFor() == 0;
    }

    static List<String> names(String html) {
        List<String> out = new ArrayList<>();
        for (DirectoryListingTest.Row row : DirectoryListingTest.rows(html)) {
            if (!row.href().equals("../")) out.add(DirectoryListingTest.unescape(row.text()));
        }
        return out;
    }

    static List<String> expected(boolean descending) {
        List<String> dirs = new ArrayList<>();
        List<String> files = new ArrayList<>();
        for (int i = 0; i < DIRS; i++) dirs.add("d" + i + "/");
        for (int i = 0; i < FILES; i++) files.add(String.format("f%05d.txt", i));
        if (descending) {
            java.util.Collections.reverse(dirs);
            java.util.Collections.reverse(files);
        }
        List<String> all = new ArrayList<>(dirs);
        all.addAll(files);
        return all.subList(0, DirectoryListing.MAX_ENTRIES);
    }

    /** Compares long lists of names, saying where they first differ (not printing ten thousand names). */
    static void assertSameNames(List<String> want, List<String> got, String what) {
        for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
            if (!want.get(i).equals(got.get(i))) fail(what + ": at " + i + " " + want.get(i) + " expected, " + got.get(i) + " listed");
        }
        assertEquals(want.size(), got.size(), what + ": how many are listed");
    }

    @ParameterizedTest
    @EnumSource(FilesTestSupport.Access.class)
    void aHugeDirectoryIsSortedThenCutAndSaysSo(FilesTestSupport.Access access) throws Exception {
        HttpServer server = FilesTestSupport.start(access.builder(www).build());
        try {
            String asc = text(get(server, "/huge/"));
            assertSameNames(expected(false), names(asc), "the first entries by name");
            assertTrue(asc.contains("Only the first " + DirectoryListing.MAX_ENTRIES + " of " + (FILES + DIRS) + " entries"),
                    "the page says it is cut, and how many there are");
            String desc = text(get(server, "/huge/?sort=name&order=desc"));
            assertSameNames(expected(true), names(desc), "the first entries by name, descending");

            HttpResponse<byte[]> json = get(server, "/huge/", "Accept", "application/json");
            Map<?, ?> listing = (Map<?, ?>) FilesTestSupport.json(text(json));
            assertEquals((double) (FILES + DIRS), listing.get("total"));
            assertEquals(true, listing.get("truncated"));
            List<?> entries = (List<?>) listing.get("entries");
            assertEquals(DirectoryListing.MAX_ENTRIES, entries.size());
            assertEquals("d0", ((Map<?, ?>) entries.get(0)).get("name"));
            assertEquals("f09996.txt", ((Map<?, ?>) entries.get(entries.size() - 1)).get("name"));
        } finally {
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(FilesTestSupport.Access.class)
    void namesThatAreNotUtf8AreLeftOutAndEveryListedNameIsReachable(FilesTestSupport.Access access) throws Exception {
        assumeTrue(invalidName, "the shell could not make the name");
        HttpServer server = FilesTestSupport.start(access.builder(www).build());
        try {
            String html = text(get(server, "/names/"));
            List<String> listed = names(html);
            assertEquals(List.of("ok.txt", "\uFFFD-real.txt").stream().sorted(String.CASE_INSENSITIVE_ORDER).toList(),
                    listed.stream().sorted(String.CASE_INSENSITIVE_ORDER).toList(), html);
            for (DirectoryListingTest.Row row : DirectoryListingTest.rows(html)) {
                if (row.href().equals("../")) continue;
                assertEquals(200, get(server, "/names/" + row.href()).statusCode(), "the link " + row.href() + " leads to its file");
            }
            String json = text(get(server, "/names/", "Accept", "application/json"));
            assertFalse(json.contains("bad"), "left out of the JSON too: " + json);
            assertTrue(json.contains("\"total\":2"), json);
            assertEquals(404, get(server, "/names/bad%EF%BF%BDname.txt").statusCode(), "not reachable by the replacement character");
        } finally {
            server.close();
        }
    }
}
