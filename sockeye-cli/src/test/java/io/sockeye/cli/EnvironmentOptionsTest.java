package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options from {@code SOCKEYE_*} variables and {@code PORT}, through {@link Main#launch} with an environment. */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class EnvironmentOptionsTest {

    @TempDir
    Path site;

    private final CliRun cli = new CliRun();

    @AfterEach
    void stop() {
        cli.close();
    }

    private CliRun run(Map<String, String> env, String... args) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("SOCKEYE_BIND", "127.0.0.1");
        all.putIfAbsent("SOCKEYE_DIRECTORY", site.toString());
        all.putIfAbsent("SOCKEYE_QUIET", "yes");
        return cli.run(all, args);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void theVariablesSetTheOptions() throws Exception {
        Files.writeString(site.resolve("a.txt"), "from the variables' directory");
        int port = freePort();
        run(Map.of("SOCKEYE_PORT", String.valueOf(port), "SOCKEYE_MAX_CONNECTIONS", "123", "SOCKEYE_IDLE_TIMEOUT", "9"));
        assertTrue(cli.started(), cli.err());
        assertEquals(port, cli.port());
        assertEquals("127.0.0.1", cli.launch.server().address().getAddress().getHostAddress(), "SOCKEYE_BIND");
        assertEquals(123, cli.launch.server().config().maxConnections());
        assertEquals(9, cli.launch.server().config().idleTimeout().toSeconds());
        assertEquals("from the variables' directory", cli.get("/a.txt").body(), "SOCKEYE_DIRECTORY");
        assertEquals("", cli.out(), "SOCKEYE_QUIET=yes: no access log");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "true", "YES", "on"})
    void aFlagIsSetByAYesValue(String yes) throws Exception {
        Files.createDirectory(site.resolve("sub"));
        run(Map.of("SOCKEYE_NO_LISTING", yes), "0");
        assertTrue(cli.started(), cli.err());
        assertEquals(403, cli.get("/sub/").statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "false", "no", "off", ""})
    void aFlagIsLeftUnsetByANoValue(String no) throws Exception {
        Files.createDirectory(site.resolve("sub"));
        run(Map.of("SOCKEYE_NO_LISTING", no), "0");
        assertTrue(cli.started(), cli.err());
        assertEquals(200, cli.get("/sub/").statusCode());
    }

    @Test
    void aRepeatableOptionTakesCommaSeparatedValues() throws Exception {
        Files.createDirectory(site.resolve("one"));
        Files.createDirectory(site.resolve("two"));
        run(Map.of("SOCKEYE_CGI_DIR", "one, two", "SOCKEYE_CGI_TIMEOUT", "5"), "0");
        assertTrue(cli.started(), cli.err());
        assertTrue(cli.err().contains("one/, two/"), "both CGI directories: " + cli.err());
    }

    @Test
    void thePlatformsPortIsHonoured() throws Exception {
        int port = freePort();
        run(Map.of("PORT", String.valueOf(port)));
        assertTrue(cli.started(), cli.err());
        assertEquals(port, cli.port());
    }

    @Test
    void sockeyePortWinsOverPort() throws Exception {
        int port = freePort();
        run(Map.of("PORT", "1", "SOCKEYE_PORT", String.valueOf(port)));
        assertTrue(cli.started(), cli.err());
        assertEquals(port, cli.port());
    }

    @Test
    void theCommandLineWinsOverTheVariables() throws Exception {
        Path other = Files.createDirectory(site.resolve("other"));
        Files.writeString(other.resolve("a.txt"), "from the command line's directory");
        // values that would fail: never read, since the command line gives these options
        run(Map.of("SOCKEYE_PORT", "not a port", "PORT", "nor this", "SOCKEYE_MAX_CONNECTIONS", "7"),
                "--max-connections", "99", "-p", "0", "-d", other.toString());
        assertTrue(cli.started(), cli.err());
        assertEquals(99, cli.launch.server().config().maxConnections());
        assertEquals("from the command line's directory", cli.get("/a.txt").body());
    }

    @Test
    void positionalArgumentsWinOverTheVariables() throws Exception {
        Path other = Files.createDirectory(site.resolve("other"));
        Files.writeString(other.resolve("a.txt"), "positional");
        int port = freePort();
        run(Map.of("SOCKEYE_PORT", "1", "PORT", "2"), other.toString(), String.valueOf(port));
        assertTrue(cli.started(), cli.err());
        assertEquals(port, cli.port());
        assertEquals("positional", cli.get("/a.txt").body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"SOCKEYE_PORT=abc", "PORT=http", "SOCKEYE_PORT=", "SOCKEYE_NO_LISTING=maybe",
        "SOCKEYE_CGI_TIMEOUT=5s", "SOCKEYE_LOG_FORMAT=xml", "SOCKEYE_OUTPUT=loud"})
    void aBadValueIsAUsageErrorNamingTheVariable(String assignment) {
        String name = assignment.substring(0, assignment.indexOf('='));
        run(Map.of(name, assignment.substring(name.length() + 1)));
        assertEquals(2, cli.exitCode());
        assertFalse(cli.started());
        assertTrue(cli.err().startsWith("sockeye: " + name), cli.err());
        assertFalse(cli.err().contains("not an int"), cli.err());
    }

    @Test
    void aPortOutOfRangeInAVariableIsAUsageError() {
        run(Map.of("PORT", "70000"));
        assertEquals(2, cli.exitCode());
        assertTrue(cli.err().contains("70000"), cli.err());
    }

    @Test
    void helpMentionsTheVariables() {
        cli.run(Map.of(), "--help");
        assertTrue(cli.out().contains("SOCKEYE_<OPTION>"), cli.out());
        assertTrue(cli.out().contains("PORT is read"), cli.out());
    }

    @Test
    void everyOptionHasAVariable() {
        CommandLine cl = new CommandLine(new Options());
        for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
            if (o.usageHelp() || o.versionHelp()) continue;
            String v = EnvironmentOptions.variable(o);
            assertTrue(v.matches("SOCKEYE_[A-Z0-9_]+"), v);
        }
        assertEquals("SOCKEYE_BIND", EnvironmentOptions.variable(cl.getCommandSpec().findOption("--bind-address")),
                "an option's first long name names its variable");
    }

    /** A command with an option this class has never heard of, as one added by a later feature. */
    static final class Later {
        @Option(names = "--shiny-new-limit")
        int shinyNewLimit = 1;

        @Option(names = "--header")
        List<String> headers = new java.util.ArrayList<>();
    }

    @Test
    void anOptionAddedLaterGetsItsVariable() throws Exception {
        Later later = new Later();
        CommandLine cl = new CommandLine(later);
        cl.parseArgs();
        EnvironmentOptions.apply(cl, new String[0], o -> false,
                Map.of("SOCKEYE_SHINY_NEW_LIMIT", "42", "SOCKEYE_HEADER", "X-A: 1, 2\nX-B: 3"));
        assertEquals(42, later.shinyNewLimit);
        assertEquals(List.of("X-A: 1, 2", "X-B: 3"), later.headers, "values with commas: one a line");
        cl.parseArgs("--shiny-new-limit", "7");
        EnvironmentOptions.apply(cl, new String[] {"--shiny-new-limit", "7"}, o -> false, Map.of("SOCKEYE_SHINY_NEW_LIMIT", "42"));
        assertEquals(7, later.shinyNewLimit);
        cl.parseArgs();
        EnvironmentOptions.BadVariable bad = assertThrows(EnvironmentOptions.BadVariable.class,
                () -> EnvironmentOptions.apply(cl, new String[0], o -> false, Map.of("SOCKEYE_SHINY_NEW_LIMIT", "lots")));
        assertTrue(bad.getMessage().startsWith("SOCKEYE_SHINY_NEW_LIMIT: "), bad.getMessage());
        assertTrue(bad.getMessage().contains("'lots' is not a whole number"), bad.getMessage());
    }
}
