package io.sockeye.bench;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

import io.sockeye.HttpServer;
import io.sockeye.ServerConfig;

/**
 * The server side of {@code bench/http-small.sh}: a small in-memory response, the same one nginx's
 * {@code return 200 "Hello, World!"} sends, on 127.0.0.1.
 *
 * <pre>java -cp sockeye-bench/target/benchmarks.jar io.sockeye.bench.HelloServer PORT</pre>
 */
public final class HelloServer {

    private HelloServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        byte[] hello = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
        HttpServer server = HttpServer.create(
                ServerConfig.defaults().withBindAddress(InetAddress.getLoopbackAddress()).withPort(port),
                (request, response) -> {
                    response.headers().set("Content-Type", "text/plain");
                    response.send(hello);
                }).start();
        System.out.println("listening on " + server.port());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        server.awaitTermination();
    }
}
