package io.sockeye.cli;

import io.sockeye.Handler;
import io.sockeye.files.FileHandler;

/** What the command serves, from its options. */
final class Site {

    private Site() {
    }

    static Handler handler(Options options) {
        return FileHandler.builder(options.directory)
                .listing(!options.noListing)
                .dotfiles(options.dotfiles)
                .followSymlinks(options.followSymlinks)
                .compression(!options.noCompress)
                .cacheControl(options.cacheControl)
                .build();
    }

    static String describe(Options options) {
        return options.directory.toString();
    }
}
