package io.sockeye.examples.socketpair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.tcp.TcpServer;

@Timeout(20)
class SocketPairTest {

    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void jdkServerAnswersYesAndLogsTheRequestAndThePeer() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ServerSocket server = SocketServer.listen(LOOPBACK_ANY_PORT)) {
            Future<?> serving = CompletableFuture.runAsync(() -> {
                try {
                    SocketServer.serveOne(server, new PrintStream(log, true, StandardCharsets.UTF_8));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals("Yes", SocketClient.ask("127.0.0.1", server.getLocalPort(), "can you hear me?"));
            serving.get();
        }
        String printed = log.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("request is: can you hear me?"), printed);
        assertTrue(printed.contains("Connected by 127.0.0.1:"), printed);
    }

    @Test
    void jdkServerReadsAMessageThatArrivesInPieces() throws Exception {
        try (ServerSocket server = SocketServer.listen(LOOPBACK_ANY_PORT)) {
            Future<?> serving = CompletableFuture.runAsync(() -> {
                try {
                    SocketServer.serveOne(server, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                s.setTcpNoDelay(true);
                for (String piece : new String[] {"can ", "you ", "hear ", "me?\n"}) {
                    s.getOutputStream().write(piece.getBytes(StandardCharsets.UTF_8));
                    s.getOutputStream().flush();
                    Thread.sleep(30); // the naive single recv(1024) would have answered after "can "
                }
                assertEquals("Yes", SocketServer.readMessage(s.getInputStream()));
            }
            serving.get();
        }
    }

    @Test
    void sockeyeTcpServerAnswersManyClientsAtOnce() throws Exception {
        try (TcpServer server = YesServer.start(LOOPBACK_ANY_PORT)) {
            List<CompletableFuture<String>> replies = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                replies.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return SocketClient.ask("127.0.0.1", server.port(), "can you hear me?");
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (CompletableFuture<String> reply : replies) assertEquals("Yes", reply.get());
        }
    }

    @Test
    void sockeyeTcpServerKeepsRunningAfterAClientThatSendsTooMuch() throws Exception {
        try (TcpServer server = YesServer.start(LOOPBACK_ANY_PORT)) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                s.getOutputStream().write(new byte[4096]); // no newline, over the limit
                s.setSoTimeout(5000);
                try {
                    assertEquals(-1, s.getInputStream().read()); // dropped without an answer...
                } catch (java.net.SocketException reset) {
                    // ...or reset, since the server closed with our bytes unread
                }
            }
            assertEquals("Yes", SocketClient.ask("127.0.0.1", server.port(), "can you hear me?"));
        }
    }
}
