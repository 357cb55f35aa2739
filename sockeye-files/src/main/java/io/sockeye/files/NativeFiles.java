package io.sockeye.files;

import java.lang.System.Logger.Level;

/**
 * Picks the {@link FileSystemAccess}: Linux's own calls ({@code LinuxFileSystemAccess}, in
 * {@code src/main/java22}) need the foreign function API, final in Java 22, while the code targets Java
 * 21. So that class is compiled for 22 and only loaded when the running Java is 22 or newer, on Linux on
 * x86-64 or AArch64, with native access enabled ({@code --enable-native-access}, or
 * {@code Enable-Native-Access} in an executable jar's manifest); otherwise, or when the system property
 * {@code sockeye.files.jdk} is {@code true}, {@link JdkFileSystemAccess} is used.
 *
 * <p>The choice is made on first use ({@link #chosen()}), not when this class is loaded: making it links
 * the native calls, whose stubs the JVM generates at run time (a tenth of a second or more), and handlers
 * are built before their server listens. {@link #best()} hands out the access that defers to the choice.
 */
final class NativeFiles {

    private static final FileSystemAccess DEFERRED = new DeferredFileSystemAccess();

    /** Holds the choice: initialized, and so made, by the first call of {@link #chosen()}. */
    private static final class Choice {
        static final FileSystemAccess BEST = load();
    }

    private NativeFiles() {
    }

    private static FileSystemAccess load() {
        String why;
        if (Runtime.version().feature() < 22) {
            why = "it needs Java 22 or newer";
        } else {
            try {
                Class<?> c = Class.forName("io.sockeye.files.LinuxFileSystemAccess");
                why = (String) c.getMethod("unavailableBecause").invoke(null);
                if (why == null) return (FileSystemAccess) c.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                why = e.toString();
            }
        }
        System.getLogger("io.sockeye.files").log(Level.DEBUG,
                "files are opened through the JDK (on platform threads): Linux's openat2/O_PATH are not used because " + why);
        return new JdkFileSystemAccess();
    }

    /** @return the best access this runtime allows, chosen when it is first used */
    static FileSystemAccess best() {
        return DEFERRED;
    }

    /** @return the best access this runtime allows, choosing it (and linking its native calls) now if not yet done */
    static FileSystemAccess chosen() {
        return Choice.BEST;
    }

    /** @return whether {@link #best()} is the native one (choosing it now if not yet done) */
    static boolean isNative() {
        return !(Choice.BEST instanceof JdkFileSystemAccess);
    }
}
