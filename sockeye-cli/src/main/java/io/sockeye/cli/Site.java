package io.sockeye.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

import io.sockeye.Handler;
import io.sockeye.Router;
import io.sockeye.cgi.CgiHandler;
import io.sockeye.files.FileHandler;

/** What the command serves, from its options: the directory's files, and its CGI directories' scripts. */
final class Site {

    /** Python's {@code CGIHTTPRequestHandler.cgi_directories}, and the tutorial's spelling. */
    static final String[] DEFAULT_CGI_DIRS = {"cgi-bin", "htbin", "ht-bin"};

    private Site() {
    }

    static Handler handler(Options options) {
        Path root = options.directory;
        FileHandler.Builder files = FileHandler.builder(root)
                .listing(!options.noListing)
                .dotfiles(options.dotfiles)
                .followSymlinks(options.followSymlinks)
                .compression(!options.noCompress)
                .cacheControl(options.cacheControl)
                // a 404.html at the root is used as FileHandler does by default; --spa adds the app's page
                .spaFallback(options.spa ? "index.html" : null)
                .archives(!options.noArchives && !options.noListing);
        Set<String> cgiDirs = cgiDirectories(options);
        if (cgiDirs.isEmpty()) return files.build();

        Router router = Router.create();
        CgiHandler first = null; // the directories share one set of script slots and spool limits
        for (String dir : cgiDirs) {
            Path scripts = root.resolve(dir);
            files.exclude(scripts); // a script's source is never sent, whatever path or link leads to it
            // Mounted whether or not it exists yet: a cgi-bin/ made after the start runs its scripts (as
            // python -m http.server --cgi does) instead of having them served as static files or 403s.
            CgiHandler scriptsHere = CgiHandler.builder(scripts)
                    .shareLimitsWith(first)
                    .documentRoot(root)
                    .timeout(Duration.ofSeconds(options.cgiTimeout))
                    .localRedirects(router)
                    // the command's JVM starts no processes of its own: whatever a script leaves running
                    // after its request (a setsid'd daemon, say) is adopted and killed
                    .adoptOrphans(true)
                    .build();
            if (first == null) first = scriptsHere;
            router.mount("/" + dir + "/", scriptsHere);
        }
        return router.mount("/", files.build());
    }

    static Set<String> cgiDirectories(Options options) {
        Set<String> dirs = new LinkedHashSet<>();
        if (options.cgi || !options.cgiDirs.isEmpty()) {
            for (String d : DEFAULT_CGI_DIRS) dirs.add(d);
        }
        dirs.addAll(options.cgiDirs); // made clean by Options.validate
        return dirs;
    }

    /** The banner's description: which of the CGI directories exist now (all are served once they do). */
    static String describe(Options options) {
        Set<String> cgi = cgiDirectories(options);
        String where = options.directory.toString();
        if (cgi.isEmpty()) return where;
        StringBuilder dirs = new StringBuilder();
        for (String d : cgi) {
            if (Files.isDirectory(options.directory.resolve(d))) dirs.append(dirs.isEmpty() ? "" : ", ").append(d).append('/');
        }
        return where + (dirs.isEmpty() ? " (no CGI directory found in it)" : " (CGI scripts in " + dirs + ")");
    }
}
