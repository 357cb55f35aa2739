package io.sockeye.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A client that speaks raw bytes to a server over a real socket, for what well-behaved clients never
 * send: malformed heads, pipelined requests, slow or half-closed input. Reads responses strictly, so a
 * test sees exactly what went on the wire.
 */
public final class RawClient implements Closeable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private byte[] buf = new byte[65536];
    private int pos;
    private int limit;

    public RawClient(int port) throws IOException {
        this(port, 10_000);
    }

    public RawClient(int port, int timeoutMillis) throws IOException {
        this(new Socket(InetAddress.getLoopbackAddress(), port), timeoutMillis);
    }

    /** Over a socket already connected: a TLS one, say (see {@link TestTls#connect}). */
    public RawClient(Socket socket, int timeoutMillis) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public Socket socket() {
        return socket;
    }

    /** Sends text as ISO-8859-1 bytes, exactly as given (write your own CRLFs). */
    public RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Half-closes: the server sees end of stream, the client can still read. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Reads one response, framed as RFC 9112 §6.3 says (a response to HEAD: pass {@code head = true}). */
    public RawResponse read() throws IOException {
        return read(false);
    }

    public RawResponse read(boolean head) throws IOException {
        String statusLine = line();
        if (statusLine == null) throw new IOException("connection closed before a response");
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("bad status line: " + statusLine);
        int status = Integer.parseInt(parts[1]);
        List<String[]> headers = new ArrayList<>();
        String line;
        while (!(line = line()).isEmpty()) {
            int colon = line.indexOf(':');
            headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).strip()});
        }
        RawResponse r = new RawResponse(statusLine, status, headers, new byte[0]);
        if (status < 200) return r;
        byte[] body;
        String te = r.header("Transfer-Encoding");
        String cl = r.header("Content-Length");
        if (head || status == 204 || status == 304) {
            body = new byte[0];
        } else if (te != null) {
            if (!te.equalsIgnoreCase("chunked")) throw new IOException("unexpected Transfer-Encoding: " + te);
            body = chunked();
        } else if (cl != null) {
            body = exactly(Integer.parseInt(cl));
        } else {
            body = readToEnd();
        }
        return new RawResponse(statusLine, status, headers, body);
    }

    /** Reads everything until the server closes. */
    public byte[] readToEnd() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(buf, pos, limit - pos);
        pos = limit;
        in.transferTo(all);
        return all.toByteArray();
    }

    /** Reads everything until the server closes, as ISO-8859-1 text. */
    public String readToEndText() throws IOException {
        return new String(readToEnd(), StandardCharsets.ISO_8859_1);
    }

    /**
     * @return whether the server closed the connection (end of stream or reset) within the socket timeout,
     * with no further bytes
     */
    public boolean closedByServer() throws IOException {
        if (pos < limit) return false;
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = next();
            if (c < 0) return sb.isEmpty() ? null : sb.toString();
            if (c == '\n') {
                if (sb.isEmpty() || sb.charAt(sb.length() - 1) != '\r') throw new IOException("bare LF from server: " + sb);
                sb.setLength(sb.length() - 1);
                return sb.toString();
            }
            sb.append((char) c);
        }
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line();
            int size = Integer.parseInt(sizeLine.split(";")[0].strip(), 16);
            if (size == 0) {
                while (!line().isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.write(exactly(size));
            if (!line().isEmpty()) throw new IOException("chunk not followed by CRLF");
        }
    }

    private byte[] exactly(int n) throws IOException {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            int c = next();
            if (c < 0) throw new IOException("body ended after " + i + " of " + n + " bytes");
            b[i] = (byte) c;
        }
        return b;
    }

    private int next() throws IOException {
        if (pos == limit) {
            int n = in.read(buf, 0, buf.length);
            if (n < 0) return -1;
            pos = 0;
            limit = n;
        }
        return buf[pos++] & 0xff;
    }

    /** @return the client's local port, which the server's log lines name as the peer */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** Changes how long reads wait before giving up. */
    public RawClient timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
        return this;
    }

    /**
     * @return whether nothing at all (no byte, no end of stream) arrives within the time; a byte that does
     * arrive is kept for the next read
     */
    public boolean quietFor(int millis) throws IOException {
        if (pos < limit) return false;
        int previous = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            int n = in.read(buf, 0, buf.length);
            if (n > 0) {
                pos = 0;
                limit = n;
            }
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(previous);
        }
    }

    /**
     * Reads everything until the server closes or resets the connection, as ISO-8859-1 text; unlike
     * {@link #readToEndText()} a reset ends the text instead of failing.
     */
    public String readUntilClosed() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(buf, pos, limit - pos);
        pos = limit;
        byte[] chunk = new byte[8192];
        try {
            int n;
            while ((n = in.read(chunk)) >= 0) all.write(chunk, 0, n);
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            // reset: what arrived before it is what the server sent
        }
        return new String(all.toByteArray(), StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
