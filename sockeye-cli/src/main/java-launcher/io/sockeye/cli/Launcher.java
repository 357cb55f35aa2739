package io.sockeye.cli;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The {@code Main-Class} of {@code sockeye.jar}. It is compiled for Java 8 (its own source folder and
 * compiler run) so that {@code java -jar sockeye.jar} on an older Java says what is wrong instead of
 * failing with {@code UnsupportedClassVersionError}; on Java 21+ it hands over to {@link Main}, looked up by
 * name, since this class cannot be compiled against classes made for Java 21.
 */
public final class Launcher {

    /** The oldest Java the server runs on. */
    static final int REQUIRED = 21;

    private Launcher() {
    }

    /**
     * @param args the command line
     * @throws Throwable whatever {@link Main#main} throws, unwrapped
     */
    public static void main(String[] args) throws Throwable {
        String spec = System.getProperty("java.specification.version", "0");
        int feature = feature(spec);
        if (feature < REQUIRED) {
            System.err.println("sockeye: Sockeye needs Java " + REQUIRED + " or newer; this is Java " + spec
                    + " (" + System.getProperty("java.home") + ").");
            System.err.println("Run the jar with a JDK " + REQUIRED + "+ (its bin/java), or use ./sockeye from the"
                    + " checkout, which finds one (JAVA_HOME first).");
            System.exit(1);
        }
        MethodHandle main = MethodHandles.publicLookup().findStatic(Class.forName("io.sockeye.cli.Main"), "main",
                MethodType.methodType(void.class, String[].class));
        main.invokeExact(args);
    }

    /** "1.8" is 8, "17" is 17, "21.0.1" is 21; anything unreadable is 0. */
    static int feature(String spec) {
        String s = spec.startsWith("1.") ? spec.substring(2) : spec;
        int end = 0;
        while (end < s.length() && Character.isDigit(s.charAt(end))) end++;
        try {
            return end == 0 ? 0 : Integer.parseInt(s.substring(0, end));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
