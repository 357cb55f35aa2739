package io.sockeye.http1;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

import io.sockeye.Handler;
import io.sockeye.HttpException;
import io.sockeye.LogText;
import io.sockeye.ServerConfig;
import io.sockeye.Status;
import io.sockeye.tcp.TcpConnection;
import io.sockeye.tls.TlsChannel;

/**
 * One HTTP/1.1 connection's life, on its own virtual thread:
 *
 * <pre>
 * idle ──bytes──▶ reading head ──parsed──▶ handler ──▶ finish response ──▶ drain body ──keep-alive──▶ idle
 *   │ idle timeout     │ 400/408/413/414/431/505/501                            └─ otherwise: close
 *   ▼                  ▼
 * close        error reply, close
 * </pre>
 *
 * This is the single place where the exchange's failures are caught: parse errors become a reply,
 * handler exceptions a 500 (or a cut connection if the response was under way), a vanished client a
 * debug line. When the connection closes with input possibly still arriving (an error reply, an unread
 * body), it half-closes and reads what is left for a moment first, so the client receives the reply
 * rather than a reset (RFC 9112 §9.6).
 *
 * <p>Between requests, a connection of a server that holds many may be parked (see
 * {@link TcpConnection#parkUntilReadable()}): {@link #serve()} then gives its buffers back and returns,
 * and is called again, on a new thread, when the client sends its next request. Bytes of a pipelined
 * request already received keep the connection active: it is never parked or reclaimed with a request
 * in its buffer.
 */
final class Http1Connection {

    private static final System.Logger LOG = System.getLogger("io.sockeye");
    static final int INPUT_BUFFER = 4096;
    static final int OUTPUT_BUFFER = 8192;
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);
    // the deadline is the real bound (as nginx's lingering_time); the byte count only caps the wasted reading
    private static final long LINGER_BYTES = 64L << 20;

    /** ABORT: a response cut short; closed without TLS close_notify, so the client can tell (RFC 8446 §6.1). */
    private enum Outcome { KEEP_ALIVE, CLOSE, CLOSE_LINGERING, ABORT }

    private final ServerConfig config;
    private final Handler handler;
    private final TcpConnection connection;
    private final java.util.function.BooleanSupplier stopping;
    /** The connection's TLS layer, or {@code null} on a plain connection. */
    private final TlsChannel tls;
    private final Deadlines deadlines;
    private final byte[] serverLine;
    private final SocketInput in;
    private final SocketOutput out;
    private final HeadScanner scanner;
    private final RequestParser parser;
    private final long headTimeoutNanos;
    private final long idleTimeoutNanos;
    private final boolean accessLog;
    /** Whether the access log shows each request's duration (only the JSON format does): clock readings otherwise saved */
    private final boolean timed;
    private boolean firstRequest = true;
    /** {@link System#nanoTime()} when the request being read began, for the access log's duration */
    private long requestStartNanos;
    private boolean parked;

    /** @param tls the connection's TLS layer, its handshake done; {@code null} for plain HTTP */
    Http1Connection(ServerConfig config, Handler handler, TcpConnection connection, byte[] serverLine, TlsChannel tls) {
        this.config = config;
        this.handler = handler;
        this.connection = connection;
        this.stopping = connection::isStopping;
        this.tls = tls;
        java.nio.channels.ByteChannel channel = tls != null ? tls : connection.channel();
        this.serverLine = serverLine;
        long ioTimeout = config.ioTimeout().toNanos();
        // the longest head: request-line and field lines, their CRLFs, a few empty lines before
        int maxHead = config.maxRequestLineBytes() + config.maxHeaderBytes() + 16;
        this.deadlines = Deadlines.of(connection);
        this.in = new SocketInput(channel, deadlines, Math.min(INPUT_BUFFER, maxHead), maxHead, ioTimeout,
                config.minBodyRate(), config.requestHeadTimeout().toNanos());
        // its own deadline: the response may be written while another thread reads the body
        this.out = new SocketOutput(tls != null ? tls : connection.channel(), Deadlines.forWrites(connection), OUTPUT_BUFFER, ioTimeout);
        this.scanner = new HeadScanner(config.maxRequestLineBytes(), config.maxHeaderBytes(), config.maxHeaderCount());
        this.parser = new RequestParser(config.maxBodyBytes());
        this.headTimeoutNanos = config.requestHeadTimeout().toNanos();
        this.idleTimeoutNanos = config.idleTimeout().toNanos();
        this.accessLog = config.accessLog() && AccessLog.enabled();
        this.timed = accessLog && config.accessLogFormat() == io.sockeye.AccessLogFormat.JSON;
    }

    void serve() throws IOException {
        Outcome outcome = Outcome.CLOSE;
        parked = false;
        try {
            while (true) {
                RequestHead head;
                try {
                    head = readHead();
                } catch (HttpException e) {
                    reject(e, firstLine());
                    outcome = Outcome.CLOSE_LINGERING;
                    return;
                }
                if (head == null) return; // closed, or parked
                outcome = exchange(head);
                if (outcome != Outcome.KEEP_ALIVE) return;
                // a pipelined request already here keeps the connection active; otherwise it waits idle
                if (in.available() == 0 ? !connection.markIdle() : connection.isStopping()) return;
            }
        } finally {
            flushBeforeClose();
            if (outcome == Outcome.CLOSE_LINGERING) {
                lingerBeforeClose();
            } else if (tls != null && !parked && outcome != Outcome.ABORT) {
                closeNotify();
            }
        }
    }

    /**
     * @return the next request head, or {@code null} when the connection ended (or idled out) between
     *         requests, or was parked until its client sends more
     */
    private RequestHead readHead() throws IOException {
        scanner.reset();
        requestStartNanos = 0;
        boolean active = false;
        while (true) {
            if (in.available() > 0) {
                int end = scanner.scan(in.buf, in.pos, in.limit);
                if (!active && scanner.started()) {
                    if (!connection.markActive()) return null; // closed by a shutdown while idle
                    active = true;
                    if (timed) requestStartNanos = System.nanoTime();
                    connection.setShrinkingTimeout(headTimeoutNanos);
                }
                if (end >= 0) {
                    connection.clearDeadline();
                    firstRequest = false;
                    RequestHead head = parser.parse(in.buf, in.pos + scanner.headStart(), in.pos + end);
                    in.pos += end;
                    return head;
                }
            }
            // answers to pipelined requests were gathered while more requests were at hand: they go now,
            // before this connection waits for its client
            out.flush();
            // A new connection must start its first request within the head timeout (it holds a slot);
            // a kept-alive one may wait the idle timeout for its next
            if (!active) {
                connection.setShrinkingTimeout(firstRequest ? headTimeoutNanos : idleTimeoutNanos);
                if (in.available() == 0 && (tls == null || !tls.hasBufferedInput()) && connection.parkUntilReadable()) {
                    in.release();
                    out.release();
                    if (tls != null) tls.release();
                    parked = true;
                    return null;
                }
            }
            int n = in.fill();
            if (n < 0) {
                if (active && connection.timedOut()) {
                    throw new HttpException(Status.REQUEST_TIMEOUT, "request head not received within "
                            + config.requestHeadTimeout().toMillis() + " ms");
                }
                if (active) LOG.log(Level.DEBUG, () -> connection + ": closed in the middle of a request head");
                return null;
            }
            if (n == 0) {
                throw new HttpException(Status.REQUEST_HEADER_FIELDS_TOO_LARGE, "request head too large");
            }
        }
    }

    private Outcome exchange(RequestHead head) {
        long startNanos = timed ? System.nanoTime() : 0;
        in.startBody();
        BodyStream body = BodyStream.of(head, in, deadlines, config);
        Http1Response response = new Http1Response(out, in, head, body, stopping, serverLine, config.maxDrainBytes());
        if (head.expectContinue()) body.beforeFirstRead(response::sendContinue);
        Http1Request request = new Http1Request(head, body, connection.remoteAddress(), connection.localAddress(),
                config.formLimits(), tls == null ? null : tls.session());
        boolean completed;
        try {
            handler.handle(request, response);
            response.finish();
            completed = true;
        } catch (Exception | AssertionError | LinkageError | StackOverflowError e) {
            // a bug in one handler (a failed assert, a missing class, runaway recursion) is that request's
            // 500, as an exception is; the stack has unwound, so the server is fine. Other Errors (out of
            // memory, say) leave the JVM in doubt and go up to the TCP server, which logs and closes.
            completed = recover(e, head, response, body);
        } finally {
            request.cleanup();
        }
        boolean keepAlive = completed && response.keepAlive() && (body.atEnd() || body.drain(config.maxDrainBytes()));
        if (accessLog) {
            AccessLog.log(config.accessLogFormat(), connection.remoteAddress(), head, response.status(), response.bodyBytes(),
                    startNanos);
        }
        if (keepAlive && !connection.isStopping()) return Outcome.KEEP_ALIVE;
        if (!completed) return Outcome.ABORT;
        return body.atEnd() && in.available() == 0 ? Outcome.CLOSE : Outcome.CLOSE_LINGERING;
    }

    /**
     * Answers for a handler that threw, if the response has not begun.
     *
     * @return whether a complete response went out (so the connection may still be usable)
     */
    private boolean recover(Throwable e, RequestHead head, Http1Response response, BodyStream body) {
        HttpException status = e instanceof HttpException h ? h : body.protocolError();
        try {
            if (status != null) {
                LOG.log(Level.INFO, () -> status.status() + " " + Status.reason(status.status()) + " for "
                        + LogText.escape(head.requestLine()) + " from " + peer() + ": " + LogText.escape(status.getMessage()));
                if (response.isCommitted()) return false;
                response.sendError(status.status(), status.getMessage());
                response.finish();
                return true;
            }
            if (body.broken()) {
                // the client stopped sending the body: nobody may be listening any more
                if (body.timedOut() && !response.isCommitted()) {
                    LOG.log(Level.INFO, () -> "408 Request Timeout for " + LogText.escape(head.requestLine()) + " from " + peer()
                            + ": request body not received in time");
                    response.sendError(Status.REQUEST_TIMEOUT, "request body not received in time");
                    response.finish();
                    return true;
                }
                LOG.log(Level.DEBUG, () -> connection + ": " + e.getMessage());
                return false;
            }
            if (response.isCommitted()) {
                if (e instanceof IOException) {
                    LOG.log(Level.DEBUG, () -> connection + ": connection lost while responding: " + e);
                } else {
                    LOG.log(Level.ERROR, "handler failed after the response to " + LogText.escape(head.requestLine()) + " from "
                            + peer() + " began; closing the connection", e);
                }
                return false;
            }
            LOG.log(Level.ERROR, "handler failed on " + LogText.escape(head.requestLine()) + " from " + peer(), e);
            response.sendError(Status.INTERNAL_SERVER_ERROR, null);
            response.finish();
            return true;
        } catch (IOException | RuntimeException again) {
            LOG.log(Level.DEBUG, () -> connection + ": could not send the error response: " + again);
            return false;
        }
    }

    /** @return the start of what may be a request-line, for the access log of a refused request */
    private String firstLine() {
        int end = in.pos;
        int max = Math.min(in.limit, in.pos + 1024);
        while (end < max && in.buf[end] != '\r' && in.buf[end] != '\n') end++;
        return end == in.pos ? null : new String(in.buf, in.pos, end - in.pos, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private void reject(HttpException e, String requestLine) {
        LOG.log(Level.INFO, () -> e.status() + " " + Status.reason(e.status()) + " from " + peer() + ": " + LogText.escape(e.getMessage()));
        int sent = 0;
        try {
            connection.clearDeadline();
            boolean head = requestLine != null && requestLine.startsWith("HEAD ");
            sent = WireErrors.write(out, e.status(), e.getMessage(), serverLine, head);
        } catch (IOException io) {
            LOG.log(Level.DEBUG, () -> connection + ": could not send the error response: " + io);
        }
        if (accessLog) {
            AccessLog.logRefused(config.accessLogFormat(), connection.remoteAddress(), requestLine, e.status(), sent,
                    timed && requestStartNanos == 0 ? System.nanoTime() : requestStartNanos);
        }
    }

    /** Sends answers still gathered (see {@link Http1Response#flushAtEnd()}); a parked connection has none. */
    private void flushBeforeClose() {
        try {
            out.flush();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> connection + ": could not send the last answers: " + e);
        }
    }

    /** Tells a TLS client that the data ended here rather than being cut off (RFC 8446 §6.1). */
    private void closeNotify() {
        connection.setWriteTimeout(LINGER_NANOS);
        try {
            tls.closeOutput();
        } finally {
            connection.clearWriteDeadline();
        }
    }

    private void lingerBeforeClose() {
        try {
            if (tls != null) closeNotify();
            connection.channel().shutdownOutput();
            connection.setTimeout(LINGER_NANOS);
            long discarded = 0;
            in.pos = in.limit;
            while (discarded < LINGER_BYTES) {
                int n = in.fill();
                if (n < 0) break;
                discarded += n;
                in.pos = in.limit;
            }
        } catch (IOException e) {
            // the peer is gone; nothing to wait for
        }
    }

    private String peer() {
        return connection.remoteAddress().getAddress().getHostAddress() + ":" + connection.remoteAddress().getPort();
    }
}
