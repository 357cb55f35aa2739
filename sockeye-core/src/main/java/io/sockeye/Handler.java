package io.sockeye;

/**
 * Answers HTTP requests: the one thing an application writes. Routers, file servers and CGI are handlers
 * too, and handlers compose by wrapping each other, never by subclassing.
 *
 * <pre>{@code
 * Handler hello = (request, response) -> response.send("Hello, " + request.remoteAddress());
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>The request and response are valid only until {@code handle} returns; neither may be kept or used
 *       from another thread afterwards. Within the call, the handler may use them from other threads as
 *       long as it does not do so concurrently.</li>
 *   <li>A handler that sends nothing gets an empty {@code 200 OK}. One that wrote a streamed body gets it
 *       finished (the last chunk, or a check that the declared length was met).</li>
 *   <li>The handler never deals with framing, keep-alive, HEAD or {@code Expect: 100-continue}: the server
 *       does, from what the handler sends.</li>
 *   <li>Whatever request body the handler leaves unread is discarded (up to
 *       {@link ServerConfig#maxDrainBytes()}) so the connection can carry the next request; when more than
 *       that is known to be left, the response says {@code Connection: close}.</li>
 *   <li>An {@link HttpException} becomes a response with its status. Any other exception, and the
 *       errors a handler's bug throws ({@link AssertionError}, {@link LinkageError},
 *       {@link StackOverflowError}), becomes a {@code 500} and a log line with the stack trace, if nothing
 *       was sent yet; if the response was already under way, the connection is closed so the client sees
 *       it cut short.</li>
 *   <li>Handlers are called concurrently, one call per connection, each on its own virtual thread:
 *       blocking is fine, shared state must be thread-safe.</li>
 * </ul>
 */
@FunctionalInterface
public interface Handler {

    /**
     * Answers one request.
     *
     * @param request  what the client asked
     * @param response where the answer goes
     * @throws Exception anything; see the class documentation for what becomes of it
     */
    void handle(Request request, Response response) throws Exception;
}
