package io.sockeye.tcp;

/**
 * What a {@link TcpServer} runs for each accepted connection, on that connection's own virtual thread.
 *
 * <p>The handler may block freely (reads and writes on {@link TcpConnection#channel()} park the virtual
 * thread, not a platform thread). When it returns or throws, the server closes the channel and frees the
 * connection's slot; the handler need not close anything itself. An exception is logged with the peer's
 * address and never stops the server.
 *
 * <pre>{@code
 * ConnectionHandler yes = connection -> {
 *     ByteBuffer in = ByteBuffer.allocate(1024);
 *     connection.channel().read(in);
 *     connection.channel().write(ByteBuffer.wrap("Yes".getBytes(StandardCharsets.US_ASCII)));
 * };
 * }</pre>
 */
@FunctionalInterface
public interface ConnectionHandler {

    /**
     * Serves one connection until it is done with it.
     *
     * @param connection the accepted connection; valid until this method returns
     * @throws Exception anything; it is logged and the connection is closed
     */
    void handle(TcpConnection connection) throws Exception;
}
