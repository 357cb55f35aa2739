package io.sockeye.tcp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The native {@link ReadinessPoller}: one edge-triggered {@code epoll} instance per server, polled by a
 * virtual thread (Java 22+, Linux x86-64 and AArch64; loaded by {@link ReadinessPoller#open}).
 *
 * <p>The polling thread is virtual, as the JDK's own pollers are, so that handing an event to a
 * connection is an unpark on the same scheduler, not a wake-up of another OS thread. It never blocks in
 * {@code epoll_wait} (a foreign call holds its carrier thread, and a server pinned to one core has one):
 * it takes what is ready without waiting, and when nothing is, parks until the epoll descriptor itself
 * becomes readable, the way a JDK {@code Selector} waits on a virtual thread ({@code
 * sun.nio.ch.Poller.pollSelector}). A first version blocked in {@code epoll_wait} on a platform thread:
 * that cost a context switch and a futex wake-up per event, and used more CPU per request than the JDK's
 * way (README, "The engine's cost").
 *
 * <p>Each socket is added once ({@code EPOLLIN | EPOLLRDHUP | EPOLLET}) and never re-armed: an edge is
 * reported each time bytes arrive (or the peer shuts down), which is all a reader that read until a
 * short read needs. An event carries the connection's id, not its file descriptor: a descriptor is
 * reused as soon as it is closed, and an event already taken from the kernel for a socket that has just
 * closed must not wake the connection that now has its number. Ids are never reused, and an ended
 * connection's id is forgotten. A closed socket leaves the epoll set by itself (the kernel drops it with
 * its last reference), so nothing is removed by number either.
 */
final class EpollPoller implements ReadinessPoller {

    private static final System.Logger LOG = System.getLogger("io.sockeye");
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLLIN = 0x1;
    private static final int EPOLLRDHUP = 0x2000;
    private static final int EPOLLET = 1 << 31;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int EFD_NONBLOCK = 0x800;
    /** struct epoll_event is packed on x86-64 (12 bytes), naturally aligned elsewhere (16). */
    private static final boolean PACKED = !System.getProperty("os.arch", "").equals("aarch64");
    private static final long EVENT_SIZE = PACKED ? 12 : 16;
    private static final long DATA_OFFSET = PACKED ? 4 : 8;
    private static final int MAX_EVENTS = 256;
    /** The id on the wake-up eventfd's events: connection ids start at 1. */
    private static final long WAKE_ID = 0;

    private final MethodHandle epollCtl;
    private final MethodHandle epollWait;
    private final MethodHandle write;
    private final MethodHandle close;
    private final MethodHandle fdOf;
    /** The JDK's own wait for a selector's descriptor from a virtual thread: {@code Poller.pollSelector(fd, 0)}. */
    private final MethodHandle awaitReadable;
    private final int epfd;
    private final int wakeFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment events;
    /** One event to add a socket with; guarded by itself (sockets are added by the accepting thread, mostly). */
    private final MemorySegment adding;
    private final ConcurrentHashMap<Long, TcpConnection> watched = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closing;
    private volatile boolean alive = true;

    private EpollPoller(MethodHandle epollCtl, MethodHandle epollWait, MethodHandle write, MethodHandle close,
                        MethodHandle fdOf, MethodHandle awaitReadable, int epfd, int wakeFd, String threadName) throws Throwable {
        this.epollCtl = epollCtl;
        this.epollWait = epollWait;
        this.write = write;
        this.close = close;
        this.fdOf = fdOf;
        this.awaitReadable = awaitReadable;
        this.epfd = epfd;
        this.wakeFd = wakeFd;
        this.events = arena.allocate(EVENT_SIZE * MAX_EVENTS, 8);
        this.adding = arena.allocate(EVENT_SIZE, 8);
        if (add(wakeFd, WAKE_ID) != 0) throw new IllegalStateException("epoll_ctl refused the wake-up eventfd");
        this.thread = Thread.ofVirtual().name(threadName).unstarted(this::run);
        thread.start();
    }

    /** Called by {@link ReadinessPoller#open} on Java 22 and newer. */
    public static EpollPoller open(String threadName) throws Throwable {
        if (!EpollPoller.class.getModule().isNativeAccessEnabled()) {
            throw new IllegalStateException("native access is not enabled (--enable-native-access)");
        }
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        MethodHandle create = handle(linker, libc, "epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        MethodHandle ctl = handle(linker, libc, "epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        MethodHandle wait = handle(linker, libc, "epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        MethodHandle eventfd = handle(linker, libc, "eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        MethodHandle write = handle(linker, libc, "write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
        MethodHandle close = handle(linker, libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        // the channel's descriptor: SelChImpl is what every JDK socket channel implements
        MethodHandle fdOf = MethodHandles.lookup().findVirtual(Class.forName("sun.nio.ch.SelChImpl"), "getFDVal",
                MethodType.methodType(int.class)).asType(MethodType.methodType(int.class, SocketChannel.class));
        // how a JDK Selector used on a virtual thread waits for its epoll descriptor (JDK 22+): the thread
        // parks, and the JDK's own poller unparks it when the descriptor becomes readable
        Class<?> jdkPoller = Class.forName("sun.nio.ch.Poller");
        MethodHandle awaitReadable = MethodHandles.privateLookupIn(jdkPoller, MethodHandles.lookup())
                .findStatic(jdkPoller, "pollSelector", MethodType.methodType(void.class, int.class, long.class));
        int epfd = (int) create.invokeExact(EPOLL_CLOEXEC);
        if (epfd < 0) throw new IllegalStateException("epoll_create1 failed");
        int wakeFd = (int) eventfd.invokeExact(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (wakeFd < 0) {
            int ignored = (int) close.invokeExact(epfd);
            throw new IllegalStateException("eventfd failed");
        }
        return new EpollPoller(ctl, wait, write, close, fdOf, awaitReadable, epfd, wakeFd, threadName);
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor fd) {
        return linker.downcallHandle(lookup.find(name).orElseThrow(() -> new IllegalStateException("the C library has no " + name)), fd);
    }

    @Override
    public boolean watch(TcpConnection connection, SocketChannel channel) {
        if (!alive) return false;
        try {
            int fd = (int) fdOf.invokeExact(channel);
            // known before the socket is added: an edge may be reported the moment it is
            watched.put(connection.id(), connection);
            if (add(fd, connection.id()) == 0) return true;
        } catch (Throwable e) {
            LOG.log(Level.DEBUG, () -> connection + ": not polled natively: " + e);
        }
        watched.remove(connection.id());
        return false;
    }

    private int add(int fd, long id) throws Throwable {
        synchronized (adding) {
            if (!arena.scope().isAlive()) return -1; // the poller has stopped
            adding.set(JAVA_INT, 0, EPOLLIN | EPOLLRDHUP | EPOLLET);
            adding.set(JAVA_LONG_UNALIGNED, DATA_OFFSET, id);
            return (int) epollCtl.invokeExact(epfd, EPOLL_CTL_ADD, fd, adding);
        }
    }

    @Override
    public void forget(TcpConnection connection) {
        watched.remove(connection.id());
    }

    @Override
    public boolean alive() {
        return alive;
    }

    private void run() {
        int failures = 0;
        try {
            while (!closing) {
                // never blocks in epoll_wait: that would hold a carrier thread (see the class comment)
                int n = (int) epollWait.invokeExact(epfd, events, MAX_EVENTS, 0);
                if (n == 0) {
                    awaitReadable.invokeExact(epfd, 0L);
                    continue;
                }
                if (n < 0) {
                    // EINTR (a signal) is the one expected failure; a run of them means the descriptor is gone
                    if (++failures > 1000) throw new IllegalStateException("epoll_wait keeps failing");
                    continue;
                }
                failures = 0;
                for (int i = 0; i < n; i++) {
                    long id = events.get(JAVA_LONG_UNALIGNED, i * EVENT_SIZE + DATA_OFFSET);
                    if (id == WAKE_ID) continue;
                    TcpConnection c = watched.get(id);
                    if (c != null) c.readable();
                }
            }
        } catch (Throwable e) {
            LOG.log(Level.ERROR, "the native poller stopped; connections read the JDK's way from now on", e);
        } finally {
            alive = false;
            // nobody will be told of another edge: every waiting reader reads (the JDK's way) now
            for (TcpConnection c : watched.values()) c.readable();
            release();
        }
    }

    @Override
    public void close() {
        if (closing) return;
        closing = true;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1);
            long ignored = (long) write.invokeExact(wakeFd, one, 8L);
        } catch (Throwable e) {
            LOG.log(Level.DEBUG, () -> "could not wake the native poller: " + e);
        }
        // the server's close() returns with its threads ended
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void release() {
        try {
            int a = (int) close.invokeExact(wakeFd);
            int b = (int) close.invokeExact(epfd);
        } catch (Throwable e) {
            LOG.log(Level.DEBUG, () -> "could not close the native poller's descriptors: " + e);
        }
        synchronized (adding) {
            arena.close();
        }
    }
}
