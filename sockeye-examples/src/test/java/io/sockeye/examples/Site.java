package io.sockeye.examples;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's demo site, as the examples' tests find it. */
public final class Site {

    private Site() {
    }

    /** @return {@code site/} at the repository root (tests run in the module's directory) */
    public static Path dir() {
        for (Path p : new Path[] {Path.of("..", "site"), Path.of("site")}) {
            if (Files.isRegularFile(p.resolve("test.jpg"))) return p.toAbsolutePath().normalize();
        }
        throw new IllegalStateException("cannot find the demo site from " + Path.of("").toAbsolutePath());
    }
}
