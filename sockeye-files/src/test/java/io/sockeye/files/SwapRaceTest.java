package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.gunzip;
import static io.sockeye.files.FilesTestSupport.header;
import static io.sockeye.files.FilesTestSupport.textBytes;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.sockeye.HttpServer;

/**
 * What is served is what was checked: a served file, large (sent from disk) or small (kept in memory),
 * swapped for a link out of the root, a link into an excluded directory, a FIFO or a directory, between
 * requests and while requests stream in, never sends what the swap leads to, never hangs a request, and
 * never stops the server answering others. Both ways of opening files; with and without exclusions (the
 * native way then walks in the kernel with {@code openat2}, or itself).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SwapRaceTest {

    static final int BIG = 300 * 1024;
    static final int SMALL = 3000;
    static final String SECRET = "OUTSIDE-SECRET";
    static final String SCRIPT = "SCRIPT-SOURCE";
    static final String[] NAMES = {"big.txt", "small.txt"};

    enum Kind { ORIGINAL, LINK_OUT, LINK_EXCLUDED, FIFO, DIRECTORY }

    @TempDir
    Path tmp;
    Path www;
    Path side;
    HttpServer server;
    final Map<String, Kind> now = new HashMap<>();
    final Map<String, byte[]> originals = new HashMap<>();

    @AfterEach
    void stop() throws IOException {
        releaseFifos();
        if (server != null) server.close();
    }

    void start(FilesTestSupport.Access access, boolean excluding) throws Exception {
        start(access, excluding, null);
    }

    /** @param trust how long a check is trusted, or {@code null} for the default */
    void start(FilesTestSupport.Access access, boolean excluding, java.time.Duration trust) throws Exception {
        www = Files.createDirectory(tmp.resolve("www"));
        side = Files.createDirectory(www.resolve(".side")); // hidden: never served
        write(tmp.resolve("outside/secret.txt"), (SECRET + "\n").repeat(BIG / 15).getBytes(StandardCharsets.US_ASCII));
        write(www.resolve("cgi-bin/script.sh"), ("#!/bin/sh\n# " + SCRIPT + "\n").repeat(BIG / 25).getBytes(StandardCharsets.US_ASCII));
        write(www.resolve("other.txt"), "the control file");
        for (String name : NAMES) {
            byte[] content = textBytes(name.equals("big.txt") ? BIG : SMALL);
            originals.put(name, content);
            write(www.resolve(name), content);
            now.put(name, Kind.ORIGINAL);
            Files.createSymbolicLink(side(name, Kind.LINK_OUT), Path.of("../outside/secret.txt")); // relative to www/
            Files.createSymbolicLink(side(name, Kind.LINK_EXCLUDED), Path.of("cgi-bin/script.sh"));
            Files.createDirectory(side(name, Kind.DIRECTORY));
            write(side(name, Kind.DIRECTORY).resolve("inside.txt"), "inside");
            Process p = new ProcessBuilder("mkfifo", side(name, Kind.FIFO).toString()).inheritIO().start();
            assumeTrue(p.waitFor() == 0, "mkfifo is not available");
        }
        FileHandler.Builder b = access.builder(www);
        if (excluding) b.exclude(www.resolve("cgi-bin"));
        if (trust != null) b.revalidateAfter(trust);
        server = FilesTestSupport.start(b.build());
    }

    Path side(String name, Kind kind) {
        return side.resolve(name + "." + kind);
    }

    /** Puts {@code kind} under the name: the present holder goes back to its side name, then the other comes. */
    void become(String name, Kind kind) throws IOException {
        Kind was = now.get(name);
        if (was == kind) return;
        Files.move(www.resolve(name), side(name, was), StandardCopyOption.ATOMIC_MOVE);
        Files.move(side(name, kind), www.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        now.put(name, kind);
    }

    /** Gives every FIFO a writer, so that no open waits on one after the test (the JDK way may have one). */
    void releaseFifos() throws IOException {
        if (www == null) return;
        for (String name : NAMES) {
            Path fifo = now.get(name) == Kind.FIFO ? www.resolve(name) : side(name, Kind.FIFO);
            if (Files.exists(fifo)) {
                // O_RDWR on a FIFO never waits, and a waiting reader sees a writer come and go
                FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
            }
        }
    }

    /** @return a problem with the answer for a file that may be swapped, or {@code null} if it is fine */
    String check(String name, boolean gzip, HttpResponse<byte[]> r) throws IOException {
        byte[] body = "gzip".equals(header(r, "Content-Encoding")) ? gunzip(r.body()) : r.body();
        String text = new String(body, StandardCharsets.ISO_8859_1);
        if (text.contains(SECRET)) return name + (gzip ? " (gzip)" : "") + " sent the file outside the root";
        if (text.contains(SCRIPT)) return name + (gzip ? " (gzip)" : "") + " sent the excluded script";
        int s = r.statusCode();
        if (s == 200 && !java.util.Arrays.equals(originals.get(name), body)) return name + ": 200 with other bytes (" + body.length + ")";
        if (s != 200 && s != 301 && s != 403 && s != 404 && s != 503) return name + ": status " + s;
        return null;
    }

    @ParameterizedTest
    @CsvSource({"NATIVE,false", "NATIVE,true", "JDK,false", "JDK,true"})
    void aFileSwappedBetweenRequestsIsNeverWhatIsSent(FilesTestSupport.Access access, boolean excluding) throws Exception {
        // every request checks the disk: the swap must show in the very next answer (with the default, the
        // small file's checked bytes may still be sent for a millisecond, never anything else)
        start(access, excluding, java.time.Duration.ZERO);
        for (String name : NAMES) {
            for (Kind kind : Kind.values()) {
                if (kind == Kind.ORIGINAL || (kind == Kind.LINK_EXCLUDED && !excluding)) continue;
                become(name, Kind.ORIGINAL);
                // checked (and, for the small file, kept in memory) first: the swap comes after the check
                assertEquals(null, check(name, false, get(server, "/" + name)));
                assertEquals(200, get(server, "/" + name).statusCode());
                assertEquals(200, get(server, "/" + name, "Accept-Encoding", "gzip").statusCode());
                become(name, kind);
                for (boolean gzip : new boolean[] {false, true}) {
                    long start = System.nanoTime();
                    HttpResponse<byte[]> r = gzip ? get(server, "/" + name, "Accept-Encoding", "gzip") : get(server, "/" + name);
                    String problem = check(name, gzip, r);
                    assertEquals(null, problem, kind + ": " + problem);
                    assertTrue(r.statusCode() != 200, kind + " under " + name + " was served as the file");
                    assertTrue(r.statusCode() != 503 || access == FilesTestSupport.Access.JDK, "503 from the native way");
                    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), kind + " answered quickly");
                }
                assertEquals("the control file", FilesTestSupport.text(get(server, "/other.txt")));
            }
            become(name, Kind.ORIGINAL);
            assertArrayEquals(originals.get(name), get(server, "/" + name).body());
        }
    }

    @ParameterizedTest
    @CsvSource({"NATIVE,false", "NATIVE,true", "JDK,false", "JDK,true"})
    void aFileSwappedWhileRequestsStreamInIsNeverWhatIsSent(FilesTestSupport.Access access, boolean excluding) throws Exception {
        start(access, excluding);
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        Kind[] kinds = excluding ? Kind.values() : new Kind[] {Kind.ORIGINAL, Kind.LINK_OUT, Kind.FIFO, Kind.DIRECTORY};
        Thread swapper = Thread.ofPlatform().start(() -> {
            try {
                while (running.get()) {
                    for (String name : NAMES) become(name, kinds[ThreadLocalRandom.current().nextInt(kinds.length)]);
                }
            } catch (IOException e) {
                problems.add("the swapper failed: " + e);
            }
        });
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            clients.add(Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    String name = NAMES[ThreadLocalRandom.current().nextInt(NAMES.length)];
                    boolean gzip = ThreadLocalRandom.current().nextBoolean();
                    try {
                        HttpResponse<byte[]> r = gzip ? get(server, "/" + name, "Accept-Encoding", "gzip") : get(server, "/" + name);
                        String problem = check(name, gzip, r);
                        if (problem != null) problems.add(problem);
                        if (r.statusCode() == 200) served.incrementAndGet();
                        if (r.statusCode() == 503 && access == FilesTestSupport.Access.NATIVE) problems.add("503 from the native way");
                    } catch (Exception e) {
                        problems.add(name + ": " + e); // a timeout: a hang
                    }
                }
            }));
        }
        Thread control = Thread.ofPlatform().start(() -> {
            while (running.get()) {
                try {
                    long start = System.nanoTime();
                    HttpResponse<byte[]> r = get(server, "/other.txt");
                    if (r.statusCode() != 200 || System.nanoTime() - start > TimeUnit.SECONDS.toNanos(2)) {
                        problems.add("the control file: " + r.statusCode() + " after " + (System.nanoTime() - start) / 1_000_000 + " ms");
                    }
                    Thread.sleep(20);
                } catch (Exception e) {
                    problems.add("the control file: " + e);
                }
            }
        });
        FilesTestSupport.await(java.time.Duration.ofMillis(2500), () -> !problems.isEmpty()); // the race runs for this long
        running.set(false);
        swapper.join(5_000);
        for (Thread t : clients) t.join(10_000);
        control.join(10_000);
        releaseFifos();
        if (!problems.isEmpty()) fail(problems.size() + " problems, first: " + problems.subList(0, Math.min(5, problems.size())));
        for (String name : NAMES) become(name, Kind.ORIGINAL);
        for (String name : NAMES) {
            byte[] want = originals.get(name);
            assertTrue(FilesTestSupport.await(java.time.Duration.ofSeconds(5), () -> {
                try {
                    return java.util.Arrays.equals(want, get(server, "/" + name).body());
                } catch (Exception e) {
                    return false;
                }
            }), name + " is served again");
        }
        assertTrue(served.get() > 0, "some requests found the file in place");
    }
}
