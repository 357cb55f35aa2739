package io.sockeye.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Idle connections at the TCP layer: closed oldest first to admit newcomers at the cap, capped per
 * client address, their waits shortened as the server fills, and parked without a thread when many.
 * The handlers here speak a line protocol: each line gets "n:line" back, n counting the lines the
 * connection has carried (kept across parking), and the connection is idle between lines.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class TcpIdleConnectionsTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final List<TcpServer> servers = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void cleanUp() throws IOException {
        for (Socket s : sockets) s.close();
        for (TcpServer s : servers) s.shutdown(Duration.ZERO);
    }

    /** Counts lines per connection; idle (and parked, when the server advises it) between them. */
    private static final class LineCounter implements ConnectionHandler {
        final long idleNanos;
        /** Lines begun but not yet ended: connections that are busy. */
        final java.util.concurrent.atomic.AtomicInteger busy = new java.util.concurrent.atomic.AtomicInteger();
        /**
         * Answers after which the connection was marked idle again. The client reads an answer before the
         * server marks the connection idle, so a test that needs it idle (to be reclaimed) waits for this.
         */
        final java.util.concurrent.atomic.AtomicInteger idleAgain = new java.util.concurrent.atomic.AtomicInteger();
        /** Handlers running now: a parked connection has none. */
        final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();

        LineCounter(Duration idle) {
            this.idleNanos = idle.toNanos();
        }

        @Override
        public void handle(TcpConnection c) throws IOException {
            running.incrementAndGet();
            try {
                serve(c);
            } finally {
                running.decrementAndGet();
            }
        }

        private void serve(TcpConnection c) throws IOException {
            int[] count = (int[]) c.attachment();
            if (count == null) c.attach(count = new int[1]);
            ByteBuffer in = ByteBuffer.allocate(256);
            java.util.concurrent.atomic.AtomicBoolean busyLine = new java.util.concurrent.atomic.AtomicBoolean();
            while (true) {
                c.setShrinkingTimeout(idleNanos);
                if (in.position() == 0 && c.parkUntilReadable()) return;
                if (c.channel().read(in) < 0) return;
                c.clearDeadline();
                int nl = indexOf(in, (byte) '\n');
                if (nl < 0) {
                    if (c.markActive() && busyLine.compareAndSet(false, true)) busy.incrementAndGet();
                    continue; // a line has begun: busy until it is answered
                }
                c.markActive();
                if (busyLine.compareAndSet(true, false)) busy.decrementAndGet();
                String line = new String(in.array(), 0, nl, StandardCharsets.US_ASCII);
                in.flip().position(nl + 1);
                in.compact();
                byte[] answer = (++count[0] + ":" + line + "\n").getBytes(StandardCharsets.US_ASCII);
                ByteBuffer out = ByteBuffer.wrap(answer);
                while (out.hasRemaining()) c.channel().write(out);
                if (!c.markIdle()) return;
                idleAgain.incrementAndGet();
            }
        }

        private static int indexOf(ByteBuffer b, byte x) {
            for (int i = 0; i < b.position(); i++) {
                if (b.get(i) == x) return i;
            }
            return -1;
        }
    }

    @Test
    void atTheCapTheLongestIdleConnectionIsClosedToAdmitANewClient() throws Exception {
        LineCounter handler = new LineCounter(Duration.ofSeconds(60));
        TcpServer server = start(config().withMaxConnections(2), handler);
        Socket oldest = connect(server);
        assertEquals("1:a", askUntilIdle(handler, oldest, "a"));
        Socket younger = connect(server);
        assertEquals("1:b", askUntilIdle(handler, younger, "b"));
        awaitTrue(() -> server.connectionCount() == 2, "two connections open");

        long t0 = System.nanoTime();
        Socket newcomer = connect(server);
        assertEquals("1:c", ask(newcomer, "c"), "the newcomer is served");
        assertTrue(millisSince(t0) < 1000, "served in " + millisSince(t0) + " ms, not after an idle timeout");
        assertEquals(-1, readOrReset(oldest), "the connection idle the longest was closed for it");
        assertEquals("2:still", ask(younger, "still"), "the younger idle connection was left alone");
    }

    @Test
    void aConnectionInTheMiddleOfALineIsNeverClosedToMakeRoom() throws Exception {
        LineCounter handler = new LineCounter(Duration.ofSeconds(60));
        TcpServer server = start(config().withMaxConnections(2), handler);
        Socket busy = connect(server);
        busy.getOutputStream().write("half a li".getBytes(StandardCharsets.US_ASCII)); // active from here on
        awaitTrue(() -> handler.busy.get() == 1, "the first connection is busy");
        Socket idle = connect(server);
        assertEquals("1:x", askUntilIdle(handler, idle, "x"));
        // the busy connection is the older one: it must still not be chosen

        Socket newcomer = connect(server);
        assertEquals("1:n", ask(newcomer, "n"));
        assertEquals(-1, readOrReset(idle), "the idle connection made room");
        busy.getOutputStream().write("ne\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("1:half a line", readLine(busy), "the busy connection finished its line");
    }

    @Test
    void aClientAtItsAddressCapLosesItsOwnIdleConnectionOrIsRefused() throws Exception {
        LineCounter handler = new LineCounter(Duration.ofSeconds(60));
        TcpServer server = start(config().toBuilder().maxConnectionsPerAddress(2).build(), handler);
        Socket first = connect(server);
        assertEquals("1:a", askUntilIdle(handler, first, "a"));
        Socket second = connect(server);
        second.getOutputStream().write("busy".getBytes(StandardCharsets.US_ASCII)); // mid-line: active
        awaitTrue(() -> handler.busy.get() == 1, "the second connection is busy");

        Socket third = connect(server);
        assertEquals("1:c", ask(third, "c"), "the third is served: the address's idle connection made room");
        assertEquals(-1, readOrReset(first));

        third.getOutputStream().write("also busy".getBytes(StandardCharsets.US_ASCII));
        awaitTrue(() -> handler.busy.get() == 2 && server.connectionCount() == 2, "both busy, the idle one gone");
        Socket fourth = connect(server);
        fourth.getOutputStream().write("d\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(-1, readOrReset(fourth), "nothing of this address is idle: the newcomer is closed at once");
        awaitTrue(() -> server.connectionCount() == 2, "the refused connection holds no slot");
        second.getOutputStream().write("\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("1:busy", readLine(second), "the address's busy connections were left alone");
    }

    @Test
    void aChurningCrowdAtTheCapNeverStopsTheAcceptor() throws Exception {
        // Hundreds of connections go idle and active all the time while newcomers press on the cap, so the
        // idle times the acceptor sorts by change under it (a sort on live values once threw "Comparison
        // method violates its general contract" and killed the accept thread for good)
        int cap = 300;
        TcpServer server = start(config().withMaxConnections(cap), new LineCounter(Duration.ofSeconds(60)));
        try (io.sockeye.testsupport.LogCapture log = io.sockeye.testsupport.LogCapture.of("io.sockeye")) {
            List<Thread> crowd = new ArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger answers = new java.util.concurrent.atomic.AtomicInteger();
            for (int t = 0; t < 8; t++) {
                crowd.add(Thread.ofPlatform().start(() -> {
                    List<Socket> mine = new ArrayList<>();
                    java.util.Random random = new java.util.Random();
                    while (!stop.get()) {
                        try {
                            if (mine.size() < cap / 4) {
                                Socket s = new Socket(LOOPBACK, server.port());
                                s.setSoTimeout(5000);
                                mine.add(s);
                            }
                            Socket s = mine.get(random.nextInt(mine.size()));
                            ask(s, "x");
                            answers.incrementAndGet();
                        } catch (IOException closedToMakeRoom) {
                            mine.removeIf(Socket::isClosed);
                            mine.removeIf(s -> {
                                try {
                                    s.sendUrgentData(0);
                                    return false;
                                } catch (IOException gone) {
                                    return true;
                                }
                            });
                        }
                        if (mine.size() >= cap / 4) {
                            Socket victim = mine.remove(random.nextInt(mine.size()));
                            try {
                                victim.close();
                            } catch (IOException ignored) {
                                // closing anyway
                            }
                        }
                    }
                    for (Socket s : mine) {
                        try {
                            s.close();
                        } catch (IOException ignored) {
                            // closing anyway
                        }
                    }
                }));
            }
            Thread.sleep(3000);
            stop.set(true);
            for (Thread t : crowd) t.join(10_000);
            assertTrue(answers.get() > 1000, "the crowd was served: " + answers.get());
            Socket late = connect(server);
            long t0 = System.nanoTime();
            assertEquals("1:late", ask(late, "late"), "the acceptor still accepts");
            assertTrue(millisSince(t0) < 2000, "a newcomer after the crowd waited " + millisSince(t0) + " ms");
            assertTrue(log.records().stream().noneMatch(r -> r.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()),
                    "errors logged: " + log.messages());
        }
    }

    @Test
    void aNewConnectionIsNotClosedToMakeRoomBeforeItHadTimeToSpeak() throws Exception {
        // at the cap, connections accepted moments ago may have their first request on the way (sent, not
        // yet read): closing them loses requests that clients do not retry. Only after a second are they fair game
        TcpServer server = start(config().withMaxConnections(3), new LineCounter(Duration.ofSeconds(60)));
        Socket a = connect(server);
        Socket b = connect(server);
        Socket c = connect(server);
        awaitTrue(() -> server.connectionCount() == 3, "three connections open");
        long t0 = System.nanoTime();
        Socket late = connect(server);
        late.getOutputStream().write("late\n".getBytes(StandardCharsets.US_ASCII));
        late.setSoTimeout(600);
        try {
            int r = late.getInputStream().read();
            fail("a connection under a second old was closed to make room (the newcomer got " + r + ")");
        } catch (SocketTimeoutException waiting) {
            // right: the young silent connections are left to speak
        }
        late.setSoTimeout(5000);
        assertEquals("1:a", ask(a, "a"), "a young connection that speaks is served, not closed for the newcomer");
        assertEquals("1:late", readLine(late), "the newcomer is served once a connection may go");
        assertTrue(millisSince(t0) < 3000, "the newcomer waited " + millisSince(t0) + " ms");
        assertEquals(3, server.connectionCount());
    }

    @Test
    void anAddressAtItsCapMakesRoomAmongItsOwnConnectionsOnly() throws Exception {
        InetAddress other = InetAddress.getByName("127.0.0.2");
        LineCounter handler = new LineCounter(Duration.ofSeconds(60));
        TcpServer server = start(config().toBuilder().maxConnections(4).maxConnectionsPerAddress(2).build(), handler);
        List<Socket> others = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Socket s = new Socket();
            sockets.add(s);
            s.bind(new InetSocketAddress(other, 0));
            s.connect(new InetSocketAddress(LOOPBACK, server.port()), 5000);
            s.setSoTimeout(5000);
            assertEquals("1:o" + i, askUntilIdle(handler, s, "o" + i));
            others.add(s);
        }
        Socket mine1 = connect(server);
        assertEquals("1:m1", askUntilIdle(handler, mine1, "m1"));
        Socket mine2 = connect(server);
        assertEquals("1:m2", askUntilIdle(handler, mine2, "m2"));
        // every slot is taken, and this address holds its two: its third takes the room of its own oldest
        Socket mine3 = connect(server);
        assertEquals("1:m3", ask(mine3, "m3"));
        assertEquals(-1, readOrReset(mine1), "this address's own longest-idle connection made room");
        for (Socket s : others) assertEquals("2:still", ask(s, "still"), "the other address's older idle connections were left alone");
    }

    @Test
    void ipv6ClientsAreCountedByTheirSlash64() throws Exception {
        assertEquals(InetAddress.getByName("2001:db8:1:2::"), AddressCounts.key(InetAddress.getByName("2001:db8:1:2:aaaa:bbbb:cccc:dddd")));
        assertEquals(AddressCounts.key(InetAddress.getByName("2001:db8:1:2::1")), AddressCounts.key(InetAddress.getByName("2001:db8:1:2:ffff::9")));
        assertEquals(InetAddress.getByName("192.0.2.7"), AddressCounts.key(InetAddress.getByName("::ffff:192.0.2.7")));
        assertEquals(InetAddress.getByName("192.0.2.7"), AddressCounts.key(InetAddress.getByName("192.0.2.7")));
    }

    @Test
    void idleWaitsShrinkAsTheServerFillsUp() {
        assertEquals(1.0, TcpServer.idleScale(0, 100));
        assertEquals(1.0, TcpServer.idleScale(50, 100));
        assertEquals(0.55, TcpServer.idleScale(75, 100), 1e-9);
        assertEquals(0.1, TcpServer.idleScale(100, 100), 1e-9);
        assertEquals(0.1, TcpServer.idleScale(150, 100), 1e-9);
    }

    @Test
    void aFullServerClosesIdleConnectionsSooner() throws Exception {
        // four of four slots taken: a 3 s idle wait is cut to a tenth of it
        TcpServer full = start(config().withMaxConnections(4), new LineCounter(Duration.ofSeconds(3)));
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket s = connect(full);
            assertEquals("1:" + i, ask(s, String.valueOf(i)));
            clients.add(s);
        }
        long t0 = System.nanoTime();
        for (Socket s : clients) assertEquals(-1, readOrReset(s));
        long closedAfter = millisSince(t0);
        assertTrue(closedAfter < 1500, "idle connections of a full server closed after " + closedAfter + " ms");

        // the same wait on a server with room keeps its length
        TcpServer roomy = start(config().withMaxConnections(100), new LineCounter(Duration.ofSeconds(3)));
        Socket s = connect(roomy);
        assertEquals("1:x", ask(s, "x"));
        s.setSoTimeout(1500);
        try {
            int r = s.getInputStream().read();
            fail("an idle connection of a server with room was closed early: " + r);
        } catch (SocketTimeoutException expected) {
            // still open
        }
    }

    @Test
    void parkedConnectionsKeepTheirStateAndHoldNoThread() throws Exception {
        LineCounter handler = new LineCounter(Duration.ofSeconds(60));
        TcpServer server = start(config().toBuilder().parkIdleAbove(0).build(), handler);
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Socket s = connect(server);
            assertEquals("1:hello", ask(s, "hello"));
            clients.add(s);
        }
        awaitTrue(() -> handler.running.get() == 0, "no handler left running while all are parked: " + handler.running.get());
        assertEquals(20, server.connectionCount());
        for (Socket s : clients) assertEquals("2:again", ask(s, "again"), "resumed with its count");
        // a line that arrives in pieces keeps its connection busy (never parked) until it is answered
        Socket s = clients.get(0);
        s.getOutputStream().write("in ".getBytes(StandardCharsets.US_ASCII));
        Thread.sleep(50);
        s.getOutputStream().write("pieces\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("3:in pieces", readLine(s));
        // a client that closes while parked is ended, and its slot given back
        clients.get(1).close();
        awaitTrue(() -> server.connectionCount() == 19, "the closed parked connection is forgotten");
    }

    @Test
    void parkedConnectionsTimeOutAndAreClosedByShutdown() throws Exception {
        TcpServer server = start(config().toBuilder().parkIdleAbove(0).build(), new LineCounter(Duration.ofMillis(300)));
        Socket s = connect(server);
        assertEquals("1:a", ask(s, "a"));
        long t0 = System.nanoTime();
        assertEquals(-1, readOrReset(s), "a parked connection whose idle wait runs out is closed");
        assertTrue(millisSince(t0) < 2000, "closed after " + millisSince(t0) + " ms");
        awaitTrue(() -> server.connectionCount() == 0, "and forgotten");

        LineCounter handler = new LineCounter(Duration.ofSeconds(60));
        TcpServer other = start(config().toBuilder().parkIdleAbove(0).build(), handler);
        Socket p = connect(other);
        assertEquals("1:b", ask(p, "b"));
        awaitTrue(() -> handler.running.get() == 0, "parked");
        long t1 = System.nanoTime();
        other.shutdown(Duration.ofSeconds(5));
        assertTrue(millisSince(t1) < 1000, "shutdown waited " + millisSince(t1) + " ms for a parked connection");
        assertEquals(-1, readOrReset(p));
        assertEquals(0, other.connectionCount());
    }

    @Test
    void theCapIsLoweredToWhatTheOpenFilesLimitAllows() {
        long limit = OpenFilesLimit.read();
        if (limit <= 0) return; // not Linux: nothing is known, nothing clamped
        int asked = (int) Math.min(Integer.MAX_VALUE, limit * 2);
        TcpServer server;
        try {
            server = start(config().withMaxConnections(asked), new LineCounter(Duration.ofSeconds(1)));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertTrue(server.maxConnections() < limit, server.maxConnections() + " connections with " + limit + " files");
        assertTrue(server.maxConnections() >= limit - Math.max(64, limit / 10), "room kept: " + server.maxConnections());
        TcpServer small = null;
        try {
            small = start(config().withMaxConnections(10), new LineCounter(Duration.ofSeconds(1)));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertEquals(10, small.maxConnections(), "a cap within the limit is kept");
    }

    // ---- helpers ----

    private static TcpConfig config() {
        return TcpConfig.defaults().withAddress(LOOPBACK, 0).withSweepInterval(Duration.ofMillis(20)).withName("idle");
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
        s.setSoTimeout(5000);
        return s;
    }

    /** Asks, then waits until the server has marked the connection idle again (a candidate to make room). */
    private static String askUntilIdle(LineCounter handler, Socket s, String line) throws Exception {
        int before = handler.idleAgain.get();
        String answer = ask(s, line);
        awaitTrue(() -> handler.idleAgain.get() > before, "the connection is idle again after '" + line + "'");
        return answer;
    }

    private static String ask(Socket s, String line) throws IOException {
        s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        return readLine(s);
    }

    private static String readLine(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) throw new IOException("closed after '" + sb + "'");
            sb.append((char) c);
        }
        return sb.toString();
    }

    /** @return -1 once the server closed the connection (a reset counts as closed), else the byte read */
    private static int readOrReset(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException reset) {
            return -1;
        }
    }

    private static long millisSince(long nanoStart) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoStart);
    }

    private static void awaitTrue(BooleanSupplier condition, String message) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) fail(message);
            Thread.sleep(10);
        }
    }
}
