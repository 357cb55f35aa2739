package io.sockeye.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.sockeye.LogText;

/**
 * Where the command line's logging goes: the access log, one Combined Log Format line per request, to
 * standard output; everything else (errors, refused requests, start and stop) to standard error with a
 * time and level. The library logs through {@code System.Logger}, which the JDK routes to
 * {@code java.util.logging}; this handler is what that ends in.
 *
 * <p>Output is buffered and flushed a few times a second (and at exit), so that logging every request
 * costs an append, not a system call, on a busy server.
 */
final class ConsoleLog extends Handler {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final String ACCESS = "io.sockeye.access";

    private final PrintStream out;
    private final PrintStream err;
    private final Thread flusher;

    private ConsoleLog(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        this.flusher = Thread.ofPlatform().daemon(true).name("sockeye-log-flush").unstarted(this::flushLoop);
    }

    /**
     * Routes all logging to the two streams.
     *
     * @param out       where access log lines go
     * @param err       where everything else goes
     * @param accessLog whether to write the access log at all
     * @param verbose   whether to include debug messages
     * @return the installed handler; {@link #close()} it to flush and detach
     */
    static ConsoleLog install(PrintStream out, PrintStream err, boolean accessLog, boolean verbose) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        ConsoleLog handler = new ConsoleLog(out, err);
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(Level.WARNING);
        Logger.getLogger("io.sockeye").setLevel(verbose ? Level.FINE : Level.INFO);
        Logger.getLogger(ACCESS).setLevel(accessLog ? Level.INFO : Level.OFF);
        handler.flusher.start();
        return handler;
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) return;
        String message = record.getMessage();
        if (ACCESS.equals(record.getLoggerName())) {
            synchronized (this) {
                out.println(message);
            }
            return;
        }
        // the library escapes what clients and scripts send; this is the last line of defence for the
        // terminal the log is read on (a message from other code may quote untrusted text too)
        StringBuilder line = new StringBuilder(message == null ? 64 : message.length() + 40)
                .append('[').append(TIME.format(LocalDateTime.now())).append("] ")
                .append(level(record.getLevel())).append(": ").append(LogText.escape(message));
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(System.lineSeparator()).append(trace.toString().stripTrailing());
        }
        synchronized (this) {
            err.println(line);
        }
    }

    private static String level(Level level) {
        if (level.intValue() >= Level.SEVERE.intValue()) return "error";
        if (level.intValue() >= Level.WARNING.intValue()) return "warning";
        if (level.intValue() >= Level.INFO.intValue()) return "info";
        return "debug";
    }

    private void flushLoop() {
        while (true) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            flush();
        }
    }

    @Override
    public synchronized void flush() {
        out.flush();
        err.flush();
    }

    @Override
    public void close() {
        flusher.interrupt();
        flush();
        Logger.getLogger("").removeHandler(this);
    }
}
