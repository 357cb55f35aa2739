package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12 item 7, on a real process and real signals: the first Ctrl-C (SIGINT) says how many
 * requests it lets finish, the second ends them at once, where the JVM alone would wait out the grace.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CtrlCTest {

    @TempDir
    Path site;

    private Process process;
    private final StringBuffer err = new StringBuffer();
    private Socket slowClient;

    @AfterEach
    void cleanUp() throws IOException {
        if (slowClient != null) slowClient.close();
        if (process != null) {
            process.destroyForcibly();
        }
    }

    /** Starts {@code java ... io.sockeye.cli.Main} on this test's class and module path; returns its port. */
    private int start() throws Exception {
        assumeTrue(new File("/bin/kill").canExecute() || new File("/usr/bin/kill").canExecute(), "needs kill(1)");
        Set<String> path = new LinkedHashSet<>();
        for (String property : new String[] {"jdk.module.path", "java.class.path"}) {
            String value = System.getProperty(property);
            if (value != null && !value.isEmpty()) path.addAll(List.of(value.split(File.pathSeparator)));
        }
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xshare:auto", "-cp", String.join(File.pathSeparator, path),
                "io.sockeye.cli.Main", "-q", "-b", "127.0.0.1", "-d", site.toString(), "0"));
        process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) err.append(line).append('\n');
            } catch (IOException e) {
                // the process ended
            }
        });
        Matcher m = waitFor(Pattern.compile("Serving .* at http://127\\.0\\.0\\.1:(\\d+)/"), 20_000);
        return Integer.parseInt(m.group(1));
    }

    private Matcher waitFor(Pattern pattern, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            Matcher m = pattern.matcher(err);
            if (m.find()) return m;
            Thread.sleep(20);
        }
        throw new AssertionError("no " + pattern + " in the process's stderr:\n" + err);
    }

    /** A download its client does not read: the server stays blocked sending it, a request in flight. */
    private void startSlowDownload(int port) throws Exception {
        try (RandomAccessFile big = new RandomAccessFile(site.resolve("big.bin").toFile(), "rw")) {
            big.setLength(256L << 20); // sparse: no disk used
        }
        slowClient = new Socket();
        slowClient.setReceiveBufferSize(4096);
        slowClient.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        OutputStream out = slowClient.getOutputStream();
        out.write("GET /big.bin HTTP/1.1\r\nHost: x\r\nAccept-Encoding: identity\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        slowClient.getInputStream().read(new byte[100]); // the response has started
        Thread.sleep(300); // and now fills the socket buffers
    }

    private void interrupt() throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -INT");
    }

    @Test
    void aSecondCtrlCStopsAtOnce() throws Exception {
        int port = start();
        startSlowDownload(port);
        interrupt();
        waitFor(Pattern.compile("Finishing 1 request \\(Ctrl-C again to stop now\\)"), 5_000);
        Thread.sleep(300);
        assertTrue(process.isAlive(), "the first Ctrl-C lets the download go on");
        long start = System.nanoTime();
        interrupt();
        assertTrue(process.waitFor(3, TimeUnit.SECONDS), "stopped soon after the second Ctrl-C:\n" + err);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 1_500, "stopped " + millis + " ms after the second Ctrl-C, not at the end of the 5 s grace");
        assertEquals(130, process.exitValue());
        waitFor(Pattern.compile("Stopping now"), 1_000);
    }

    @Test
    void oneCtrlCLetsTheRequestRunForTheGracePeriod() throws Exception {
        int port = start();
        startSlowDownload(port);
        long start = System.nanoTime();
        interrupt();
        waitFor(Pattern.compile("Finishing 1 request"), 5_000);
        assertFalse(process.waitFor(2, TimeUnit.SECONDS), "still finishing the download 2 s later");
        assertTrue(process.waitFor(15, TimeUnit.SECONDS), "stopped after the grace period:\n" + err);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis >= 4_500, "waited out the grace: " + millis + " ms");
        assertEquals(130, process.exitValue());
    }

    @Test
    void aCtrlCWithNothingInFlightStopsAtOnce() throws Exception {
        start();
        long start = System.nanoTime();
        interrupt();
        assertTrue(process.waitFor(5, TimeUnit.SECONDS), err.toString());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 2_000, "stopped in " + millis + " ms");
        assertTrue(err.toString().contains("Stopping..."), err.toString());
        assertFalse(err.toString().contains("Finishing"), err.toString());
    }
}
