package io.sockeye.bench;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.Jetty;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * A peer for {@code bench/files.sh}, not part of Sockeye: Jetty 12 serving a directory as a static file
 * server on 127.0.0.1, with Jetty's defaults (its default thread pool, connector and
 * {@link ResourceHandler} settings; only directory listings are turned off, which the benchmark never asks
 * for). Jetty was the fastest server measured here on large files, so the file benchmark compares with it
 * as well as with nginx, lighttpd and h2o.
 *
 * <pre>java -cp sockeye-bench/target/benchmarks.jar io.sockeye.bench.JettyFileServer DIR PORT</pre>
 */
public final class JettyFileServer {

    private JettyFileServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: JettyFileServer DIR PORT");
            System.exit(2);
        }
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            System.err.println("not a directory: " + root);
            System.exit(2);
        }
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.parseInt(args[1]));
        server.addConnector(connector);

        ResourceHandler files = new ResourceHandler();
        files.setBaseResource(ResourceFactory.of(files).newResource(root));
        files.setDirAllowed(false);
        server.setHandler(files);

        server.start();
        System.out.println("listening on " + connector.getLocalPort() + " (Jetty " + Jetty.VERSION + ")");
        server.join();
    }
}
