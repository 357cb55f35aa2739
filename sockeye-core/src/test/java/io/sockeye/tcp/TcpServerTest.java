package io.sockeye.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.LogCapture;

/**
 * The TCP layer on its own: a {@link ConnectionHandler} served by a {@link TcpServer}, driven by plain
 * {@link Socket} clients. Every server listens on 127.0.0.1 (or ::1), port 0.
 */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class TcpServerTest {

    private static final String QUESTION = "can you hear me?";
    private static final InetAddress LOOPBACK = loopback4();

    private final List<TcpServer> servers = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (TcpServer s : servers) s.shutdown(Duration.ZERO);
    }

    // ---- the tutorial's first step ----

    /** Reads until the question has fully arrived (or the client stops sending), then answers {@code Yes}. */
    private static final class YesHandler implements ConnectionHandler {
        final AtomicReference<String> heard = new AtomicReference<>();
        final AtomicReference<TcpConnection> last = new AtomicReference<>();

        @Override
        public void handle(TcpConnection connection) throws Exception {
            last.set(connection);
            String text = readQuestion(connection);
            heard.set(text);
            if (text.equals(QUESTION)) write(connection, "Yes");
        }
    }

    @Test
    void answersYesToCanYouHearMe() throws Exception {
        YesHandler handler = new YesHandler();
        TcpServer server = start(config(), handler);

        try (Socket client = connect(server)) {
            client.getOutputStream().write(QUESTION.getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().flush();
            // the server closes the connection when the handler returns: read to the end
            assertEquals("Yes", readAll(client));
            assertEquals(QUESTION, handler.heard.get());

            TcpConnection c = handler.last.get();
            assertEquals(client.getLocalPort(), c.remoteAddress().getPort(), "remoteAddress is the client's");
            assertEquals(client.getLocalAddress(), c.remoteAddress().getAddress());
            assertEquals(server.port(), c.localAddress().getPort(), "localAddress is the server's end");
            assertTrue(c.id() > 0);
        }
    }

    @Test
    void eachConnectionGetsADistinctId() throws Exception {
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        TcpServer server = start(config(), c -> {
            ids.add(c.id());
            write(c, "ok");
        });
        for (int i = 0; i < 5; i++) {
            try (Socket client = connect(server)) {
                assertEquals("ok", readAll(client));
            }
        }
        assertEquals(5, ids.size(), "ids are unique among a server's connections: " + ids);
    }

    @Test
    void portZeroGivesARealPort() throws Exception {
        TcpServer server = start(config(), new YesHandler());
        int port = server.port();
        assertTrue(port > 0 && port <= 65535, "a real port: " + port);
        assertEquals(port, server.localAddress().getPort());
        assertEquals(LOOPBACK, server.localAddress().getAddress());
        assertEquals("Yes", ask(new InetSocketAddress(LOOPBACK, port)));
    }

    @Test
    void bindsTheIpv6Loopback() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        assumeTrue(canBind(v6), "no IPv6 loopback on this machine");
        TcpServer server = start(config().withAddress(v6, 0), new YesHandler());

        assertInstanceOf(Inet6Address.class, server.localAddress().getAddress());
        assertTrue(server.localAddress().getAddress().isLoopbackAddress());
        assertTrue(server.port() > 0);
        assertEquals("Yes", ask(new InetSocketAddress(v6, server.port())));
    }

    @Test
    void bindingATakenPortThrowsBindExceptionNamingAddressAndPortAndTheFirstServerKeepsWorking() throws Exception {
        TcpServer first = start(config(), new YesHandler());
        int port = first.port();

        BindException e = assertThrows(BindException.class,
                () -> start(config().withAddress(LOOPBACK, port), new YesHandler()));
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains("127.0.0.1"), "message names the address: " + e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(port)), "message names the port: " + e.getMessage());

        assertEquals("Yes", ask(new InetSocketAddress(LOOPBACK, port)), "the first server still answers");
        assertFalse(first.isStopping());
    }

    @Test
    void bindingAPortHeldByAnotherSocketThrowsBindException() throws Exception {
        try (ServerSocket other = new ServerSocket(0, 50, LOOPBACK)) {
            int port = other.getLocalPort();
            BindException e = assertThrows(BindException.class,
                    () -> start(config().withAddress(LOOPBACK, port), new YesHandler()));
            assertTrue(e.getMessage().contains("127.0.0.1:" + port), "message names address and port: " + e.getMessage());
        }
    }

    // ---- concurrency and the connection cap ----

    @Test
    void manyConcurrentConnectionsEachGetTheirOwnThread() throws Exception {
        int n = 50;
        CountDownLatch arrived = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        TcpServer server = start(config(), c -> {
            String q = readQuestion(c);
            threads.add(Thread.currentThread());
            arrived.countDown();
            assertTrue(release.await(10, TimeUnit.SECONDS));
            write(c, q.equals(QUESTION) ? "Yes" : "No");
        });

        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = connect(server);
            clients.add(s);
            s.getOutputStream().write(QUESTION.getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
        }
        // all fifty are being served at the same time, none waits for another to finish
        assertTrue(arrived.await(5, TimeUnit.SECONDS), "only " + (n - arrived.getCount()) + " of " + n + " served at once");
        assertEquals(n, threads.size(), "one thread per connection");
        for (Thread t : threads) assertTrue(t.isVirtual(), "connections run on virtual threads: " + t);
        assertEquals(n, server.connectionCount());

        release.countDown();
        for (Socket s : clients) assertEquals("Yes", readAll(s));
        awaitTrue(() -> server.connectionCount() == 0, "connections are forgotten once closed");
    }

    @Test
    void maxConnectionsHoldsTheThirdClientInTheBacklogWhileTheOthersAreActive() throws Exception {
        AtomicInteger served = new AtomicInteger();
        TcpServer server = start(config().withMaxConnections(2), c -> {
            c.markActive(); // busy: not to be closed to make room
            String q = readQuestion(c);
            served.incrementAndGet();
            write(c, q.equals(QUESTION) ? "Yes" : "No");
            // hold the slot until the client goes away
            ByteBuffer b = ByteBuffer.allocate(64);
            while (c.channel().read(b) >= 0) b.clear();
        });

        Socket a = connect(server);
        Socket b = connect(server);
        for (Socket s : List.of(a, b)) {
            s.getOutputStream().write(QUESTION.getBytes(StandardCharsets.US_ASCII));
            assertEquals("Yes", readExactly(s, 3));
        }
        assertEquals(2, served.get());

        // the kernel accepts the third connection (no refusal), but the server does not serve it yet
        Socket c = connect(server);
        assertTrue(c.isConnected());
        c.getOutputStream().write(QUESTION.getBytes(StandardCharsets.US_ASCII));
        c.setSoTimeout(400);
        InputStream cin = c.getInputStream();
        try {
            int r = cin.read();
            fail("the third client was answered (or dropped) while two were being served: read returned " + r);
        } catch (SocketTimeoutException expected) {
            // waiting in the backlog, as it should
        }
        assertEquals(2, served.get());
        assertEquals(2, server.connectionCount());

        a.close();
        c.setSoTimeout(5000);
        assertEquals("Yes", readExactly(c, 3), "the third client is served once a slot frees");
        assertEquals(3, served.get());
    }

    // ---- graceful shutdown ----

    @Test
    void shutdownClosesIdleAtOnceLetsActiveFinishAndForceClosesOverruns() throws Exception {
        long graceMillis = 1000;
        CountDownLatch ready = new CountDownLatch(3);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        TcpServer server = start(config(), c -> {
            threads.add(Thread.currentThread());
            ByteBuffer one = ByteBuffer.allocate(1);
            if (c.channel().read(one) < 0) return;
            switch (one.get(0)) {
                case 'I' -> { // idle: waiting for the peer, never marked active
                    ready.countDown();
                    ByteBuffer b = ByteBuffer.allocate(64);
                    while (c.channel().read(b) >= 0) b.clear();
                }
                case 'A' -> { // active: a unit of work that takes 300 ms, well within the grace
                    assertTrue(c.markActive());
                    ready.countDown();
                    Thread.sleep(300);
                    write(c, "done");
                    c.markIdle();
                }
                case 'O' -> { // overrun: active and stuck far beyond the grace
                    assertTrue(c.markActive());
                    ready.countDown();
                    ByteBuffer b = ByteBuffer.allocate(64);
                    while (c.channel().read(b) >= 0) b.clear();
                }
                default -> throw new IllegalStateException("unexpected");
            }
        });
        int port = server.port();

        Socket idle = connect(server);
        Socket active = connect(server);
        Socket overrun = connect(server);
        idle.getOutputStream().write('I');
        active.getOutputStream().write('A');
        overrun.getOutputStream().write('O');
        assertTrue(ready.await(5, TimeUnit.SECONDS));

        long start = System.nanoTime();
        ClientWatch idleWatch = ClientWatch.start(idle, start);
        ClientWatch activeWatch = ClientWatch.start(active, start);
        ClientWatch overrunWatch = ClientWatch.start(overrun, start);

        server.shutdown(Duration.ofMillis(graceMillis));
        long shutdownMillis = millisSince(start);

        idleWatch.await();
        activeWatch.await();
        overrunWatch.await();

        assertEquals("", idleWatch.text(), "idle connection gets nothing");
        assertTrue(idleWatch.endedMillis < 500, "idle connection closed at once, not after " + idleWatch.endedMillis + " ms");

        assertEquals("done", activeWatch.text(), "active connection finished its work");
        assertTrue(activeWatch.endedMillis < graceMillis, "active connection ended within the grace: " + activeWatch.endedMillis);

        assertEquals("", overrunWatch.text());
        assertTrue(overrunWatch.endedMillis >= graceMillis - 100,
                "overrunning connection kept for the grace period, closed after " + overrunWatch.endedMillis + " ms");
        assertTrue(overrunWatch.endedMillis < graceMillis + 1500,
                "overrunning connection force-closed soon after the grace, not after " + overrunWatch.endedMillis + " ms");

        assertTrue(shutdownMillis >= graceMillis - 100, "shutdown waited for the grace: " + shutdownMillis);
        assertTrue(server.isStopping());
        assertEquals(0, server.connectionCount(), "shutdown returns once the connections are gone");

        // the connection threads have ended
        for (Thread t : threads) {
            t.join(1000);
            assertFalse(t.isAlive(), "connection thread still running after shutdown: " + t);
        }
        // no platform threads of this server remain (the accept and deadline threads)
        awaitTrue(() -> serverThreads(port).isEmpty(), "sockeye threads left: " + serverThreads(port));

        // the port is free again: another server can listen on it and serve
        TcpServer again = start(config().withAddress(LOOPBACK, port), new YesHandler());
        assertEquals(port, again.port());
        assertEquals("Yes", ask(new InetSocketAddress(LOOPBACK, port)));
    }

    @Test
    void shutdownAtTheCapDoesNotHangAndDropsTheClientWaitingInTheBacklog() throws Exception {
        CountDownLatch serving = new CountDownLatch(1);
        TcpServer server = start(config().withMaxConnections(1), c -> {
            c.markActive(); // busy, holding the only slot: not to be closed to make room
            serving.countDown();
            ByteBuffer b = ByteBuffer.allocate(64);
            while (c.channel().read(b) >= 0) b.clear();
        });
        Socket first = connect(server);
        assertTrue(serving.await(5, TimeUnit.SECONDS));
        Socket queued = connect(server); // accepted by the kernel only
        queued.getOutputStream().write(QUESTION.getBytes(StandardCharsets.US_ASCII));

        long t0 = System.nanoTime();
        server.shutdown(Duration.ofMillis(300)); // the busy connection is closed after this grace
        assertTrue(millisSince(t0) < 1500, "the acceptor waiting for a slot must not hold shutdown up: " + millisSince(t0) + " ms");
        assertEquals(0, server.connectionCount());
        awaitTrue(() -> serverThreads(server.port()).isEmpty(), "threads left: " + serverThreads(server.port()));
        for (Socket s : List.of(first, queued)) {
            try {
                assertEquals(-1, s.getInputStream().read(), "nothing is sent to a client the server dropped");
            } catch (IOException reset) {
                // a reset is a fine way to be dropped from the backlog
            }
        }
    }

    @Test
    void shutdownRefusesNewConnectionsAndIsIdempotent() throws Exception {
        TcpServer server = start(config(), new YesHandler());
        int port = server.port();
        server.shutdown(Duration.ofSeconds(1));
        assertThrows(IOException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(LOOPBACK, port), 2000);
            }
        });
        long t0 = System.nanoTime();
        server.shutdown(Duration.ofSeconds(1)); // a second call returns, promptly
        server.close();
        assertTrue(millisSince(t0) < 500);
        server.awaitTermination(); // already stopped: returns at once
    }

    @Test
    void shutdownWithNoConnectionsReturnsPromptly() throws Exception {
        TcpServer server = start(config(), new YesHandler());
        long t0 = System.nanoTime();
        server.shutdown(Duration.ofSeconds(5));
        assertTrue(millisSince(t0) < 1000, "nothing to wait for, yet shutdown took " + millisSince(t0) + " ms");
    }

    // ---- failures ----

    @Test
    void aHandlerThatThrowsIsLoggedAndTheServerKeepsServing() throws Exception {
        RuntimeException boom = new IllegalStateException("boom from the test handler");
        try (LogCapture log = LogCapture.of("io.sockeye")) {
            TcpServer server = start(config(), c -> {
                ByteBuffer first = ByteBuffer.allocate(1);
                c.channel().read(first);
                if (first.get(0) == 'X') throw boom;
                c.channel().write(ByteBuffer.wrap("Yes".getBytes(StandardCharsets.US_ASCII)));
            });

            int clientPort;
            try (Socket bad = connect(server)) {
                clientPort = bad.getLocalPort();
                bad.getOutputStream().write('X');
                assertEquals("", readAll(bad), "the connection is closed after the handler threw");
            }
            LogRecord record = awaitRecord(log, r -> r.getThrown() == boom);
            assertTrue(record.getLevel().intValue() >= Level.WARNING.intValue(), "logged as a problem: " + record.getLevel());
            assertTrue(record.getMessage().contains(String.valueOf(clientPort)),
                    "the log line names the peer: " + record.getMessage());

            for (int i = 0; i < 3; i++) {
                try (Socket ok = connect(server)) {
                    ok.getOutputStream().write('?');
                    assertEquals("Yes", readAll(ok), "the server keeps serving after a handler failed");
                }
            }
            assertFalse(server.isStopping());
            awaitTrue(() -> server.connectionCount() == 0, "the failed connection's slot is freed");
        }
    }

    @Test
    void failedConnectionsFreeTheirSlots() throws Exception {
        // with a cap of one, a slot that leaked on a handler failure would leave every later client waiting
        TcpServer server = start(config().withMaxConnections(1), c -> {
            ByteBuffer first = ByteBuffer.allocate(1);
            c.channel().read(first);
            if (first.get(0) == 'X') throw new IllegalArgumentException("expected by the test");
            c.channel().write(ByteBuffer.wrap("Yes".getBytes(StandardCharsets.US_ASCII)));
        });
        try (LogCapture ignored = LogCapture.of("io.sockeye")) {
            for (int i = 0; i < 3; i++) {
                try (Socket bad = connect(server)) {
                    bad.getOutputStream().write('X');
                    assertEquals("", readAll(bad));
                }
            }
        }
        try (Socket ok = connect(server)) {
            ok.getOutputStream().write('?');
            assertEquals("Yes", readAll(ok));
        }
    }

    // ---- deadlines ----

    @Test
    void aReadBlockedPastItsDeadlineReturnsEndOfStreamAndTimedOut() throws Exception {
        AtomicInteger result = new AtomicInteger(Integer.MIN_VALUE);
        AtomicReference<Boolean> timedOutBefore = new AtomicReference<>();
        AtomicReference<Boolean> timedOutAfter = new AtomicReference<>();
        AtomicLong elapsed = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        TcpServer server = start(config(), c -> {
            try {
                timedOutBefore.set(c.timedOut());
                long t0 = System.nanoTime();
                c.setDeadline(t0 + TimeUnit.MILLISECONDS.toNanos(200));
                result.set(c.channel().read(ByteBuffer.allocate(16)));
                elapsed.set(millisSince(t0));
                timedOutAfter.set(c.timedOut());
            } finally {
                done.countDown();
            }
        });
        try (Socket client = connect(server)) { // connects, then says nothing
            assertTrue(done.await(5, TimeUnit.SECONDS), "the read never returned");
            assertEquals(-1, result.get(), "the blocked read returns end of stream");
            assertEquals(Boolean.FALSE, timedOutBefore.get());
            assertEquals(Boolean.TRUE, timedOutAfter.get(), "timedOut() tells the end of stream came from the deadline");
            assertTrue(elapsed.get() >= 190, "not before the deadline: " + elapsed.get() + " ms");
            assertTrue(elapsed.get() < 2000, "soon after the deadline: " + elapsed.get() + " ms");
            assertEquals("", readAll(client));
        }
    }

    @Test
    void aClearedDeadlineDoesNotFire() throws Exception {
        AtomicReference<String> got = new AtomicReference<>();
        AtomicReference<Boolean> timedOut = new AtomicReference<>();
        TcpServer server = start(config(), c -> {
            c.setDeadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
            c.clearDeadline();
            got.set(readQuestion(c));
            timedOut.set(c.timedOut());
            write(c, "Yes");
        });
        try (Socket client = connect(server)) {
            Thread.sleep(400); // well past the deadline that was cleared
            client.getOutputStream().write(QUESTION.getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertEquals("Yes", readAll(client));
        }
        assertEquals(QUESTION, got.get());
        assertEquals(Boolean.FALSE, timedOut.get());
    }

    @Test
    void aWriteBlockedOnAClientThatNeverReadsIsEventuallyClosed() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong elapsed = new AtomicLong();
        AtomicLong written = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        TcpServer server = start(config(), c -> {
            long t0 = System.nanoTime();
            try {
                c.setDeadline(t0 + TimeUnit.MILLISECONDS.toNanos(200));
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                while (millisSince(t0) < 10_000) {
                    chunk.clear();
                    written.addAndGet(c.channel().write(chunk));
                }
            } catch (Throwable e) {
                failure.set(e);
            } finally {
                elapsed.set(millisSince(t0));
                done.countDown();
            }
        });
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(4096);
            client.connect(new InetSocketAddress(LOOPBACK, server.port()));
            // never reads
            assertTrue(done.await(8, TimeUnit.SECONDS), "the write was never ended; wrote " + written.get() + " bytes");
        }
        assertInstanceOf(IOException.class, failure.get(), "the blocked write fails once the connection is closed");
        assertTrue(elapsed.get() >= 190, "not before the deadline: " + elapsed.get() + " ms");
        assertTrue(elapsed.get() < 5000, "closed a moment after the deadline: " + elapsed.get() + " ms");
    }

    // ---- config validation (documented on the record's constructor) ----

    @Test
    void configRejectsNonsense() {
        TcpConfig d = TcpConfig.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withMaxConnections(0));
        assertThrows(IllegalArgumentException.class, () -> d.withBacklog(0));
        assertThrows(IllegalArgumentException.class, () -> d.withSweepInterval(Duration.ZERO));
        assertThrows(NullPointerException.class, () -> d.withName(null));
        assertNotEquals(d, d.withMaxConnections(5));
        assertEquals(5, d.withMaxConnections(5).maxConnections());
    }

    // ---- helpers ----

    private static TcpConfig config() {
        return TcpConfig.defaults().withAddress(LOOPBACK, 0).withSweepInterval(Duration.ofMillis(20)).withName("test");
    }

    private TcpServer start(TcpConfig config, ConnectionHandler handler) throws IOException {
        TcpServer server = TcpServer.start(config, handler);
        servers.add(server);
        return server;
    }

    private Socket connect(TcpServer server) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(new InetSocketAddress(LOOPBACK, server.port()), 5000);
        s.setSoTimeout(8000);
        return s;
    }

    /** Asks the question on a new connection and returns everything the server sends before closing. */
    private String ask(java.net.SocketAddress address) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(address, 5000);
            s.setSoTimeout(8000);
            s.getOutputStream().write(QUESTION.getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            return readAll(s);
        }
    }

    private static String readQuestion(TcpConnection c) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(1024);
        while (in.position() < QUESTION.length()) {
            if (c.channel().read(in) < 0) break;
        }
        return new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
    }

    private static void write(TcpConnection c, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) c.channel().write(b);
    }

    private static String readAll(Socket s) throws IOException {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }

    private static String readExactly(Socket s, int n) throws IOException {
        byte[] b = s.getInputStream().readNBytes(n);
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static long millisSince(long nanoStart) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoStart);
    }

    private static List<String> serverThreads(int port) {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("sockeye-") && t.getName().contains("-" + port + "-")) names.add(t.getName());
        }
        return names;
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String message) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) fail(message);
            Thread.sleep(10);
        }
    }

    private static LogRecord awaitRecord(LogCapture log, java.util.function.Predicate<LogRecord> p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() - deadline < 0) {
            for (LogRecord r : log.records()) {
                if (p.test(r)) return r;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no such log record in " + log.messages());
    }

    private static boolean canBind(InetAddress address) {
        try (ServerSocket s = new ServerSocket(0, 1, address)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static InetAddress loopback4() {
        try {
            return InetAddress.getByName("127.0.0.1");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Reads a client socket to its end on a thread of its own, noting when it ended. */
    private static final class ClientWatch {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final CountDownLatch ended = new CountDownLatch(1);
        volatile long endedMillis = -1;

        static ClientWatch start(Socket s, long t0) {
            ClientWatch w = new ClientWatch();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    InputStream in = s.getInputStream();
                    byte[] b = new byte[256];
                    int n;
                    while ((n = in.read(b)) >= 0) {
                        synchronized (w.got) {
                            w.got.write(b, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // reset: ended as well
                } finally {
                    w.endedMillis = millisSince(t0);
                    w.ended.countDown();
                }
            });
            return w;
        }

        void await() throws InterruptedException {
            assertTrue(ended.await(8, TimeUnit.SECONDS), "the connection was never closed");
        }

        String text() {
            synchronized (got) {
                return got.toString(StandardCharsets.US_ASCII);
            }
        }
    }
}
