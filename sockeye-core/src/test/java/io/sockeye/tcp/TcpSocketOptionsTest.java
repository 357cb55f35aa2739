package io.sockeye.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TcpSocketOptionsTest {

    private static int[] options(TcpConfig config) throws Exception {
        CompletableFuture<int[]> seen = new CompletableFuture<>();
        try (TcpServer server = TcpServer.start(config.withAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), c -> {
            seen.complete(new int[] {c.channel().getOption(StandardSocketOptions.TCP_NODELAY) ? 1 : 0,
                c.channel().getOption(StandardSocketOptions.SO_SNDBUF)});
        }); Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            return seen.get();
        }
    }

    @Test
    void loopbackPeersGetTheFixedSendBufferAndNoDelay() throws Exception {
        int[] o = options(TcpConfig.defaults());
        assertEquals(1, o[0], "TCP_NODELAY");
        // Linux reports twice the value set (it counts its bookkeeping)
        assertTrue(o[1] == 256 * 1024 || o[1] == 2 * 256 * 1024, "SO_SNDBUF " + o[1]);
    }

    @Test
    void zeroLeavesTheSendBufferToTheKernel() throws Exception {
        int[] o = options(TcpConfig.defaults().withLoopbackSendBuffer(0).withTcpNoDelay(false));
        assertEquals(0, o[0], "TCP_NODELAY off when asked");
        assertTrue(o[1] != 256 * 1024 && o[1] != 2 * 256 * 1024, "the kernel's own send buffer: " + o[1]);
    }
}
