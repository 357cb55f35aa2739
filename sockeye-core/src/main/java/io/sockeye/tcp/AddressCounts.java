package io.sockeye.tcp;

import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many connections each client address holds, for {@link TcpConfig#maxConnectionsPerAddress()}.
 * An address is forgotten when its last connection ends, so the table holds only addresses connected now.
 */
final class AddressCounts {

    private static final long LOG_EVERY_NANOS = 1_000_000_000L;

    private final ConcurrentHashMap<InetAddress, Integer> counts = new ConcurrentHashMap<>();
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final AtomicLong refusedSinceLog = new AtomicLong();

    /** @return whether the address had fewer than {@code cap} connections (it now has one more) */
    boolean acquire(InetAddress address, int cap) {
        boolean[] taken = new boolean[1];
        counts.compute(address, (a, n) -> {
            int held = n == null ? 0 : n;
            if (held >= cap) return n;
            taken[0] = true;
            return held + 1;
        });
        return taken[0];
    }

    void release(InetAddress address) {
        counts.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    /** @return connections the address holds now */
    int held(InetAddress address) {
        return counts.getOrDefault(address, 0);
    }

    /** Logs a refused connection: at most one line a second, with how many were refused since the last. */
    void refused(InetAddress address, int cap, System.Logger log) {
        long refused = refusedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last < LOG_EVERY_NANOS || !lastLogged.compareAndSet(last, now)) return;
        refusedSinceLog.addAndGet(-refused);
        log.log(Level.WARNING, "refused " + refused + " connection(s) in the last second, the latest from "
                + address.getHostAddress() + ": it holds its cap of " + cap + ", none of them idle");
    }
}
