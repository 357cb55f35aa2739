package io.sockeye.files;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The docroot as a jail, on the file system's side: the request path's segments (already refused or
 * resolved by {@link io.sockeye.RequestPaths#jailedSegments}) name a file under the root, and symbolic
 * links are checked after mapping by {@link #inside(Path, Path)}: whatever the path says, the real file
 * must be under the real root.
 */
final class SafePaths {

    private SafePaths() {
    }

    /** @return the file a checked relative path ({@code a/b}, {@code ""} for the root) names under the root */
    static Path resolve(Path root, String relative) {
        Path p = root;
        if (relative.isEmpty()) return p;
        for (String s : relative.split("/")) p = p.resolve(s);
        return p;
    }

    /**
     * @param realRoot the root, as {@link Path#toRealPath} gives it
     * @param file     a path under the root
     * @return whether the file, with every symbolic link on its way resolved, is still under the root
     * @throws IOException if the file does not exist or cannot be resolved
     */
    static boolean inside(Path realRoot, Path file) throws IOException {
        return file.toRealPath().startsWith(realRoot);
    }
}
