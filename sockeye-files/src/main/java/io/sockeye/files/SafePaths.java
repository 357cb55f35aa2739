package io.sockeye.files;

import java.nio.file.Path;

/**
 * The docroot's paths: the request path's segments (already refused or resolved by
 * {@link io.sockeye.RequestPaths#jailedSegments}) name a file under the root. The path is what the
 * per-request freshness check stats; the jail itself is enforced by {@link PathWalk}, which does not trust
 * paths.
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
}
