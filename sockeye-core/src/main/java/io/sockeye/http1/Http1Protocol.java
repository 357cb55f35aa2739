package io.sockeye.http1;

import java.io.IOException;
import java.util.Objects;

import io.sockeye.Handler;
import io.sockeye.ServerConfig;
import io.sockeye.tcp.ConnectionHandler;
import io.sockeye.tcp.TcpConnection;

/** HTTP/1.1 as a {@link ConnectionHandler}: serves each connection with the application's handler. */
public final class Http1Protocol implements ConnectionHandler {

    private final ServerConfig config;
    private final Handler handler;
    private final byte[] serverLine;

    /**
     * @param config  the limits and timeouts
     * @param handler the application
     */
    public Http1Protocol(ServerConfig config, Handler handler) {
        this.config = Objects.requireNonNull(config, "config");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.serverLine = WireErrors.serverLine(config.serverHeader());
    }

    /** Serves the connection; called again, with the same state, for one resumed after parking. */
    @Override
    public void handle(TcpConnection connection) throws IOException {
        Http1Connection http = (Http1Connection) connection.attachment();
        if (http == null) {
            http = new Http1Connection(config, handler, connection, serverLine);
            connection.attach(http);
        }
        http.serve();
    }
}
