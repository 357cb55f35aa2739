package io.sockeye.examples.tcplayer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.sockeye.examples.rawhttp.PageServer;
import io.sockeye.examples.rawhttp.RawHttp;
import io.sockeye.tcp.ConnectionHandler;
import io.sockeye.tcp.TcpConfig;
import io.sockeye.tcp.TcpConnection;
import io.sockeye.tcp.TcpServer;

/**
 * Stage 4: the tutorial's {@code TCPServer((HOST, PORT), MyTCPHandler)} on Sockeye's TCP layer. The
 * accept loop, the threads, the limits and the shutdown are the layer's; what is left is the handler's
 * {@code handle()}, with the connection (the tutorial's {@code self.request}) and the client's address
 * (its {@code self.client_address}). Unlike the tutorial's single-threaded server, each connection runs on
 * its own virtual thread, so a slow client no longer holds up the others.
 *
 * <pre>java -jar sockeye-examples/target/sockeye-examples.jar tcp-page [port] [site-dir]</pre>
 */
public final class TcpPageServer implements ConnectionHandler {

    private final PageServer pages;

    TcpPageServer(Path site) throws IOException {
        this.pages = PageServer.create(site);
    }

    public static void main(String[] args) throws Exception {
        int port = io.sockeye.examples.Examples.port(args, 0, 8000);
        TcpServer server = start(new InetSocketAddress(port), Path.of(args.length > 1 ? args[1] : "site"));
        System.out.println("Serving on port " + server.port() + "; Ctrl-C stops");
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        server.awaitTermination();
    }

    /** Starts the server. */
    public static TcpServer start(InetSocketAddress address, Path site) throws IOException {
        return TcpServer.start(TcpConfig.defaults().withAddress(address).withName("stage4"), new TcpPageServer(site));
    }

    @Override
    public void handle(TcpConnection connection) throws IOException {
        // a deadline for the whole exchange: a client that stalls is cut off instead of holding a thread
        connection.setTimeout(TimeUnit.SECONDS.toNanos(10));
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(connection.channel()));
        RawHttp.Request request;
        try {
            request = RawHttp.read(new BufferedInputStream(Channels.newInputStream(connection.channel())));
        } catch (RawHttp.BadRequest e) {
            RawHttp.write(out, 400, "Bad Request", "text/plain; charset=utf-8", (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        System.out.println("Connected by " + connection.remoteAddress() + ": " + request.method() + " " + request.target());
        pages.respond(request, out);
    }
}
