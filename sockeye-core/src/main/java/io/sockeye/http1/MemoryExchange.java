package io.sockeye.http1;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;

import javax.net.ssl.SSLSession;

import io.sockeye.HttpException;
import io.sockeye.Request;
import io.sockeye.Response;
import io.sockeye.ServerConfig;

/**
 * One exchange run in memory, for the testing kit ({@code io.sockeye.testing}); not API. The request a
 * connection would hand its handler and the response it would send, made of the same classes a connection
 * uses, over a request read from bytes and a response written into bytes: so whatever a handler can
 * observe (when the response commits, what throws, what HEAD or a {@code Content-Length} does) is what it
 * would observe on a server, and what was sent is exactly what a client would receive.
 *
 * <p>What the connection does around the handler ({@link Http1Connection}'s exchange) is in the methods
 * here, to be called in order: {@link #finish()} when the handler returns, or {@link #recover(Throwable)}
 * when it throws; then {@link #cleanup()} and {@link #sent()}.
 */
public final class MemoryExchange {

    private final RequestHead head;
    private final BodyStream body;
    private final Http1Request request;
    private final Http1Response response;
    private final SocketOutput out;
    private final MemoryChannel socket = new MemoryChannel();

    private MemoryExchange(RequestHead head, InputStream wireBody, InetSocketAddress remote, InetSocketAddress local,
                           SSLSession tlsSession, ServerConfig config) {
        this.head = head;
        SocketInput in = new SocketInput(Channels.newChannel(wireBody), Deadlines.NONE, Http1Connection.INPUT_BUFFER,
                Http1Connection.INPUT_BUFFER, 0);
        this.out = new SocketOutput(socket, Deadlines.NONE, Http1Connection.OUTPUT_BUFFER, 0);
        this.body = BodyStream.of(head, in, Deadlines.NONE, config);
        // never stopping: a shutdown's Connection: close is the server's affair, not the handler's
        this.response = new Http1Response(out, in, head, body, () -> false, WireErrors.serverLine(config.serverHeader()),
                config.maxDrainBytes());
        if (head.expectContinue()) body.beforeFirstRead(response::sendContinue);
        this.request = new Http1Request(head, body, remote, local, config.formLimits(), tlsSession);
    }

    /**
     * Reads a request head as a connection does (scanned under the configuration's head limits, then
     * parsed) and sets up its exchange.
     *
     * @param wireHead   the request-line and field lines, each ending in CRLF, then an empty line
     * @param wireBody   what follows the head on the wire: the body as the head frames it (chunked if it says so)
     * @param remote     the client's address
     * @param local      the server's address
     * @param tlsSession the TLS session, or {@code null} for plain HTTP
     * @param config     the limits
     * @return the exchange
     * @throws HttpException with the status a server would answer instead of calling a handler
     * @throws IllegalArgumentException if {@code wireHead} is not one whole head
     */
    public static MemoryExchange open(byte[] wireHead, InputStream wireBody, InetSocketAddress remote,
                                      InetSocketAddress local, SSLSession tlsSession, ServerConfig config) {
        HeadScanner scanner = new HeadScanner(config.maxRequestLineBytes(), config.maxHeaderBytes(), config.maxHeaderCount());
        int end = scanner.scan(wireHead, 0, wireHead.length);
        if (end != wireHead.length) throw new IllegalArgumentException("not one whole request head");
        RequestHead head = new RequestParser(config.maxBodyBytes()).parse(wireHead, scanner.headStart(), end);
        return new MemoryExchange(head, wireBody, remote, local, tlsSession, config);
    }

    /** @return the request, as a connection hands it to its handler (no mount, no path parameters) */
    public Request request() {
        return request;
    }

    /** @return the response, writing into memory */
    public Response response() {
        return response;
    }

    /**
     * What the connection does when the handler returns: an empty 200 if it sent nothing, the end of a
     * streamed body (its buffered bytes with their length, or the last chunk).
     *
     * @throws IOException           as the response's body stream throws on closing (too few or too many
     *                               bytes for a declared {@code Content-Length})
     * @throws IllegalStateException if the handler set a {@code Content-Length} that is not a length
     */
    public void finish() throws IOException {
        response.finish();
    }

    /**
     * What the connection does when the handler throws, for what it answers with a status: an
     * {@link HttpException}, or the request body's own (a 400 or 413 the handler may have caught and
     * wrapped), becomes that status's error page if nothing was sent yet, and the response stays cut short
     * if it was under way. Anything else the server answers with a 500 and a log line (or a cut connection):
     * a test wants the exception instead, so that is left to the caller.
     *
     * @param thrown what the handler threw
     * @return whether the server would have answered with the exception's status, or left the response
     *         as it was; {@code false} for what it would answer with a 500
     * @throws IOException if the error page cannot be sent (never, in memory)
     */
    public boolean recover(Throwable thrown) throws IOException {
        HttpException status = thrown instanceof HttpException h ? h : body.protocolError();
        if (status == null) return false;
        if (!response.isCommitted()) {
            response.sendError(status.status(), status.getMessage());
            response.finish();
        }
        return true;
    }

    /** Deletes what the exchange left on disk (uploaded files), as the connection does after the handler. */
    public void cleanup() {
        request.cleanup();
    }

    /**
     * @return what the client has received so far: the final response (after any {@code 100 Continue}),
     *         its body decoded from its framing
     * @throws IllegalStateException if no response head has been sent yet
     */
    public SentResponse sent() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a memory channel does not fail
        }
        return SentResponse.read(socket.bytes(), head.isHead());
    }
}
