package io.sockeye.examples.tcplayer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.examples.Site;
import io.sockeye.tcp.TcpServer;
import io.sockeye.testsupport.RawClient;

@Timeout(20)
class TcpPageServerTest {

    @Test
    void aStalledClientDoesNotHoldUpTheOthers() throws Exception {
        try (TcpServer server = TcpPageServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Site.dir());
             RawClient stalled = new RawClient(0 + serverPort(server))) {
            stalled.send("GET / HTTP/1.1\r\n"); // and nothing more
            List<CompletableFuture<Integer>> others = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                others.add(CompletableFuture.supplyAsync(() -> {
                    try (RawClient c = new RawClient(server.port())) {
                        return c.send("GET /test.jpg HTTP/1.1\r\nHost: x\r\n\r\n").read().status();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (CompletableFuture<Integer> f : others) assertEquals(200, f.get());
        }
    }

    @Test
    void theFormIsAnsweredOnTheTcpLayer() throws Exception {
        try (TcpServer server = TcpPageServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Site.dir());
             RawClient c = new RawClient(server.port())) {
            String body = "firstname=Vamei";
            String text = c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).read().text();
            assertTrue(text.contains("<p>Vamei</p>"), text);
        }
    }

    private static int serverPort(TcpServer server) {
        return server.port();
    }
}
