package io.sockeye.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One in-process run of the command with its own output, environment and browser; {@link #close()} stops it. */
final class CliRun implements AutoCloseable {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final List<String> opened = new ArrayList<>();
    Main.Launch launch;

    CliRun run(Map<String, String> env, String... args) {
        return run(env, url -> {
            synchronized (opened) {
                opened.add(url);
            }
        }, args);
    }

    CliRun run(Map<String, String> env, Browser browser, String... args) {
        launch = Main.launch(args, env, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8), browser);
        return this;
    }

    String out() {
        synchronized (outBytes) {
            return outBytes.toString(StandardCharsets.UTF_8);
        }
    }

    String err() {
        synchronized (errBytes) {
            return errBytes.toString(StandardCharsets.UTF_8);
        }
    }

    int exitCode() {
        return launch.exitCode();
    }

    boolean started() {
        return launch.started();
    }

    int port() {
        return launch.server().port();
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Override
    public void close() {
        if (launch != null) launch.stop();
    }
}
