package io.sockeye.bench;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.sockeye.HttpServer;
import io.sockeye.ServerConfig;
import io.sockeye.TlsConfig;

/**
 * The server side of {@code bench/http-small.sh}, {@code bench/cpu.sh} and {@code bench/tls.sh}: a small
 * in-memory response, the same one nginx's {@code return 200 "Hello, World!"} sends, on 127.0.0.1; over
 * HTTPS with a certificate chain and key from PEM files if given.
 *
 * <pre>java -cp sockeye-bench/target/benchmarks.jar io.sockeye.bench.HelloServer PORT [--tls-cert FILE --tls-key FILE]</pre>
 */
public final class HelloServer {

    private HelloServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = 8080;
        Path cert = null;
        Path key = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--tls-cert" -> cert = Path.of(value(args, ++i, "--tls-cert"));
                case "--tls-key" -> key = Path.of(value(args, ++i, "--tls-key"));
                default -> port = Integer.parseInt(args[i]);
            }
        }
        if ((cert == null) != (key == null)) usage("--tls-cert and --tls-key go together");
        ServerConfig config = ServerConfig.defaults().withBindAddress(InetAddress.getLoopbackAddress()).withPort(port);
        if (cert != null) config = config.withTls(TlsConfig.fromPem(cert, key));
        byte[] hello = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
        HttpServer server = HttpServer.create(config, (request, response) -> {
            response.headers().set("Content-Type", "text/plain");
            response.send(hello);
        }).start();
        System.out.println("listening on " + server.port() + (cert != null ? " (https)" : ""));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        server.awaitTermination();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) usage(option + " needs a file");
        return args[i];
    }

    private static void usage(String why) {
        System.err.println("HelloServer: " + why + "\nusage: HelloServer PORT [--tls-cert FILE --tls-key FILE]");
        System.exit(2);
    }
}
