package io.sockeye.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import io.sockeye.Handler;
import io.sockeye.Headers;
import io.sockeye.HttpException;
import io.sockeye.Response;
import io.sockeye.http1.MemoryExchange;
import io.sockeye.http1.SentResponse;

/**
 * A {@link Response} that records instead of sending, for testing a handler without a server. It is the
 * server's own HTTP/1.1 response writing into memory, so it behaves as the real one in everything a
 * handler can observe: when it commits (the first {@code send}, a flush, or a streamed body outgrowing its
 * buffer), the {@link IllegalStateException} for a status or field set after that, the
 * {@link IOException} for a body longer than its {@code Content-Length} or written after it was closed,
 * {@code HEAD} and 204/304 sending no body; and what it records is what a client would receive.
 *
 * <p>Most tests need one line:
 * <pre>{@code
 * RecordedResponse r = ResponseRecorder.record(handler, TestRequest.get("/hello?name=Ann"));
 * }</pre>
 * or, to look at the response while the handler runs (or to test a wrapper of handlers):
 * <pre>{@code
 * TestRequest request = TestRequest.get("/events");
 * ResponseRecorder response = new ResponseRecorder(request);
 * handler.handle(request, response);
 * assertTrue(response.isCommitted());           // it streamed
 * RecordedResponse r = response.finish();
 * }</pre>
 *
 * <p>Valid for one exchange, as a real response is; see {@link Handler} for its contract.
 */
public final class ResponseRecorder implements Response {

    private final TestRequest request;
    private final MemoryExchange exchange;
    private final Response response;
    private RecordedResponse recorded;

    /**
     * @param request the request this response answers (its method and version matter: no body for
     *                {@code HEAD}, no chunks for {@code HTTP/1.0})
     * @throws IllegalStateException if the request already has a recorder
     */
    public ResponseRecorder(TestRequest request) {
        this.request = request;
        this.exchange = request.claimExchange();
        this.response = exchange.response();
    }

    /**
     * Calls the handler and ends the exchange as the server does, then returns what a client would have
     * received. An {@link HttpException} the handler throws becomes the response the server makes of it:
     * its status and error page, if nothing was sent yet (else the response stays cut short). Anything
     * else it throws, which a server would answer with a 500 and a log line, is thrown from here, so the
     * test fails with the handler's own stack trace.
     *
     * @param handler the handler under test
     * @param request the request, which must not have been recorded before
     * @return the response
     * @throws Exception what the handler threw, other than an {@link HttpException}
     */
    public static RecordedResponse record(Handler handler, TestRequest request) throws Exception {
        ResponseRecorder response = new ResponseRecorder(request);
        try {
            handler.handle(request, response);
            response.exchange.finish();
        } catch (Throwable e) {
            if (!response.exchange.recover(e)) throw e;
        } finally {
            request.cleanup();
        }
        return response.recorded();
    }

    /**
     * Ends the exchange as the server does when the handler returns (an empty 200 if nothing was sent, the
     * end of a streamed body) and returns what a client would have received. Later calls return the same.
     *
     * @return the response
     * @throws IOException           as the body stream throws on closing, for a body shorter or longer
     *                               than its {@code Content-Length}
     * @throws IllegalStateException if the handler set a {@code Content-Length} that is not a number
     */
    public RecordedResponse finish() throws IOException {
        if (recorded == null) {
            try {
                exchange.finish();
            } finally {
                request.cleanup();
            }
        }
        return recorded();
    }

    private RecordedResponse recorded() {
        if (recorded == null) {
            SentResponse sent = exchange.sent();
            recorded = new RecordedResponse(sent.status(), sent.headers(), sent.body(), sent.complete());
        }
        return recorded;
    }

    @Override
    public Response status(int status) {
        response.status(status);
        return this;
    }

    @Override
    public int status() {
        return response.status();
    }

    @Override
    public Headers headers() {
        return response.headers();
    }

    @Override
    public Response header(String name, String value) {
        response.header(name, value);
        return this;
    }

    @Override
    public void send(byte[] body) throws IOException {
        response.send(body);
    }

    @Override
    public void send(byte[] body, int offset, int length) throws IOException {
        response.send(body, offset, length);
    }

    @Override
    public void send(ByteBuffer body) throws IOException {
        response.send(body);
    }

    @Override
    public void send(String text) throws IOException {
        response.send(text);
    }

    @Override
    public void send(String contentType, String text) throws IOException {
        response.send(contentType, text);
    }

    @Override
    public void sendFile(FileChannel file, long position, long count) throws IOException {
        response.sendFile(file, position, count);
    }

    @Override
    public void sendError(int status, String message) throws IOException {
        response.sendError(status, message);
    }

    @Override
    public void redirect(int status, String location) throws IOException {
        response.redirect(status, location);
    }

    @Override
    public OutputStream body() {
        return response.body();
    }

    @Override
    public boolean isCommitted() {
        return response.isCommitted();
    }
}
