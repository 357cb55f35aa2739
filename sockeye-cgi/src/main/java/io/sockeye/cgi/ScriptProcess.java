package io.sockeye.cgi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * A running script as the operating system hands it over: its three pipes, and how to wait for it and
 * end it with everything it started. Two ways to start one: {@code posix_spawn} through the foreign
 * function API where the JDK and the C library allow it ({@link NativeSpawner}), else the JDK's
 * {@link ProcessBuilder} ({@link JdkScriptProcess}).
 */
interface ScriptProcess {

    OutputStream stdin();

    InputStream stdout();

    InputStream stderr();

    boolean isAlive();

    /** @return whether the script ended within the time given */
    boolean waitFor(long millis) throws InterruptedException;

    /** @return the exit status; only after the script ended */
    int exitValue();

    /** Kills the script and every process it started, its orphans included where that can be known. */
    void killAll();

    /**
     * Starts a script directly (no shell, no arguments) in its own directory with exactly the environment
     * given, in a process group of its own where possible (so the group can be killed).
     */
    static ScriptProcess start(Path script, Map<String, String> env) throws IOException {
        ScriptProcess p = NativeSpawner.start(script, env);
        return p != null ? p : JdkScriptProcess.start(script, env);
    }
}
