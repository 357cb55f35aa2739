package io.sockeye.cgi;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starting scripts with {@code posix_spawn} (see {@code PosixSpawn}, in {@code src/main/java22}): that
 * needs the foreign function API, final in Java 22, while the code targets Java 21. So the class is
 * compiled for 22 and only loaded when the running Java is 22 or newer; otherwise, or when it declines,
 * {@link JdkScriptProcess} is used.
 */
final class NativeSpawner {

    /** What the Java 22 class provides. */
    interface Spawn {
        /** @return the started script (registered with {@link Orphans}), or {@code null} if native spawning is not available here */
        ScriptProcess start(Path script, Map<String, String> env, ScriptLimits limits) throws IOException;

        /** @return why native spawning is not available, or {@code null} if it is */
        String unavailableBecause();

        /** Makes the JVM the subreaper of its descendants. @return why it could not, or {@code null} */
        String becomeSubreaper();

        /**
         * Kills (if asked) and reaps one child of the JVM by its pid.
         *
         * @return 1 if reaped, 0 if it has not ended yet, -1 if it is not a child (any more)
         */
        int reapChild(int pid, boolean kill);
    }

    private static final Spawn SPAWN = load();

    private NativeSpawner() {
    }

    private static Spawn load() {
        String why;
        if (Runtime.version().feature() < 22) {
            why = "it needs Java 22 or newer";
        } else {
            try {
                Spawn s = (Spawn) Class.forName("io.sockeye.cgi.PosixSpawn").getDeclaredConstructor().newInstance();
                why = s.unavailableBecause();
                if (why == null) return s;
            } catch (ReflectiveOperationException | LinkageError e) {
                why = e.toString();
            }
        }
        System.getLogger("io.sockeye.cgi").log(Level.DEBUG, "scripts are started by the JDK's ProcessBuilder: posix_spawn is not used because " + why);
        return null;
    }

    /** @return whether scripts are started by {@code posix_spawn} */
    static boolean available() {
        return SPAWN != null;
    }

    /** @return the started script, or {@code null} if native spawning is not available here */
    static ScriptProcess start(Path script, Map<String, String> env, ScriptLimits limits) throws IOException {
        return SPAWN == null ? null : SPAWN.start(script, env, limits);
    }

    /** @return why the JVM cannot be made a subreaper, or {@code null} once it is one */
    static String becomeSubreaper() {
        return SPAWN == null ? "it needs posix_spawn's native calls (Java 22+, --enable-native-access, Linux)" : SPAWN.becomeSubreaper();
    }

    /** See {@link Spawn#reapChild}; -1 without the native calls. */
    static int reapChild(int pid, boolean kill) {
        return SPAWN == null ? -1 : SPAWN.reapChild(pid, kill);
    }
}
