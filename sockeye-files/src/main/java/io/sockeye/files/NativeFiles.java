package io.sockeye.files;

import java.lang.System.Logger.Level;

/**
 * Picks the {@link FileSystemAccess}: Linux's own calls ({@code LinuxFileSystemAccess}, in
 * {@code src/main/java22}) need the foreign function API, final in Java 22, while the code targets Java
 * 21. So that class is compiled for 22 and only loaded when the running Java is 22 or newer, on Linux on
 * x86-64 or AArch64, with native access enabled ({@code --enable-native-access}, or
 * {@code Enable-Native-Access} in an executable jar's manifest); otherwise, or when the system property
 * {@code sockeye.files.jdk} is {@code true}, {@link JdkFileSystemAccess} is used.
 */
final class NativeFiles {

    private static final FileSystemAccess BEST = load();

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

    /** @return the best access this runtime allows */
    static FileSystemAccess best() {
        return BEST;
    }

    /** @return whether {@link #best()} is the native one */
    static boolean isNative() {
        return !(BEST instanceof JdkFileSystemAccess);
    }
}
