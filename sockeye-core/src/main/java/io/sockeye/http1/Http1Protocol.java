package io.sockeye.http1;

import java.io.IOException;
import java.util.Objects;

import io.sockeye.Handler;
import io.sockeye.ServerConfig;
import io.sockeye.tcp.ConnectionHandler;
import io.sockeye.tcp.TcpConnection;
import io.sockeye.tls.TlsChannel;
import io.sockeye.tls.TlsEngines;

/**
 * HTTP/1.1 as a {@link ConnectionHandler}: serves each connection with the application's handler, over
 * TLS when the configuration has it (each connection's handshake first, see {@link TlsHandshake}).
 */
public final class Http1Protocol implements ConnectionHandler, AutoCloseable {

    private final ServerConfig config;
    private final Handler handler;
    private final byte[] serverLine;
    private final TlsEngines tls;

    /**
     * @param config  the limits and timeouts, and TLS if the server speaks it
     * @param handler the application
     * @throws IllegalArgumentException if the TLS configuration asks for nothing this JDK supports
     */
    public Http1Protocol(ServerConfig config, Handler handler) {
        this.config = Objects.requireNonNull(config, "config");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.serverLine = WireErrors.serverLine(config.serverHeader());
        this.tls = config.tls() == null ? null : new TlsEngines(config.tls());
    }

    /** Serves the connection; called again, with the same state, for one resumed after parking. */
    @Override
    public void handle(TcpConnection connection) throws IOException {
        Http1Connection http = (Http1Connection) connection.attachment();
        if (http == null) {
            TlsChannel channel = null;
            if (tls != null) {
                channel = TlsHandshake.begin(connection, tls, config.requestHeadTimeout().toNanos(), serverLine);
                if (channel == null) return; // failed, and logged: the server closes the connection
            }
            http = new Http1Connection(config, handler, connection, serverLine, channel);
            connection.attach(http);
        }
        http.serve();
    }

    /**
     * Lets go of what the protocol holds beyond its connections (the TLS handshake workers); called once
     * the server has stopped.
     */
    @Override
    public void close() {
        if (tls != null) tls.close();
    }
}
