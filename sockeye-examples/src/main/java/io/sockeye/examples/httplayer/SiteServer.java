package io.sockeye.examples.httplayer;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;

import io.sockeye.Handler;
import io.sockeye.Html;
import io.sockeye.HttpServer;
import io.sockeye.Router;
import io.sockeye.examples.Examples;
import io.sockeye.ServerConfig;
import io.sockeye.files.FileHandler;

/**
 * Stage 5: Sockeye's HTTP layer, as the tutorial's {@code SimpleHTTPServer} step. The page and the picture
 * are files again ({@code site/index.html}, {@code site/test.jpg}) served by a {@link FileHandler}: content
 * is separate from the server. The tutorial's {@code SimpleHTTPServer} could not take the form's POST;
 * here a handler of a few lines does, at the address the page posts to, so the page works unchanged.
 *
 * <pre>java -jar sockeye-examples/target/sockeye-examples.jar http-site [port] [site-dir]</pre>
 */
public final class SiteServer {

    private SiteServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = io.sockeye.examples.Examples.port(args, 0, 8000);
        HttpServer server = start(null, port, Path.of(args.length > 1 ? args[1] : "site"));
        Examples.serveUntilStopped(server, "Serving");
    }

    /** Answers the form: the submitted first name, decoded by the server and escaped here. */
    static final Handler FORM = (req, res) -> {
        String name = req.form().first("firstname").orElse("");
        res.send("text/html", "<!DOCTYPE html>\n<meta charset=\"utf-8\"><title>WOW</title>\n"
                + "<p>Hello world!</p>\n<p>" + Html.escape(name) + "</p>\n");
    };

    /** Starts the server on an address ({@code null}: all interfaces) and port. */
    public static HttpServer start(InetAddress address, int port, Path site) throws IOException {
        Router router = Router.create()
                .post("/cgi-bin/post.py", FORM)       // where the page's form posts
                .mount("/", FileHandler.builder(site).exclude(site.resolve("cgi-bin")).build());
        return HttpServer.create(ServerConfig.defaults().withBindAddress(address).withPort(port).withAccessLog(true), router).start();
    }
}
