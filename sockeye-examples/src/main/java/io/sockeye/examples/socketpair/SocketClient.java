package io.sockeye.examples.socketpair;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Stage 1, the client side: connect, send {@code can you hear me?}, print the reply.
 *
 * <pre>java -jar sockeye-examples/target/sockeye-examples.jar socket-client [host] [port]</pre>
 */
public final class SocketClient {

    private SocketClient() {
    }

    public static void main(String[] args) throws IOException {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = io.sockeye.examples.Examples.port(args, 1, 8000);
        System.out.println("reply is: " + ask(host, port, "can you hear me?"));
    }

    /** Sends one message (a line) and reads the reply (a line). */
    static String ask(String host, int port, String message) throws IOException {
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((message + "\n").getBytes(StandardCharsets.UTF_8));
            socket.shutdownOutput(); // "that is all I have to say": the server sees the end of the message
            return SocketServer.readMessage(socket.getInputStream());
        }
    }
}
