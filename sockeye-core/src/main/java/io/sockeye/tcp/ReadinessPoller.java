package io.sockeye.tcp;

import java.lang.System.Logger.Level;
import java.nio.channels.SocketChannel;

/**
 * Tells a connection's reader when its socket has bytes to read, so that it need not find out by reading.
 *
 * <p>A blocking {@link SocketChannel} on a virtual thread learns that its socket is empty from a read
 * that returns nothing ({@code EAGAIN}); it then re-arms the JDK's one-shot poller registration
 * ({@code epoll_ctl}) and parks. That is two system calls per request that nginx does not make: it
 * registers each socket once, edge-triggered, and takes a read shorter than its buffer to mean the
 * socket is drained. On this machine a system call costs about 1.4 µs, and those two were most of
 * the CPU time per request that Sockeye spent beyond nginx's (README, "The engine's cost").
 *
 * <p>The native poller ({@code EpollPoller}, in {@code src/main/java22}: it needs the foreign function
 * API, final in Java 22) does what nginx does for reads: each connection's socket is added once to an
 * edge-triggered {@code epoll} instance, which a virtual thread of the server's polls. After a short
 * read the connection waits for its next edge (see {@link TcpConnection#input()}) instead of reading
 * again; the read itself, writes and {@code sendfile} stay with the JDK's channel. It is used when it
 * can be: Linux on x86-64 or AArch64, Java 22 or newer, native access enabled
 * ({@code --enable-native-access=ALL-UNNAMED}), and the JDK's {@code sun.nio.ch} package open to Sockeye
 * ({@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, or {@code =io.sockeye} on the module path): that
 * is how a channel's file descriptor is found and how the polling thread parks while nothing happens.
 * The command line's jar declares both in its manifest. Otherwise, or with
 * {@link TcpConfig#nativePolling()} off, connections read the JDK's way, which every test also runs on.
 */
interface ReadinessPoller {

    /**
     * Starts watching a connection's socket, before its first read.
     *
     * @return whether it is watched: if not, the connection reads the JDK's way
     */
    boolean watch(TcpConnection connection, SocketChannel channel);

    /** Stops delivering events for a connection that ended (its socket may be closed already). */
    void forget(TcpConnection connection);

    /** @return whether the poller still delivers events; connections stop waiting on one that failed */
    boolean alive();

    /** Stops the poller's thread and releases its descriptors; connections still watched read the JDK's way. */
    void close();

    /**
     * @return a poller for a server's connections, or {@code null} where the native one cannot be used
     *         (a debug line says why)
     */
    static ReadinessPoller open(String threadName) {
        String why;
        String arch = System.getProperty("os.arch", "");
        if (Runtime.version().feature() < 22) {
            why = "it needs Java 22 or newer";
        } else if (!System.getProperty("os.name", "").equals("Linux")) {
            why = "this is not Linux";
        } else if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            why = "it is built for x86-64 and AArch64 only, not " + arch;
        } else if (!Object.class.getModule().isOpen("sun.nio.ch", ReadinessPoller.class.getModule())) {
            why = "the JDK's sun.nio.ch is not open to Sockeye (--add-opens java.base/sun.nio.ch=ALL-UNNAMED)";
        } else {
            try {
                return (ReadinessPoller) Class.forName("io.sockeye.tcp.EpollPoller")
                        .getMethod("open", String.class).invoke(null, threadName);
            } catch (java.lang.reflect.InvocationTargetException e) {
                why = String.valueOf(e.getCause());
            } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
                why = e.toString();
            }
        }
        String reason = why;
        System.getLogger("io.sockeye").log(Level.DEBUG, () -> "connections read the JDK's way: native polling is not used because " + reason);
        return null;
    }
}
