package io.sockeye.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.sockeye.BasicAuth;
import io.sockeye.Cors;
import io.sockeye.Handler;
import io.sockeye.Router;
import io.sockeye.cgi.CgiHandler;
import io.sockeye.files.FileHandler;
import io.sockeye.files.UploadHandler;

/** What the command serves, from its options: the directory's files, and its CGI directories' scripts. */
final class Site {

    /** Python's {@code CGIHTTPRequestHandler.cgi_directories}, and the tutorial's spelling. */
    static final String[] DEFAULT_CGI_DIRS = {"cgi-bin", "htbin", "ht-bin"};

    /** {@link CgiHandler.Builder#spoolLimits}'s default for all its spool files together. */
    private static final long DEFAULT_CGI_SPOOL = 1L << 30;

    private Site() {
    }

    /**
     * The whole handler: the content behind the access options, outermost first: the {@code -H} fields
     * (so that every answer, a 401 or a preflight too, has them), CORS (its preflights need no login, as
     * browsers send none), then the login.
     */
    static Handler handler(Options options) {
        Handler site = content(options);
        if (!options.users.isEmpty()) {
            site = BasicAuth.builder(new PasswordCheck(options.users))
                    .realm(options.authRealm)
                    .writesOnly(options.authWritesOnly)
                    .wrap(site);
        }
        if (options.cors != null) {
            // a page from one named origin may send the login; with "*" browsers would refuse that anyway
            Cors.Builder cors = Cors.builder(options.cors).allowCredentials(!options.users.isEmpty() && !options.cors.equals("*"));
            // writes from another origin's pages only for one named origin: with "*", any site a visitor
            // opens could otherwise upload or delete through the visitor's browser
            if (!options.cors.equals("*") && (options.upload || options.delete)) {
                cors.allowMethods("GET", "HEAD", "POST", "PUT", "DELETE");
            }
            site = cors.wrap(site);
        }
        return ExtraHeaders.wrap(site, options.headerFields);
    }

    /** The directory's files and CGI scripts. */
    static Handler content(Options options) {
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
        UploadHandler.Builder uploads = UploadHandler.builder(root)
                .upload(options.upload)
                .overwrite(options.overwrite)
                .mkdir(options.mkdir)
                .delete(options.delete)
                .dotfiles(options.dotfiles)
                .hints("start sockeye with --upload to take files (or with --cgi to run the scripts in cgi-bin/)", "start sockeye with --overwrite to replace it",
                        "start sockeye with --mkdir to have it made", "start sockeye with --delete");
        Set<String> cgiDirs = cgiDirectories(options);
        for (String dir : cgiDirs) uploads.exclude(root.resolve(dir)); // no upload can become, or replace, a script
        files.uploads(uploads.build()); // off, it answers PUT, POST and DELETE with 403 and the option to use
        if (cgiDirs.isEmpty()) return files.build();

        Router router = Router.create();
        CgiHandler first = null; // the directories share one set of script slots and spool limits
        for (String dir : cgiDirs) {
            Path scripts = root.resolve(dir);
            files.exclude(scripts); // a script's source is never sent, whatever path or link leads to it
            // Mounted whether or not it exists yet: a cgi-bin/ made after the start runs its scripts (as
            // python -m http.server --cgi does) instead of having them served as static files or 403s.
            CgiHandler.Builder scriptsHere = CgiHandler.builder(scripts)
                    .shareLimitsWith(first)
                    .documentRoot(root)
                    .timeout(Duration.ofSeconds(options.cgiTimeout))
                    .localRedirects(router)
                    // the command's JVM starts no processes of its own: whatever a script leaves running
                    // after its request (a setsid'd daemon, say) is adopted and killed
                    .adoptOrphans(true);
            cgiEnvironment(scriptsHere, options.cgiEnv);
            // a body is spooled whole before its script starts: the spool must hold the largest one taken
            if (options.maxBodyBytes > DEFAULT_CGI_SPOOL) scriptsHere.spoolLimits(options.maxBodyBytes, 1024);
            CgiHandler handler = scriptsHere.build();
            if (first == null) first = handler;
            router.mount("/" + dir + "/", handler);
        }
        return router.mount("/", files.build());
    }

    /**
     * {@code --cgi-env}: {@code NAME} passes the server's variable, {@code NAME=VALUE} sets one.
     *
     * @throws IllegalArgumentException for a name or value the CGI handler refuses
     */
    static CgiHandler.Builder cgiEnvironment(CgiHandler.Builder scripts, List<String> entries) {
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq < 0) scripts.passEnvironment(entry);
            else scripts.environment(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return scripts;
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
