package io.sockeye.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every stage, run from the built jar as {@code ./example NAME abc}: a port that is not one is a one-line
 * usage error with exit status 2 (issue #12, item 8: it was a NumberFormatException's stack trace).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExamplesJarIT {

    private static final Path JAR = Path.of(System.getProperty("sockeye.examples.jar", "target/sockeye-examples.jar"));

    @ParameterizedTest
    @ValueSource(strings = {"socket-server", "yes-server", "raw-http", "tcp-page", "http-site", "cgi-site", "time", "guestbook"})
    void aPortThatIsNotOneIsAUsageErrorNotAStackTrace(String stage) throws Exception {
        for (String bad : new String[] {"abc", "70000", "-1"}) {
            Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", JAR.toAbsolutePath().toString(), stage, bad))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), stage + " " + bad + " ended");
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, p.exitValue(), stage + " " + bad + ": " + err);
            assertTrue(err.contains(bad), "names the bad value: " + err);
            assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace: " + err);
        }
    }
}
