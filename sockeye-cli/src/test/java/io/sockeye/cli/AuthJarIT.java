package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --auth-file} in the shaded jar, run as users run it ({@code java -jar sockeye.jar}): the bcrypt
 * library must be inside and loadable. Its jars are signed, and a shaded jar that kept their signature
 * files would not start at all, which no test on the class path sees.
 */
@Timeout(60)
class AuthJarIT {

    private static final Path JAR = Path.of(System.getProperty("sockeye.jar", "target/sockeye.jar"));
    private static final Pattern LISTENING = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/");

    @TempDir
    Path tmp;

    @Test
    void theJarChecksBcryptLogins() throws Exception {
        Path site = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(site.resolve("a.txt"), "hello");
        Path users = tmp.resolve("users");
        Files.writeString(users, "rasmus:" + AuthOptionsTest.RASMUS + "\n");
        Path log = tmp.resolve("log");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-jar", JAR.toString(), "-b", "127.0.0.1", "-d", site.toString(),
                "--auth-file", users.toString(), "0").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int port = port(p, log);
            assertEquals(200, curl("rasmus:rasmuslerdorf", port));
            assertEquals(401, curl("rasmus:wrong", port));
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    private static int port(Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Matcher m = LISTENING.matcher(out);
            if (m.find()) return Integer.parseInt(m.group(1));
            if (!p.isAlive()) fail("the jar exited with " + p.exitValue() + " before listening: " + out);
            Thread.sleep(50);
        }
        fail("the jar did not listen within 30 s: " + Files.readString(log, StandardCharsets.UTF_8));
        return -1;
    }

    private static int curl(String userPass, int port) throws Exception {
        Process c = new ProcessBuilder(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
                "-u", userPass, "http://127.0.0.1:" + port + "/a.txt")).redirectErrorStream(true).start();
        String out = new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        c.waitFor(15, TimeUnit.SECONDS);
        return Integer.parseInt(out);
    }
}
