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

    /** New connections in the burst: a few hundred ms of handshake work on a two-core machine. */
    private static final int NEWCOMERS = 400;

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
    void establishedConnectionsAreAnsweredWhileABurstOfHandshakesIsWorkedOff() throws Exception {
        byte[] clientHello = clientHello();
        try (RawClient established = new RawClient(TestTls.connect(server.port()), 10_000)) {
            // warm up: the request path, and the handshake's step (classes, the JIT)
            for (int i = 0; i < 200; i++) assertEquals("ok", ask(established));
            burst(clientHello, 100, established);

            Result r = burst(clientHello, NEWCOMERS, established);
            assertTrue(r.burstMillis >= 100, "the burst took only " + r.burstMillis + " ms: too short to tell anything (raise NEWCOMERS)");
            assertTrue(r.requests >= 5, "only " + r.requests + " requests answered during a burst of " + r.burstMillis + " ms");
            // measured here: the slowest a sixth to a twelfth of the burst (the newcomers' own first bytes, read
            // and set up on their threads, still come before it); two thirds and more when the handshakes
            // ran on the connections' threads, with 10 requests answered in a whole second
            assertTrue(r.slowestMillis * 3 < r.burstMillis, "the slowest request on the established connection took "
                    + r.slowestMillis + " ms during a burst of " + r.burstMillis + " ms of " + NEWCOMERS + " handshakes");
        }
    }

    private record Result(long burstMillis, long slowestMillis, int requests) {
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
