package io.sockeye.http1;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.sockeye.LogText;
import io.sockeye.tcp.TcpConnection;
import io.sockeye.tls.TlsChannel;
import io.sockeye.tls.TlsEngines;

/**
 * The start of a connection to a TLS port: the handshake, within the request-head timeout (a client
 * that connects and never finishes it holds a connection slot no longer than one that never sends a
 * request), and the answer to a client that speaks plain HTTP to it: a readable 400 saying to use
 * {@code https://}, as nginx gives, rather than a hang or bytes the client cannot read. Every failure is
 * one line in the log.
 */
final class TlsHandshake {

    private static final System.Logger LOG = System.getLogger("io.sockeye");
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private TlsHandshake() {
    }

    /**
     * @return the connection's TLS channel, handshake done; or {@code null} if there is none to serve (the
     *         failure answered where it can be, and logged), and the connection should be closed
     */
    static TlsChannel begin(TcpConnection connection, TlsEngines engines, long timeoutNanos, byte[] serverLine) {
        connection.setShrinkingTimeout(timeoutNanos);
        connection.setWriteTimeout(timeoutNanos);
        TlsChannel tls = null;
        try {
            // no engine and no record buffer until the client has said something
            ByteBuffer received = TlsChannel.readFirstBytes(connection.channel());
            if (received == null) {
                LOG.log(Level.DEBUG, () -> connection + ": closed before a TLS handshake");
                return null;
            }
            int first = received.get(0) & 0xff;
            if (first != TlsChannel.HANDSHAKE_RECORD) {
                boolean http = first >= 'A' && first <= 'Z';
                LOG.log(Level.INFO, () -> "TLS handshake from " + peer(connection) + " failed: "
                        + (http ? "a plain HTTP request on the HTTPS port" : "not a TLS record (first byte " + first + ")"));
                if (http) answerPlainHttp(connection, serverLine);
                return null;
            }
            tls = engines.channel(connection.channel(), received);
            tls.handshake(() -> givenUp(connection), System.nanoTime() + timeoutNanos);
            return tls;
        } catch (IOException | RuntimeException e) {
            // RuntimeException: the JDK's engine throws some of its failures unchecked
            if (e instanceof javax.net.ssl.SSLException && tls != null && !givenUp(connection)) tls.sendFailureAlert();
            String why = connection.timedOut() ? "not finished within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"
                    : LogText.escape(String.valueOf(e.getMessage()));
            LOG.log(Level.INFO, () -> "TLS handshake from " + peer(connection) + " failed: " + why);
            return null;
        } finally {
            connection.clearDeadline();
            connection.clearWriteDeadline();
        }
    }

    /** @return whether the connection's deadline passed or it was closed: nothing more is owed to its client */
    private static boolean givenUp(TcpConnection connection) {
        return connection.timedOut() || !connection.isOpen();
    }

    private static void answerPlainHttp(TcpConnection connection, byte[] serverLine) {
        String host = connection.localAddress().getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) host = "[" + host + "]";
        String url = "https://" + host + ":" + connection.localAddress().getPort() + "/";
        byte[] page = ErrorPage.render(400, "This port speaks HTTPS: use " + url);
        StringBuilder head = new StringBuilder("HTTP/1.1 400 Bad Request\r\n");
        if (serverLine != null) head.append(new String(serverLine, StandardCharsets.ISO_8859_1));
        head.append("Content-Type: ").append(ErrorPage.CONTENT_TYPE).append("\r\nContent-Length: ")
                .append(page.length).append("\r\nConnection: close\r\n\r\n");
        try {
            ByteBuffer reply = ByteBuffer.allocate(head.length() + page.length);
            reply.put(head.toString().getBytes(StandardCharsets.ISO_8859_1)).put(page).flip();
            while (reply.hasRemaining()) connection.channel().write(reply);
            // read what the client sent before closing, or its kernel may get a reset instead of the reply
            connection.channel().shutdownOutput();
            connection.setTimeout(LINGER_NANOS);
            ByteBuffer sink = ByteBuffer.allocate(4096);
            for (int read = 0; read < 64 * 1024; ) {
                sink.clear();
                int n = connection.channel().read(sink);
                if (n < 0) break;
                read += n;
            }
        } catch (IOException e) {
            // the client is gone
        }
    }

    private static String peer(TcpConnection connection) {
        return connection.remoteAddress().getAddress().getHostAddress() + ":" + connection.remoteAddress().getPort();
    }
}
