package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.SSLEngine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.LogCapture;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.ServerFixture;
import io.sockeye.testsupport.TestTls;

/**
 * A burst of new TLS connections must not stall the established ones: the costly step of each handshake
 * runs beside the connections' virtual threads, not in their queue (see io.sockeye.tls.HandshakeWorkers).
 * Without that, a request on an established connection that arrives during the burst waits for every
 * handshake step queued before it, about as long as the burst itself.
 */
class WireTlsHandshakeBurstTest {

    /** How long the measured burst should take: long enough that requests answered in it say something. */
    private static final long BURST_MILLIS = 600;

    private HttpServer server;
    private LogCapture log;

    @BeforeEach
    void start() throws IOException {
        log = LogCapture.of("io.sockeye"); // one line per newcomer, which leaves mid-handshake
        server = ServerFixture.start(ServerFixture.loopback().withTls(TestTls.serverConfig())
                .withRequestHeadTimeout(Duration.ofSeconds(30)), (req, res) -> res.send("ok"));
    }

    @AfterEach
    void stop() {
        server.close();
        log.close();
    }

    @Test
    @Timeout(120)
    void establishedConnectionsAreAnsweredWhileABurstOfHandshakesIsWorkedOff() throws Exception {
        byte[] clientHello = clientHello();
        try (RawClient established = new RawClient(TestTls.connect(server.port()), 10_000)) {
            // warm up: the request path, and the handshake's step (classes, the JIT); the second warm-up
            // burst sizes the measured one for this machine
            for (int i = 0; i < 200; i++) assertEquals("ok", ask(established));
            burst(clientHello, 100, established);
            Result warm = burst(clientHello, 100, established);
            int newcomers = (int) Math.max(200, Math.min(3_000, BURST_MILLIS * 100 / Math.max(1, warm.burstMillis)));

            Result r = burst(clientHello, newcomers, established);
            String what = r + " for " + newcomers + " handshakes";
            assertTrue(r.burstMillis >= BURST_MILLIS / 4, "the burst was too short to tell anything: " + what);
            // measured here: 500 to 1,900 requests in bursts of 0.8 to 1.4 s, the slowest a sixth to a
            // twelfth of the burst (the newcomers' first bytes, read and set up on their own threads,
            // still come before it); with the steps on the connections' threads, 10 or 11 requests in a
            // burst of about a second, the slowest two thirds of it
            assertTrue(r.requests >= r.burstMillis / 20, "too few requests answered on the established connection: " + what);
            assertTrue(r.slowestMillis * 2 < r.burstMillis, "a request on the established connection waited too long: " + what);
        }
    }

    private record Result(long burstMillis, long slowestMillis, int requests) {
        @Override
        public String toString() {
            return requests + " requests answered in a burst of " + burstMillis + " ms, the slowest in " + slowestMillis + " ms";
        }
    }

    /**
     * Opens {@code count} connections that each send the same ClientHello (the server does a full
     * handshake's costly step for each: its own key share and signature), and asks on the established
     * connection, request after request, until every newcomer has had the server's answer.
     */
    private Result burst(byte[] clientHello, int count, RawClient established) throws Exception {
        List<SocketChannel> newcomers = new ArrayList<>();
        try {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                SocketChannel c = SocketChannel.open(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), server.port()));
                c.write(ByteBuffer.wrap(clientHello));
                newcomers.add(c);
            }
            // a platform thread waits for each newcomer's first answer; meanwhile, requests
            Thread waiter = Thread.ofPlatform().start(() -> {
                ByteBuffer b = ByteBuffer.allocate(64);
                for (SocketChannel c : newcomers) {
                    try {
                        b.clear();
                        c.read(b);
                    } catch (IOException e) {
                        // counted as answered: the server has dealt with it
                    }
                }
            });
            long slowest = 0;
            int requests = 0;
            while (waiter.isAlive()) {
                long t0 = System.nanoTime();
                assertEquals("ok", ask(established));
                slowest = Math.max(slowest, System.nanoTime() - t0);
                requests++;
            }
            long burst = System.nanoTime() - start;
            return new Result(burst / 1_000_000, slowest / 1_000_000, requests);
        } finally {
            for (SocketChannel c : newcomers) c.close();
        }
    }

    private static String ask(RawClient c) throws IOException {
        return c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().text();
    }

    /** A TLS 1.3 ClientHello, as a client that trusts the test certificate sends it first. */
    private static byte[] clientHello() throws Exception {
        SSLEngine client = TestTls.clientContext().createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
        client.wrap(ByteBuffer.allocate(0), out);
        return Arrays.copyOf(out.array(), out.position());
    }
}
