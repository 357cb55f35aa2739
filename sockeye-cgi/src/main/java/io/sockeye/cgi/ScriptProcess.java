package io.sockeye.cgi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A running script as the operating system hands it over: its three pipes, and how to wait for it and
 * end it with everything it started. Two ways to start one: {@code posix_spawn} through the foreign
 * function API where the JDK and the C library allow it ({@link NativeSpawner}), else the JDK's
 * {@link ProcessBuilder} ({@link JdkScriptProcess}).
 *
 * <p>Every script is reaped, whichever way its run ends: {@link #ended()} completes once it has been, and
 * the process group it leads is killed just before, so that nothing it started in the group outlives it.
 * On the {@code posix_spawn} path that kill comes while the script is still unreaped (a zombie holds its
 * pid, and so its group's id, for it), so the signal can only reach the script's own group.
 */
interface ScriptProcess {

    OutputStream stdin();

    InputStream stdout();

    InputStream stderr();

    long pid();

    boolean isAlive();

    /** @return whether the script ended (and was reaped) within the time given */
    boolean waitFor(long millis) throws InterruptedException;

    /** @return the exit status (128 + signal if killed); only after the script ended */
    int exitValue();

    /** Kills the script and every process in its group, if it has not been reaped yet. */
    void killAll();

    /**
     * @return what completes with the exit status once the script has ended, its group has been killed,
     * and it has been reaped; the same future on every call. Asking is what makes sure it is reaped.
     */
    CompletableFuture<Integer> ended();

    /**
     * Starts a script directly (no shell, no arguments) in its own directory with exactly the environment
     * given, under the limits given, in a process group of its own (so the group can be killed).
     *
     * @param jdk whether to use the JDK's way even where {@code posix_spawn} is available (for tests)
     */
    static ScriptProcess start(Path script, Map<String, String> env, ScriptLimits limits, boolean jdk) throws IOException {
        ScriptProcess p = jdk ? null : NativeSpawner.start(script, env, limits);
        return p != null ? p : JdkScriptProcess.start(script, env, limits);
    }
}
