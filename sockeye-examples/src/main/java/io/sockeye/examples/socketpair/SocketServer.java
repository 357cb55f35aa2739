package io.sockeye.examples.socketpair;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Stage 1, the server side, with nothing but the JDK's sockets: bind, listen, accept one connection, read
 * the message, print it and who sent it, answer {@code Yes}, close.
 *
 * <p>Where the tutorial's Python reads once with {@code recv(1024)} and takes that as the whole message,
 * this reads until the message is complete: TCP is a stream, not a sequence of messages, and one read
 * may return half of what was sent (or two messages at once). Here a message ends with a newline or when
 * the client stops sending, and may be at most 1024 bytes.
 *
 * <pre>java -jar sockeye-examples/target/sockeye-examples.jar socket-server [port]</pre>
 */
public final class SocketServer {

    /** The longest message accepted. */
    static final int MAX_MESSAGE = 1024;

    private SocketServer() {
    }

    public static void main(String[] args) throws IOException {
        int port = io.sockeye.examples.Examples.port(args, 0, 8000);
        try (ServerSocket server = listen(new InetSocketAddress(port))) {
            System.out.println("Listening on port " + server.getLocalPort());
            serveOne(server, System.out);
        }
    }

    /**
     * Binds and listens. The backlog of 3 is the tutorial's: up to 3 connections wait for {@code accept}.
     * ({@code listen} happens once, here; the tutorial's loop called it again for every connection.)
     */
    static ServerSocket listen(InetSocketAddress address) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address, 3);
        return server;
    }

    /** Accepts one connection, reads one message, answers {@code Yes}, closes. */
    static void serveOne(ServerSocket server, PrintStream log) throws IOException {
        try (Socket connection = server.accept()) {
            connection.setSoTimeout(10_000); // a silent client must not hold the server forever
            String request = readMessage(connection.getInputStream());
            log.println("request is: " + request);
            InetAddress peer = connection.getInetAddress();
            log.println("Connected by " + peer.getHostAddress() + ":" + connection.getPort());
            connection.getOutputStream().write("Yes\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Reads up to a newline or the end of the stream, at most {@link #MAX_MESSAGE} bytes. */
    static String readMessage(InputStream in) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (message.size() == MAX_MESSAGE) throw new IOException("message longer than " + MAX_MESSAGE + " bytes");
            message.write(b);
        }
        return message.toString(StandardCharsets.UTF_8).stripTrailing();
    }
}
