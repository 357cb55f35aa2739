package io.sockeye.examples.rawhttp;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.sockeye.Html;

/**
 * Stages 2 and 3: HTTP on raw sockets. {@code GET /} is the WOW page, {@code GET /test.jpg} the picture,
 * and {@code POST /} (stage 3) the page again with the submitted first name under it — URL-decoded (the
 * tutorial printed {@code Va%20mei}) and HTML-escaped (the tutorial printed whatever was sent into the
 * page: a cross-site scripting hole). One connection at a time, as in the tutorial; stage 4 fixes that.
 *
 * <pre>java -jar sockeye-examples/target/sockeye-examples.jar raw-http [port] [site-dir]</pre>
 */
public final class PageServer {

    /** The tutorial's page, with its form (stage 3). */
    static final String PAGE = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>WOW</title></head>
            <body>
            <p>Wow, Java Server</p>
            <img src="test.jpg" alt="test.jpg">
            <form name="input" action="/" method="post">
            First name: <input type="text" name="firstname">
            <input type="submit" value="Submit">
            </form>
            """;

    private final byte[] picture;

    private PageServer(Path site) throws IOException {
        this.picture = Files.readAllBytes(site.resolve("test.jpg"));
    }

    /** @param site the directory holding {@code test.jpg} @return a server for its page and picture */
    public static PageServer create(Path site) throws IOException {
        return new PageServer(site);
    }

    public static void main(String[] args) throws IOException {
        int port = io.sockeye.examples.Examples.port(args, 0, 8000);
        PageServer pages = create(Path.of(args.length > 1 ? args[1] : "site"));
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port), 3); // listen once, outside the loop
            System.out.println("Serving on port " + server.getLocalPort());
            while (true) {
                try (Socket connection = server.accept()) {
                    pages.serve(connection);
                }
            }
        }
    }

    /** Answers one request on a connection, then the caller closes it. */
    public void serve(Socket connection) throws IOException {
        connection.setSoTimeout(10_000);
        OutputStream out = connection.getOutputStream();
        RawHttp.Request request;
        try {
            request = RawHttp.read(connection.getInputStream());
        } catch (RawHttp.BadRequest e) {
            RawHttp.write(out, 400, "Bad Request", "text/plain; charset=utf-8", (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        System.out.println("Connected by " + connection.getRemoteSocketAddress() + ": " + request.method() + " " + request.target());
        respond(request, out);
    }

    /** The stage's whole logic: what to send for a request. */
    public void respond(RawHttp.Request request, OutputStream out) throws IOException {
        switch (request.method()) {
            case "GET" -> {
                if (request.target().equals("/test.jpg")) {
                    RawHttp.write(out, 200, "OK", "image/jpeg", picture);
                } else if (request.target().equals("/")) {
                    RawHttp.write(out, 200, "OK", "text/html; charset=utf-8", (PAGE + "</body></html>\n").getBytes(StandardCharsets.UTF_8));
                } else {
                    RawHttp.write(out, 404, "Not Found", "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
                }
            }
            case "POST" -> {
                String name = firstName(new String(request.body(), StandardCharsets.US_ASCII));
                String page = PAGE + "<p>" + Html.escape(name) + "</p>\n</body></html>\n";
                RawHttp.write(out, 200, "OK", "text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8));
            }
            default -> RawHttp.write(out, 405, "Method Not Allowed", "text/plain; charset=utf-8",
                    "only GET and POST\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * The {@code firstname} field of a form body ({@code firstname=Va+mei&x=1}), decoded. The tutorial
     * took whatever followed the last {@code =}, which breaks with two fields or an {@code =} in the name.
     */
    static String firstName(String body) {
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals("firstname")) {
                try {
                    return URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return "";
                }
            }
        }
        return "";
    }
}
