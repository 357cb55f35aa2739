package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #12 item 3: what jwebserver's and Python's users type works or gets an error about what they
 * typed, never "'x' is not an int" about an argument that was not meant as a port.
 */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class OptionSpellingsTest {

    @TempDir
    Path site;

    private final CliRun cli = new CliRun();

    @AfterEach
    void stop() {
        cli.close();
    }

    private CliRun run(String... args) {
        return cli.run(Map.of(), args);
    }

    @Test
    void jwebserversBindAddressWorks() throws Exception {
        Files.writeString(site.resolve("a.txt"), "hello");
        run("--bind-address", "127.0.0.1", "--directory", site.toString(), "--port", "0");
        assertTrue(cli.started(), cli.err());
        assertEquals("127.0.0.1", cli.launch.server().address().getAddress().getHostAddress());
        assertEquals("hello", cli.get("/a.txt").body());
    }

    @Test
    void outputNoneLogsNoRequests() throws Exception {
        run("-b", "127.0.0.1", "-d", site.toString(), "-o", "none", "0");
        assertTrue(cli.started(), cli.err());
        cli.get("/");
        cli.launch.stop();
        assertEquals("", cli.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"info", "verbose", "INFO"})
    void outputInfoAndVerboseLogRequests(String level) throws Exception {
        run("-b", "127.0.0.1", "-d", site.toString(), "--output", level, "0");
        assertTrue(cli.started(), cli.err());
        cli.get("/");
        cli.launch.stop();
        assertTrue(cli.out().contains("\"GET / HTTP/1.1\" 200"), cli.out());
    }

    @Test
    void anUnknownOutputLevelNamesTheKnownOnes() {
        run("-o", "loud");
        assertEquals(2, cli.exitCode());
        assertTrue(cli.err().contains("none, info or verbose"), cli.err());
        assertTrue(cli.err().contains("loud"), cli.err());
    }

    @Test
    void aDirectoryAsAPositionalArgumentIsServed() throws Exception {
        Files.writeString(site.resolve("a.txt"), "positional dir");
        // run with -p 0 as the port and the directory positional; then the port positional too, either order
        run("-b", "127.0.0.1", site.toString(), "-p", "0");
        assertTrue(cli.started(), cli.err());
        assertEquals("positional dir", cli.get("/a.txt").body());
    }

    @ParameterizedTest
    @CsvSource({"dir-first", "port-first"})
    void aDirectoryAndAPortInEitherOrder(String order) throws Exception {
        Files.writeString(site.resolve("a.txt"), "both");
        run(order.equals("dir-first") ? new String[] {"-b", "127.0.0.1", site.toString(), "0"}
                : new String[] {"-b", "127.0.0.1", "0", site.toString()});
        assertTrue(cli.started(), cli.err());
        assertEquals("both", cli.get("/a.txt").body());
    }

    @Test
    void aDirectoryThatDoesNotExistIsSaidToBeOne() {
        run("-b", "127.0.0.1", "/no/such/dir/here");
        assertEquals(2, cli.exitCode());
        assertTrue(cli.err().contains("not a directory: /no/such/dir/here"), cli.err());
        assertFalse(cli.err().contains("int"), cli.err());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--protocol|HTTP/1.0|unknown option '--protocol'",
        "--nope|x|unknown option '--nope'",
        "--directry|.|unknown option '--directry' (did you mean --directory?)",
        "--port-number|8000|unknown option '--port-number' (did you mean --port?)",
        "--no-listng|.|unknown option '--no-listng' (did you mean --no-listing?)",
        "--qiuet|.|unknown option '--qiuet' (did you mean --quiet?)",
        "--binds=0.0.0.0|.|unknown option '--binds' (did you mean --bind?)"})
    void anUnknownOptionIsNamedWithTheNearestOne(String option, String value, String message) {
        run(option, value);
        assertEquals(2, cli.exitCode());
        assertFalse(cli.started());
        assertEquals("sockeye: " + message, cli.err().lines().findFirst().orElse(""), cli.err());
        assertFalse(cli.err().contains("not an int"), cli.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-version", "--version", "-V"})
    void jwebserversVersionSpellingsPrintTheVersion(String flag) {
        run(flag);
        assertEquals(0, cli.exitCode());
        assertTrue(cli.out().startsWith("sockeye 0.1.0"), cli.out());
        assertEquals("", cli.err());
    }

    @Test
    void twoDirectoriesAreAUsageError() {
        run("a", "b");
        assertEquals(2, cli.exitCode());
        assertTrue(cli.err().contains("two directories given: a and b"), cli.err());
    }

    @Test
    void aDirectoryGivenTwoWaysMustBeTheSame() {
        run("-d", site.toString(), "/tmp");
        assertEquals(2, cli.exitCode());
        assertTrue(cli.err().contains("two different directories"), cli.err());
    }

    @Test
    void aNumberOptionsComplaintSaysWholeNumber() {
        run("--cgi-timeout", "soon");
        assertEquals(2, cli.exitCode());
        assertTrue(cli.err().contains("'soon' is not a whole number"), cli.err());
    }
}
