package io.sockeye.examples.cgi;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;

import io.sockeye.HttpServer;
import io.sockeye.Router;
import io.sockeye.examples.Examples;
import io.sockeye.ServerConfig;
import io.sockeye.cgi.CgiHandler;
import io.sockeye.files.FileHandler;

/**
 * Stage 6: the tutorial's {@code CGIHTTPServer}. Files under {@code cgi-bin/} are programs: the form
 * posts to {@code cgi-bin/post.py}, which the server runs with the request in its environment and the
 * body on its stdin, and whose output becomes the response. Everything else is still a file. This is what
 * {@code ./sockeye -d site --cgi} does.
 *
 * <pre>java -jar sockeye-examples/target/sockeye-examples.jar cgi-site [port] [site-dir]</pre>
 */
public final class CgiSiteServer {

    private CgiSiteServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = io.sockeye.examples.Examples.port(args, 0, 8000);
        HttpServer server = start(null, port, Path.of(args.length > 1 ? args[1] : "site"));
        Examples.serveUntilStopped(server, "Serving");
    }

    /** Starts the server on an address ({@code null}: all interfaces) and port. */
    public static HttpServer start(InetAddress address, int port, Path site) throws IOException {
        Path scripts = site.resolve("cgi-bin");
        Router router = Router.create();
        router.mount("/cgi-bin/", CgiHandler.builder(scripts).documentRoot(site).localRedirects(router).build())
                .mount("/", FileHandler.builder(site).exclude(scripts).build()); // never the scripts' source
        return HttpServer.create(ServerConfig.defaults().withBindAddress(address).withPort(port).withAccessLog(true), router).start();
    }
}
