package io.sockeye.http1;

import io.sockeye.tcp.TcpConnection;

/**
 * What the stream classes need of a connection's timeouts: a deadline for the read or write under way,
 * and whether one passed (a read that then returns end of stream timed out rather than ended).
 */
interface Deadlines {

    /** No deadlines: for streams over bytes already in memory. */
    Deadlines NONE = new Deadlines() {
        @Override
        public void setDeadline(long nanoTime) {
        }

        @Override
        public void clearDeadline() {
        }

        @Override
        public boolean timedOut() {
            return false;
        }
    };

    /** @param nanoTime when the operation under way must have finished, as a {@link System#nanoTime()} value */
    void setDeadline(long nanoTime);

    void clearDeadline();

    boolean timedOut();

    static Deadlines of(TcpConnection connection) {
        return new Deadlines() {
            @Override
            public void setDeadline(long nanoTime) {
                connection.setDeadline(nanoTime);
            }

            @Override
            public void clearDeadline() {
                connection.clearDeadline();
            }

            @Override
            public boolean timedOut() {
                return connection.timedOut();
            }
        };
    }
}
