package io.sockeye;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed logins per client address, to slow down password guessing: each failure from an address makes
 * that address's next 401 come later ({@code step} times its recent failures, at most {@code max}).
 *
 * <p>The table is bounded: at {@code capacity} addresses the least recently failing one is forgotten, so
 * a flood of addresses costs a fixed amount of memory (and only gets those addresses forgotten sooner).
 * IPv6 clients are counted per /64, the block one subscriber usually holds, so that walking through the
 * addresses of one's own block does not reset the count. A count is forgotten {@code window} after an
 * address's last failure. Thread-safe.
 */
final class AuthFailures {

    private static final class Count {
        int failures;
        long lastNanos;
    }

    private final Duration step;
    private final Duration max;
    private final long windowNanos;
    private final Map<Key, Count> table;

    /** An address's bytes (a /64 for IPv6) with value equality. */
    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    AuthFailures(Duration step, Duration max, Duration window, int capacity) {
        if (step.isNegative() || max.isNegative()) throw new IllegalArgumentException("negative delay");
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        this.step = step;
        this.max = max;
        this.windowNanos = window.toNanos();
        // access order, so the eldest entry is the one that failed least recently
        this.table = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Count> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * Counts a failure from this address.
     *
     * @return how long to wait before answering it
     */
    Duration fail(InetAddress address) {
        Key key = key(address);
        long now = System.nanoTime();
        int failures;
        synchronized (table) {
            Count e = table.get(key);
            if (e == null || now - e.lastNanos > windowNanos) {
                e = new Count();
                table.put(key, e);
            }
            if (e.failures < Integer.MAX_VALUE) e.failures++;
            e.lastNanos = now;
            failures = e.failures;
        }
        Duration delay = step.multipliedBy(Math.min(failures, 1_000_000));
        return delay.compareTo(max) > 0 ? max : delay;
    }

    /** @return the failures counted for this address now (for tests and log lines) */
    int failures(InetAddress address) {
        synchronized (table) {
            Count e = table.get(key(address));
            return e == null || System.nanoTime() - e.lastNanos > windowNanos ? 0 : e.failures;
        }
    }

    /** @return how many addresses are remembered */
    int size() {
        synchronized (table) {
            return table.size();
        }
    }

    private static Key key(InetAddress address) {
        byte[] b = address.getAddress();
        return new Key(address instanceof Inet6Address ? Arrays.copyOf(b, 8) : b);
    }
}
