package io.sockeye.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what a logger (and its children) log while a test runs, through {@code java.util.logging},
 * which backs {@code System.Logger} by default.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final Level previous;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(String name) {
        logger = Logger.getLogger(name);
        previous = logger.getLevel();
        logger.setLevel(Level.ALL);
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    public List<LogRecord> records() {
        return records;
    }

    /**
     * Forgets what was captured so far. Tests that find a connection's lines by its client port call it
     * before each test: the kernel reuses ephemeral ports, so an earlier test's line can name the same peer.
     */
    public void clear() {
        records.clear();
    }

    /** @return the formatted messages, in order */
    public List<String> messages() {
        return records.stream().map(r -> r.getMessage()).toList();
    }

    /** Waits up to a few seconds for a message containing the text (logging may trail the response). */
    public LogRecord await(String containing) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (LogRecord r : records) {
                if (r.getMessage() != null && r.getMessage().contains(containing)) return r;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no log message containing '" + containing + "' in " + messages());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previous);
    }
}
