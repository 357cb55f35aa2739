package io.sockeye.examples.socketpair;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.sockeye.tcp.ConnectionHandler;
import io.sockeye.tcp.TcpConfig;
import io.sockeye.tcp.TcpConnection;
import io.sockeye.tcp.TcpServer;

/**
 * Stage 1 again, on Sockeye's TCP layer: the same protocol, but the server keeps running, serves many
 * clients at once (each connection on its own virtual thread), and stops cleanly on Ctrl-C. The only code
 * left to write is what to do with one connection.
 *
 * <pre>java -jar sockeye-examples/target/sockeye-examples.jar yes-server [port]</pre>
 */
public final class YesServer implements ConnectionHandler {

    private YesServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = io.sockeye.examples.Examples.port(args, 0, 8000);
        TcpServer server = start(new InetSocketAddress(port));
        System.out.println("Listening on port " + server.port() + "; Ctrl-C stops");
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        server.awaitTermination();
    }

    /** Starts a server answering {@code Yes} to every message. */
    public static TcpServer start(InetSocketAddress address) throws IOException {
        return TcpServer.start(TcpConfig.defaults().withAddress(address).withName("yes"), new YesServer());
    }

    @Override
    public void handle(TcpConnection connection) throws IOException {
        String message = readMessage(connection);
        System.out.println("request is: " + message + " (from " + connection.remoteAddress() + ")");
        connection.channel().write(ByteBuffer.wrap("Yes\n".getBytes(StandardCharsets.UTF_8)));
    }

    /** Reads a line (or up to the end of the stream), at most 1024 bytes, under a 10 second deadline. */
    static String readMessage(TcpConnection connection) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(512);
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        connection.setTimeout(10_000_000_000L);
        while (true) {
            buffer.clear();
            int n = connection.channel().read(buffer);
            if (n < 0) break;
            int newline = -1;
            for (int i = 0; i < n; i++) {
                if (buffer.get(i) == '\n') {
                    newline = i;
                    break;
                }
            }
            message.write(buffer.array(), 0, newline >= 0 ? newline : n);
            if (message.size() > SocketServer.MAX_MESSAGE) throw new IOException("message too long");
            if (newline >= 0) break;
        }
        connection.clearDeadline();
        return message.toString(StandardCharsets.UTF_8).stripTrailing();
    }
}
