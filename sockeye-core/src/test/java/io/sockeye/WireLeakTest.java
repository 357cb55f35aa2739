package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;

/**
 * Thousands of exchanges of every kind (kept-alive, closed, malformed, abandoned half-way, reset), then a
 * close: every socket and every thread the server made must be gone.
 */
class WireLeakTest {

    static final Path FD_DIR = Path.of("/proc/self/fd");
    static final int WORKERS = 4;

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void closedServerLeavesNoDescriptorsOrThreads() throws Exception {
        assumeTrue(Files.isDirectory(FD_DIR), "needs /proc/self/fd");
        // warm up: class loading, the JDK's pollers and the like open descriptors once and keep them
        run(10);
        awaitNoServerThreads(null);
        // the thread dump does see a server's connection threads while they run, so its silence later means something
        try (HttpServer probe = newServer(); RawClient idle = new RawClient(probe.port(), 5_000)) {
            assertEquals("ok", idle.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
            if (ServerFixture.PARK_IDLE_ABOVE == null) {
                assertEquals(1, virtualThreadsOf(probe.port()).size(), "the connection thread in a thread dump");
            } else {
                // the idle connection is parked: it has no thread, yet it is open
                assertEquals(1, probe.connectionCount());
                assertEquals("ok", idle.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
            }
        }
        awaitNoServerThreads(null);
        long baseline = settledFdCount();

        long start = System.nanoTime();
        int port;
        AtomicInteger requests = new AtomicInteger();
        try (HttpServer server = newServer()) {
            port = server.port();
            requests.set(mix(server.port(), 80));
        }
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(requests.get() >= 3000, "only " + requests.get() + " requests");

        long fds = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < deadline) {
            fds = fdCount();
            if (fds <= baseline + 2) break;
            Thread.sleep(20);
        }
        assertTrue(fds <= baseline + 2, "open descriptors: " + baseline + " before, " + fds + " after "
                + requests.get() + " requests and close: " + fdTargets());
        System.out.println("descriptors: " + baseline + " before, " + fds + " after " + requests.get() + " requests in "
                + elapsed + " ms");
        awaitNoServerThreads(port);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void closeReturnsOnlyOnceTheServerThreadsHaveEnded() throws Exception {
        // HttpServer.close(): "Returns when everything is closed." A thread of the server still running after
        // close() returns is a thread the caller cannot account for (thread-leak checks, class unloading).
        HttpServer server = newServer();
        int port = server.port();
        try (RawClient c = new RawClient(port, 5_000)) {
            assertEquals("ok", c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().text());
        }
        server.close();
        List<String> left = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive).map(Thread::getName).filter(n -> n.startsWith("sockeye-http-" + port)).toList();
        assertEquals(List.of(), left, "threads of the server on port " + port + " still alive when close() returned");
    }

    private static HttpServer newServer() throws IOException {
        return ServerFixture.start(ServerFixture.loopback().withShutdownGrace(Duration.ofMillis(200)), (req, res) -> {
            if (req.rawPath().equals("/body")) {
                res.send("read " + req.body().readAllBytes().length);
            } else {
                res.send("ok");
            }
        });
    }

    private static void run(int rounds) throws Exception {
        try (HttpServer server = newServer()) {
            mix(server.port(), rounds);
        }
    }

    /** @return how many requests were sent */
    private static int mix(int port, int roundsPerWorker) throws Exception {
        AtomicInteger requests = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < roundsPerWorker; i++) round(port, requests);
                    return null;
                }));
            }
            for (Future<?> f : done) f.get(20, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        return requests.get();
    }

    private static void round(int port, AtomicInteger requests) throws IOException {
        // kept alive: ten requests on one connection
        try (RawClient c = new RawClient(port, 5_000)) {
            for (int i = 0; i < 10; i++) {
                RawResponse r = c.send("GET /k HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertEquals(200, r.status());
            }
            requests.addAndGet(10);
        }
        // Connection: close
        try (RawClient c = new RawClient(port, 5_000)) {
            assertEquals(200, c.send("GET /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read().status());
            assertTrue(c.closedByServer());
            requests.incrementAndGet();
        }
        // malformed
        try (RawClient c = new RawClient(port, 5_000)) {
            assertEquals(400, c.send("GET / HTTP/1.1\r\n\r\n").read().status());
            requests.incrementAndGet();
        }
        // a body that is read, pipelined after a plain request
        try (RawClient c = new RawClient(port, 5_000)) {
            c.send("GET /p HTTP/1.1\r\nHost: a\r\n\r\nPOST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            assertEquals("ok", c.read().text());
            assertEquals("read 3", c.read().text());
            requests.addAndGet(2);
        }
        // gone in the middle of a head
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write("GET /half HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
            requests.incrementAndGet();
        }
        // gone in the middle of a body the handler is reading
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write("POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly ten..".getBytes(StandardCharsets.US_ASCII));
            requests.incrementAndGet();
        }
        // reset in the middle of a response it never reads
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoLinger(true, 0);
            OutputStream out = s.getOutputStream();
            out.write("GET /r HTTP/1.1\r\nHost: a\r\n\r\nGET /r HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            in.read();
            requests.addAndGet(2);
        }
    }

    private static long settledFdCount() throws Exception {
        long previous = -1;
        long now = fdCount();
        for (int i = 0; i < 50 && now != previous; i++) {
            Thread.sleep(20);
            previous = now;
            now = fdCount();
        }
        return now;
    }

    private static long fdCount() throws IOException {
        try (Stream<Path> fds = Files.list(FD_DIR)) {
            return fds.count();
        }
    }

    private static List<String> fdTargets() {
        List<String> targets = new ArrayList<>();
        try (Stream<Path> fds = Files.list(FD_DIR)) {
            fds.forEach(p -> {
                try {
                    targets.add(p.getFileName() + "->" + Files.readSymbolicLink(p));
                } catch (IOException e) {
                    // closed while listing
                }
            });
        } catch (IOException e) {
            targets.add(e.toString());
        }
        return targets;
    }

    /**
     * Waits up to a second for every platform thread named {@code sockeye-} to end and, if the port is given,
     * for every virtual connection thread of that server too (seen through a thread dump, which lists them).
     */
    private static void awaitNoServerThreads(Integer port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        List<String> platform;
        List<String> virtual;
        do {
            platform = Thread.getAllStackTraces().keySet().stream()
                    .filter(Thread::isAlive).map(Thread::getName).filter(n -> n.startsWith("sockeye-")).toList();
            virtual = port == null ? List.of() : virtualThreadsOf(port);
            if (platform.isEmpty() && virtual.isEmpty()) return;
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        assertEquals(List.of(), platform, "platform threads left after close");
        assertEquals(List.of(), virtual, "connection threads left after close");
    }

    /**
     * HotSpotDiagnosticMXBean.dumpThreads(file, JSON), by reflection: the tests are compiled into the module,
     * which does not read java.management; they run on the class path, where it is there.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void dumpThreads(Path file) throws IOException {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            Class<?> beanType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
            Class<? extends Enum> format = (Class<? extends Enum>) Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
            Object bean = factory.getMethod("getPlatformMXBean", Class.class).invoke(null, beanType);
            beanType.getMethod("dumpThreads", String.class, format).invoke(bean, file.toString(), Enum.valueOf(format, "JSON"));
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot dump threads", e);
        }
    }

    private static List<String> virtualThreadsOf(int port) throws IOException {
        Path dump = Files.createTempFile("sockeye-threads", ".json");
        try {
            Files.delete(dump);
            dumpThreads(dump);
            String json = Files.readString(dump);
            List<String> names = new ArrayList<>();
            String prefix = "\"sockeye-http-" + port + "-conn-";
            for (int i = json.indexOf(prefix); i >= 0; i = json.indexOf(prefix, i + 1)) {
                names.add(json.substring(i + 1, json.indexOf('"', i + 1)));
            }
            return names;
        } finally {
            Files.deleteIfExists(dump);
        }
    }
}
