package io.sockeye.cli;

import io.sockeye.Handler;
import io.sockeye.Html;
import io.sockeye.Router;
import io.sockeye.Version;

/** What the command serves, from its options. */
final class Site {

    private Site() {
    }

    static Handler handler(Options options) {
        return Router.create().get("/", (req, res) -> res.send("text/html",
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Sockeye</title></head>\n<body>"
                        + "<h1>Sockeye " + Version.VERSION + "</h1>\n<p>It works. You are "
                        + Html.escape(req.remoteAddress().getAddress().getHostAddress()) + ".</p>\n</body></html>\n"));
    }

    static String describe(Options options) {
        return "the built-in page";
    }
}
