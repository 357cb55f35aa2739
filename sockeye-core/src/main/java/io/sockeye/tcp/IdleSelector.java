package io.sockeye.tcp;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Where {@linkplain TcpConnection#parkUntilReadable() parked} connections wait for their peers: one
 * selector on one platform thread, for all of them. A parked connection costs a selection key and
 * its own few objects; its thread, stack and buffers are gone. When its peer sends something (or closes),
 * the selector hands it back to the server, which runs its handler on a new virtual thread.
 *
 * <p>A channel must be in non-blocking mode to be registered, and back in blocking mode (and so no
 * longer registered anywhere) before a virtual thread reads it again; both switches happen here or just
 * before the hand-over, never while another thread uses the channel.
 */
final class IdleSelector implements Runnable {

    private static final System.Logger LOG = System.getLogger("io.sockeye");

    private final TcpServer server;
    private final Selector selector;
    private final Queue<TcpConnection> arriving = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean stopped;

    IdleSelector(TcpServer server, String threadName) throws IOException {
        this.server = server;
        this.selector = Selector.open();
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this);
        thread.start();
    }

    /**
     * Parks a connection whose handler returned asking for it. Called on the connection's thread, as its
     * last act.
     *
     * @throws IOException if the channel cannot be made non-blocking (it is then the caller's to close)
     */
    void park(TcpConnection connection) throws IOException {
        connection.channel().configureBlocking(false);
        connection.parked();
        arriving.add(connection);
        selector.wakeup();
    }

    /** Wakes the selector, so that a parked channel someone closed is released at once. */
    void wakeup() {
        selector.wakeup();
    }

    void stop() {
        stopped = true;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        List<TcpConnection> ready = new ArrayList<>();
        try {
            while (!stopped) {
                // selectNow() below clears a wakeup() that came meanwhile: a connection queued since must
                // not wait for an unrelated event to be registered
                if (arriving.isEmpty()) selector.select();
                else selector.selectNow();
                register();
                for (SelectionKey key : selector.selectedKeys()) {
                    key.cancel();
                    TcpConnection c = (TcpConnection) key.attachment();
                    if (c.unpark()) ready.add(c);
                }
                selector.selectedKeys().clear();
                if (ready.isEmpty()) continue;
                selector.selectNow(); // deregisters the cancelled keys, so the channels can block again
                for (TcpConnection c : ready) server.resume(c);
                ready.clear();
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "the selector for idle connections failed; closing those it held", e);
        } finally {
            for (SelectionKey key : selector.keys()) closeParked((TcpConnection) key.attachment());
            TcpConnection c;
            while ((c = arriving.poll()) != null) closeParked(c);
            try {
                selector.close();
            } catch (IOException e) {
                // nothing is left registered with it
            }
        }
    }

    private void register() {
        TcpConnection c;
        while ((c = arriving.poll()) != null) {
            try {
                c.channel().register(selector, SelectionKey.OP_READ, c);
            } catch (ClosedChannelException | CancelledKeyException e) {
                // closed while on its way here: whoever closed it has ended it
                if (c.unpark()) server.ended(c);
            }
        }
    }

    private void closeParked(TcpConnection c) {
        if (c.unpark()) {
            c.close();
            server.ended(c);
        }
    }
}
