package io.sockeye.http1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SocketOutput#transferFrom} to a reader slower than the sender: on a virtual thread {@code sendfile}
 * then finds the socket full and returns nothing, and the transfer goes on through a pooled direct buffer.
 */
@Timeout(30)
class SocketOutputTransferTest {

    @Test
    void aFileGoesOutWholeThroughAFullSocketAndTheBufferIsReused(@TempDir Path dir) throws Exception {
        // the pool is shared: what this transfer takes from it, it must give back
        int freeBefore = TransferBuffers.free();
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(content);
        Path file = Files.write(dir.resolve("f.bin"), content);
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = SocketChannel.open()) {
                client.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
                client.connect(listener.getLocalAddress());
                try (SocketChannel server = listener.accept()) {
                    server.setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
                    CompletableFuture<Boolean> sent = new CompletableFuture<>();
                    Thread.ofVirtual().start(() -> {
                        try (FileChannel ch = FileChannel.open(file)) {
                            SocketOutput out = new SocketOutput(server, Deadlines.NONE, 8192, 0);
                            out.write(new byte[] {'<'}, 0, 1);
                            sent.complete(out.transferFrom(ch, 0, content.length));
                        } catch (Throwable t) {
                            sent.completeExceptionally(t);
                        }
                    });
                    Thread.sleep(300); // the socket buffers fill before anything is read
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    ByteBuffer b = ByteBuffer.allocate(8192);
                    while (got.size() < content.length + 1) {
                        b.clear();
                        int n = client.read(b);
                        if (n < 0) break;
                        got.write(b.array(), 0, n);
                    }
                    assertTrue(sent.get(10, TimeUnit.SECONDS));
                    byte[] all = got.toByteArray();
                    assertArrayEquals(new byte[] {'<'}, java.util.Arrays.copyOf(all, 1), "buffered bytes go first");
                    assertArrayEquals(content, java.util.Arrays.copyOfRange(all, 1, all.length));
                }
            }
        }
        assertEquals(Math.max(freeBefore, 1), TransferBuffers.free(), "the transfer's buffer went back to the pool");
    }

    @Test
    void pastTheLastDirectBufferTransfersGetHeapOnes() {
        java.util.List<java.nio.ByteBuffer> taken = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < TransferBuffers.MOST + 3; i++) taken.add(TransferBuffers.take());
            assertEquals(TransferBuffers.MOST, taken.stream().filter(java.nio.ByteBuffer::isDirect).count());
            assertTrue(taken.stream().allMatch(b -> b.capacity() == TransferBuffers.SIZE));
        } finally {
            taken.forEach(TransferBuffers::give);
        }
        assertEquals(TransferBuffers.MOST, TransferBuffers.free(), "every direct one kept, no heap one");
        assertEquals(TransferBuffers.MOST, TransferBuffers.made());
    }
}
