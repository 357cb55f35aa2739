package io.sockeye.cli;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Opens a URL in the user's browser, for {@code --open}; tests pass their own to see what would open. */
@FunctionalInterface
interface Browser {

    /**
     * Opens the URL; returns once the opener has been started (or has failed).
     *
     * @param url the page
     * @throws IOException if no browser could be started
     */
    void open(String url) throws IOException;

    /** @return the desktop's opener: {@code open} on macOS, {@code start} on Windows, {@code xdg-open} elsewhere */
    static Browser system() {
        return url -> {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            List<String> command = os.contains("mac") ? List.of("open", url)
                    : os.contains("win") ? List.of("rundll32", "url.dll,FileProtocolHandler", url)
                    : List.of("xdg-open", url);
            // the opener's output is its own business: it must neither mix into the access log nor,
            // unread, block it
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File(os.contains("win") ? "NUL" : "/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            // xdg-open returns once the browser is asked; its status says whether one could be
            Thread.ofVirtual().name("sockeye-open").start(() -> {
                try {
                    if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() != 0) {
                        System.getLogger("io.sockeye.cli").log(System.Logger.Level.WARNING,
                                "could not open a browser (" + command.get(0) + " exited with " + p.exitValue() + ")");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        };
    }
}
