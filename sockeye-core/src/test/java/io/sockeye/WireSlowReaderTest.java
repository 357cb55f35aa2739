package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.testsupport.ServerFixture;

/**
 * {@link ServerConfig#ioTimeout()}: "how long a read of the request body or a write of the response may go
 * without progress before the connection is dropped". A client that reads a large response slowly but
 * steadily, never pausing as long as the timeout, makes progress all along and must get all of it.
 */
class WireSlowReaderTest {

    static final int IO_MS = 1_000;
    static final int BODY = 36 * 1024 * 1024;
    static final int STEP = 64 * 1024;
    static final int PAUSE_MS = 4;

    @Test
    @Timeout(value = 15, unit = TimeUnit.SECONDS)
    void steadyReaderOfALargeSentBodyIsNotCutOff() throws Exception {
        byte[] big = new byte[BODY];
        for (int i = 0; i < BODY; i++) big[i] = (byte) i;
        try (HttpServer server = ServerFixture.start(ServerFixture.loopback().withIoTimeout(Duration.ofMillis(IO_MS)),
                (req, res) -> res.send(big));
             Socket socket = new Socket()) {
            socket.setReceiveBufferSize(32 * 1024);
            socket.setSoTimeout(5_000);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
            socket.getOutputStream().write("GET /big HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();

            String head = readHead(in);
            assertTrue(head.contains("\r\nContent-Length: " + BODY + "\r\n"), head);
            long received = 0;
            long longestGap = 0;
            long last = System.nanoTime();
            byte[] buf = new byte[16 * 1024];
            String failure = null;
            long start = System.nanoTime();
            try {
                while (received < BODY) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, BODY - received));
                    if (n < 0) {
                        failure = "end of stream";
                        break;
                    }
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != (byte) (received + i)) throw new AssertionError("wrong byte at " + (received + i));
                    }
                    long now = System.nanoTime();
                    longestGap = Math.max(longestGap, now - last);
                    last = now;
                    long before = received;
                    received += n;
                    if (received / STEP != before / STEP) Thread.sleep(PAUSE_MS);
                }
            } catch (IOException e) {
                failure = e.toString();
            }
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(BODY, received, "the server dropped a client that read " + received + " of " + BODY
                    + " bytes in " + elapsed + " ms, never pausing more than " + TimeUnit.NANOSECONDS.toMillis(longestGap)
                    + " ms (ioTimeout " + IO_MS + " ms): " + failure);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) throw new IOException("closed in the head: " + sb);
            sb.append((char) c);
        }
        return sb.toString();
    }
}
