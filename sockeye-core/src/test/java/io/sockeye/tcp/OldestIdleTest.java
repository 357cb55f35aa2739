package io.sockeye.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The n longest idle, picked in one pass, agree with a full sort (ties broken by the older id). */
class OldestIdleTest {

    record Conn(long since, long id) {
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 32, 1024})
    void keepsTheOldestInOrder(int n) {
        Random random = new Random(n);
        for (int round = 0; round < 50; round++) {
            List<Conn> all = new ArrayList<>();
            OldestIdle<Conn> oldest = new OldestIdle<>(n);
            int count = random.nextInt(3000);
            for (int i = 0; i < count; i++) {
                // few distinct times (the server's clock has a coarse grain), so ties are common
                Conn c = new Conn(random.nextInt(20) * 250_000_000L + Long.MAX_VALUE - 5_000_000_000L, i);
                all.add(c);
                oldest.offer(c, c.since(), c.id());
            }
            // the clock may wrap: compare as System.nanoTime values are compared
            all.sort(Comparator.<Conn>comparingLong(c -> c.since() - (Long.MAX_VALUE - 5_000_000_000L)).thenComparingLong(Conn::id));
            assertEquals(all.subList(0, Math.min(n, all.size())), oldest.oldestFirst());
        }
    }
}
