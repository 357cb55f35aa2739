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
        public void setTimeout(long nanos) {
        }

        @Override
        public void clearDeadline() {
        }

        @Override
        public boolean timedOut() {
            return false;
        }
    };

    /** @param nanos how long the operation under way may take from now */
    void setTimeout(long nanos);

    void clearDeadline();

    boolean timedOut();

    /** The connection's deadline for writes. */
    static Deadlines forWrites(TcpConnection connection) {
        return new Deadlines() {
            @Override
            public void setTimeout(long nanos) {
                connection.setWriteTimeout(nanos);
            }

            @Override
            public void clearDeadline() {
                connection.clearWriteDeadline();
            }

            @Override
            public boolean timedOut() {
                return connection.timedOut();
            }
        };
    }

    /** The connection's deadline for reads. */
    static Deadlines of(TcpConnection connection) {
        return new Deadlines() {
            @Override
            public void setTimeout(long nanos) {
                connection.setTimeout(nanos);
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
