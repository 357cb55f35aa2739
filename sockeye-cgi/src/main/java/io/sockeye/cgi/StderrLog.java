package io.sockeye.cgi;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

import io.sockeye.LogText;

/**
 * What a script writes to stderr, logged a line at a time, tagged with the script's name (RFC 3875 §4.4
 * leaves stderr to the server; most servers log it). Bounded whatever the script writes: stderr is read in
 * {@link #READ_BYTES}-byte pieces, a line is kept to its first {@link #MAX_LINE_BYTES} bytes (the rest is
 * counted, not kept: a script that writes 400 MB without a newline must not make the server hold 400 MB),
 * and a run logs at most {@link #MAX_LINES} lines (the rest are counted in one last line), so one script
 * cannot flood the log either. Control characters are escaped ({@link LogText}): a script's stderr must
 * not write terminal escape sequences into an operator's terminal or forge log lines.
 */
final class StderrLog {

    static final int READ_BYTES = 4096;
    static final int MAX_LINE_BYTES = 4096;
    static final int MAX_LINES = 1000;

    private static final System.Logger LOG = System.getLogger("io.sockeye.cgi");

    private final String name;
    private final byte[] line = new byte[MAX_LINE_BYTES];
    private int length;
    private long cut;       // bytes of the current line past MAX_LINE_BYTES
    private int logged;
    private long suppressed; // lines past MAX_LINES

    /** @param name how log lines name the script */
    StderrLog(String name) {
        this.name = name;
    }

    /** Reads stderr to its end (or until it fails: the pipe closed with the script), logging each line. */
    void drain(InputStream stderr) {
        byte[] buffer = new byte[READ_BYTES];
        try (stderr) {
            int n;
            while ((n = stderr.read(buffer)) >= 0) {
                for (int i = 0; i < n; i++) take(buffer[i]);
            }
        } catch (IOException e) {
            // the pipe closed with the process, or the run was ended
        }
        if (length > 0 || cut > 0) endLine();
        if (suppressed > 0) LOG.log(Level.WARNING, name + ": " + suppressed + " more stderr line(s) not logged");
    }

    private void take(byte b) {
        if (b == '\n') {
            endLine();
        } else if (length < MAX_LINE_BYTES) {
            line[length++] = b;
        } else {
            cut++;
        }
    }

    private void endLine() {
        if (logged < MAX_LINES) {
            logged++;
            int end = length > 0 && line[length - 1] == '\r' && cut == 0 ? length - 1 : length;
            String text = LogText.escape(new String(line, 0, end, StandardCharsets.UTF_8));
            LOG.log(Level.WARNING, name + ": " + text + (cut > 0 ? "... (" + cut + " more bytes)" : ""));
        } else {
            suppressed++;
        }
        length = 0;
        cut = 0;
    }
}
