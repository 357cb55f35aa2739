package io.sockeye.tcp;

import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many connections each client address holds, for {@link TcpConfig#maxConnectionsPerAddress()}.
 * An address is forgotten when its last connection ends, so the table holds only addresses connected now.
 * IPv6 clients are counted by their /64 ({@link #key}): one host is given a whole /64 and may use any
 * address in it (RFC 4291 §2.5.1, privacy addresses of RFC 8981), so counting single addresses would cap
 * nothing.
 */
final class AddressCounts {

    private static final long LOG_EVERY_NANOS = 1_000_000_000L;

    private final ConcurrentHashMap<InetAddress, Integer> counts = new ConcurrentHashMap<>();
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final AtomicLong refusedSinceLog = new AtomicLong();

    /**
     * @param address a client's address
     * @return what its connections are counted under: an IPv4 address itself (an IPv4-mapped IPv6 one as
     *         IPv4), an IPv6 address as its /64 prefix
     */
    static InetAddress key(InetAddress address) {
        if (!(address instanceof java.net.Inet6Address)) return address;
        byte[] b = address.getAddress();
        boolean mapped = true;
        for (int i = 0; i < 10; i++) mapped &= b[i] == 0;
        mapped &= b[10] == (byte) 0xff && b[11] == (byte) 0xff;
        try {
            if (mapped) return InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16));
            java.util.Arrays.fill(b, 8, 16, (byte) 0);
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            return address; // cannot happen: the lengths are right
        }
    }

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
