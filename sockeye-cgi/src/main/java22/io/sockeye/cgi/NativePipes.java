package io.sockeye.cgi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Pipes to a script that virtual threads can wait on without holding a carrier thread: the server's
 * ends are non-blocking, read and written through the foreign function API, and a thread that finds one
 * not ready parks until one platform thread, waiting in {@code epoll_wait} on all of them, unparks it.
 * (A plain {@link java.io.FileInputStream} read of a pipe would block the carrier thread itself, and with
 * it every other connection scheduled there; the JDK's own process streams avoid that with internal
 * machinery this code cannot use.) Each stream is used by one thread at a time.
 */
final class NativePipes {

    private static final int EPOLLIN = 0x001;
    private static final int EPOLLOUT = 0x004;
    private static final int EPOLLERR = 0x008;
    private static final int EPOLLHUP = 0x010;
    private static final int EPOLLONESHOT = 1 << 30;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CTL_MOD = 3;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int O_NONBLOCK = 0x800;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int EEXIST = 17;
    private static final int ENOENT = 2;
    private static final int MAX_EVENTS = 64;
    private static final int BUFFER = 16 * 1024;

    // struct epoll_event { uint32_t events; uint64_t data; }: packed on x86-64 (12 bytes, data at 4),
    // naturally aligned elsewhere (16 bytes, data at 8)
    private static final boolean PACKED = System.getProperty("os.arch", "").matches("amd64|x86_64");
    private static final long EVENT_SIZE = PACKED ? 12 : 16;
    private static final long DATA_OFFSET = PACKED ? 4 : 8;

    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final MemoryLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private final MethodHandle read;
    private final MethodHandle write;
    private final MethodHandle close;
    private final MethodHandle fcntl;
    private final MethodHandle epollCtl;
    private final MethodHandle epollWait;
    private final int epfd;
    private final Map<Integer, Thread> waiting = new ConcurrentHashMap<>();

    NativePipes(Linker linker, SymbolLookup libc, MethodHandle close) throws Throwable {
        this.read = linker.downcallHandle(find(libc, "read"), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
        this.write = linker.downcallHandle(find(libc, "write"), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
        this.close = close;
        this.fcntl = linker.downcallHandle(find(libc, "fcntl"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                Linker.Option.firstVariadicArg(2));
        this.epollCtl = linker.downcallHandle(find(libc, "epoll_ctl"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), ERRNO);
        this.epollWait = linker.downcallHandle(find(libc, "epoll_wait"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO);
        MethodHandle create = linker.downcallHandle(find(libc, "epoll_create1"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        this.epfd = (int) create.invokeExact(EPOLL_CLOEXEC);
        if (epfd < 0) throw new IOException("epoll_create1 failed");
        Thread.ofPlatform().daemon(true).name("sockeye-cgi-pipes").start(this::pollLoop);
    }

    private static MemorySegment find(SymbolLookup libc, String name) {
        return libc.find(name).orElseThrow(() -> new IllegalStateException("the C library has no " + name));
    }

    /** Makes the server's end of a pipe non-blocking. */
    void nonBlocking(int fd) throws Throwable {
        int flags = (int) fcntl.invokeExact(fd, F_GETFL, 0);
        if (flags < 0 || (int) fcntl.invokeExact(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
            throw new IOException("cannot make a pipe non-blocking");
        }
    }

    InputStream input(int fd) {
        return new PipeIn(fd);
    }

    OutputStream output(int fd) {
        return new PipeOut(fd);
    }

    /** Parks the current thread until the descriptor is ready for the given events (or errs or hangs up). */
    private void await(int fd, int events) throws IOException {
        Thread me = Thread.currentThread();
        waiting.put(fd, me);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ev = arena.allocate(EVENT_SIZE, 4);
            ev.set(JAVA_INT, 0, events | EPOLLONESHOT);
            ev.set(JAVA_LONG.withByteAlignment(4), DATA_OFFSET, fd);
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) epollCtl.invokeExact(state, epfd, EPOLL_CTL_MOD, fd, ev);
            if (rc < 0 && (int) ERRNO_HANDLE.get(state, 0L) == ENOENT) {
                rc = (int) epollCtl.invokeExact(state, epfd, EPOLL_CTL_ADD, fd, ev);
            }
            if (rc < 0 && (int) ERRNO_HANDLE.get(state, 0L) != EEXIST) {
                throw new IOException("epoll_ctl failed: errno " + (int) ERRNO_HANDLE.get(state, 0L));
            }
        } catch (IOException | RuntimeException | Error e) {
            waiting.remove(fd, me);
            throw e;
        } catch (Throwable t) {
            waiting.remove(fd, me);
            throw new IOException(t);
        }
        while (waiting.get(fd) == me) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                waiting.remove(fd, me);
                throw new InterruptedIOException();
            }
        }
    }

    private void pollLoop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = arena.allocate(EVENT_SIZE * MAX_EVENTS, 4);
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                int n = (int) epollWait.invokeExact(state, epfd, events, MAX_EVENTS, -1);
                if (n < 0) {
                    if ((int) ERRNO_HANDLE.get(state, 0L) == EINTR) continue;
                    return;
                }
                for (int i = 0; i < n; i++) {
                    int fd = (int) events.get(JAVA_LONG.withByteAlignment(4), i * EVENT_SIZE + DATA_OFFSET);
                    Thread t = waiting.remove(fd);
                    if (t != null) LockSupport.unpark(t);
                }
            }
        } catch (Throwable t) {
            System.getLogger("io.sockeye.cgi").log(System.Logger.Level.ERROR, "the CGI pipe poller stopped", t);
        }
    }

    private void closeFd(int fd) {
        try {
            int ignored = (int) close.invokeExact(fd); // also takes it out of the epoll set
        } catch (Throwable ignored) {
            // closing our own descriptor cannot fail in a way worth reporting
        }
    }

    /**
     * The server's reading end of a pipe, buffered: the CGI header is parsed a byte at a time, and each
     * unbuffered byte would be a system call.
     */
    private final class PipeIn extends InputStream {
        private final int fd;
        private final MemorySegment buffer = Arena.ofAuto().allocate(BUFFER);
        private final MemorySegment state = Arena.ofAuto().allocate(CALL_STATE);
        private int pos;
        private int limit;
        private boolean closed;
        private boolean eof;

        PipeIn(int fd) {
            this.fd = fd;
        }

        @Override
        public int read() throws IOException {
            if (closed) throw new IOException("stream closed");
            if (pos == limit && !fill()) return -1;
            return buffer.get(JAVA_BYTE, pos++) & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (closed) throw new IOException("stream closed");
            if (len == 0) return 0;
            if (pos == limit && !fill()) return -1;
            int n = Math.min(len, limit - pos);
            MemorySegment.copy(buffer, JAVA_BYTE, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return limit - pos;
        }

        /** Reads what the pipe has (waiting for it if need be) into the buffer. @return false at end of stream */
        private boolean fill() throws IOException {
            if (eof) return false;
            while (true) {
                long n;
                try {
                    n = (long) read.invokeExact(state, fd, buffer, (long) BUFFER);
                } catch (Throwable t) {
                    throw new IOException(t);
                }
                if (n > 0) {
                    pos = 0;
                    limit = (int) n;
                    return true;
                }
                if (n == 0) {
                    eof = true;
                    return false;
                }
                int errno = (int) ERRNO_HANDLE.get(state, 0L);
                if (errno == EAGAIN) await(fd, EPOLLIN | EPOLLHUP | EPOLLERR);
                else if (errno != EINTR) throw new IOException("read from a script failed: errno " + errno);
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                closeFd(fd);
            }
        }
    }

    /** The server's writing end of a pipe (the script's stdin). */
    private final class PipeOut extends OutputStream {
        private final int fd;
        private final MemorySegment buffer = Arena.ofAuto().allocate(BUFFER);
        private final MemorySegment state = Arena.ofAuto().allocate(CALL_STATE);
        private boolean closed;

        PipeOut(int fd) {
            this.fd = fd;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (closed) throw new IOException("stream closed");
            while (len > 0) {
                int chunk = Math.min(len, BUFFER);
                MemorySegment.copy(b, off, buffer, JAVA_BYTE, 0, chunk);
                long n;
                try {
                    n = (long) write.invokeExact(state, fd, buffer, (long) chunk);
                } catch (Throwable t) {
                    throw new IOException(t);
                }
                if (n > 0) {
                    off += (int) n;
                    len -= (int) n;
                    continue;
                }
                int errno = (int) ERRNO_HANDLE.get(state, 0L);
                if (errno == EAGAIN) await(fd, EPOLLOUT | EPOLLERR | EPOLLHUP);
                else if (errno != EINTR) throw new IOException("write to a script failed: errno " + errno); // EPIPE: it stopped reading
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                closeFd(fd);
            }
        }
    }
}
