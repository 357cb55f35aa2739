package io.sockeye.tcp;

/**
 * The {@code n} connections idle the longest among those offered, picked in one pass: a bounded max-heap
 * on (idle since, id), whose root is the youngest of those kept, so each offer costs a comparison and at
 * most {@code log n} swaps. Reclaiming at the cap runs this over every open connection; a full sort of
 * ten thousand of them per batch of 32 slowed admission under a reconnect storm. The idle times are read
 * once, when offered (they change all the time: a sort on the live values would break its contract).
 *
 * <p>Not thread-safe: one per reclaim.
 */
final class OldestIdle<T> {

    private final long[] since;
    private final long[] ids;
    private final Object[] items;
    private int size;

    OldestIdle(int n) {
        since = new long[n];
        ids = new long[n];
        items = new Object[n];
    }

    /** Considers a connection, idle since {@code idleSince} (the server's clock), with its unique id. */
    void offer(T c, long idleSince, long id) {
        if (size < items.length) {
            int i = size++;
            set(i, idleSince, id, c);
            siftUp(i);
        } else if (size > 0 && younger(since[0], ids[0], idleSince, id)) {
            set(0, idleSince, id, c);
            siftDown(0);
        }
    }

    /** @return the kept connections, the one idle longest first */
    @SuppressWarnings("unchecked")
    java.util.List<T> oldestFirst() {
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> younger(since[a], ids[a], since[b], ids[b]) ? 1 : a.equals(b) ? 0 : -1);
        java.util.List<T> out = new java.util.ArrayList<>(size);
        for (Integer i : order) out.add((T) items[i]);
        return out;
    }

    /** @return whether (s1, id1) became idle after (s2, id2): later, or at the same tick and a newer connection */
    private static boolean younger(long s1, long id1, long s2, long id2) {
        return s1 != s2 ? s1 - s2 > 0 : id1 > id2;
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!younger(since[i], ids[i], since[parent], ids[parent])) return;
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int top = i;
            if (l < size && younger(since[l], ids[l], since[top], ids[top])) top = l;
            if (r < size && younger(since[r], ids[r], since[top], ids[top])) top = r;
            if (top == i) return;
            swap(i, top);
            i = top;
        }
    }

    private void set(int i, long s, long id, Object c) {
        since[i] = s;
        ids[i] = id;
        items[i] = c;
    }

    private void swap(int a, int b) {
        long s = since[a];
        long id = ids[a];
        Object c = items[a];
        set(a, since[b], ids[b], items[b]);
        set(b, s, id, c);
    }
}
