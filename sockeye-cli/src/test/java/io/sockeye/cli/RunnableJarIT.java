package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The built {@code sockeye.jar}, run as users run it ({@code java -jar}): on Java 21+ it is the command,
 * on an older Java it says that it needs Java 21 (issue #12, item 4) instead of
 * {@code UnsupportedClassVersionError}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunnableJarIT {

    private static Path jar() {
        Path jar = Path.of(System.getProperty("sockeye.jar", "target/sockeye.jar"));
        assertTrue(Files.isRegularFile(jar), "the runnable jar is built before the integration tests: " + jar);
        return jar;
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(Path java, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java.toString(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        assertTrue(p.waitFor(45, TimeUnit.SECONDS), "ended");
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void onThisJavaTheJarIsTheCommand() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Run r = run(java, "--version");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("sockeye "), r.out());
        Run bad = run(java, "--no-such-option");
        assertEquals(Main.USAGE, bad.exit(), "the command's own exit status comes through the launcher");
        assertTrue(bad.err().contains("--no-such-option"), bad.err());
    }

    @Test
    void onAnOlderJavaItSaysItNeedsJava21() throws Exception {
        Path old = olderJava();
        assumeTrue(old != null, "no Java older than 21 on this machine");
        Run r = run(old, "--version");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("Sockeye needs Java 21 or newer"), r.err());
        assertFalse(r.err().contains("UnsupportedClassVersionError"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    /** A JDK or JRE under /usr/lib/jvm whose release file says it is older than 21, or {@code null}. */
    private static Path olderJava() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) return null;
        try (Stream<Path> homes = Files.list(jvms)) {
            for (Path home : homes.sorted().toList()) {
                Path release = home.resolve("release");
                Path java = home.resolve("bin/java");
                if (!Files.isRegularFile(release) || !Files.isExecutable(java)) continue;
                for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
                    if (line.startsWith("JAVA_VERSION=")) {
                        int feature = Launcher.feature(line.substring("JAVA_VERSION=".length()).replace("\"", ""));
                        if (feature > 0 && feature < Launcher.REQUIRED) return java;
                    }
                }
            }
        }
        return null;
    }
}
