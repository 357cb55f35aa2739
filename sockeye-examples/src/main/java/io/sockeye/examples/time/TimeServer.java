package io.sockeye.examples.time;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import io.sockeye.Handler;
import io.sockeye.HttpServer;
import io.sockeye.Router;
import io.sockeye.ServerConfig;
import io.sockeye.tcp.TcpConfig;
import io.sockeye.tcp.TcpServer;

/**
 * Stage 7, the tutorial's "time server" suggestion, twice: the Daytime protocol (RFC 867: connect, get one
 * line with the date and time, the server closes) on the TCP layer, and an HTTP endpoint, {@code GET /time},
 * that answers as text or as JSON by the client's {@code Accept}.
 *
 * <pre>java -jar sockeye-examples/target/sockeye-examples.jar time [http-port] [daytime-port]</pre>
 * Then {@code curl localhost:8000/time}, {@code curl -H 'Accept: application/json' localhost:8000/time},
 * and {@code nc localhost 8013} (the standard port, 13, needs root).
 */
public final class TimeServer {

    /** RFC 867's suggested form: {@code Weekday, Month Day, Year Time-Zone}. */
    static final DateTimeFormatter DAYTIME = DateTimeFormatter.ofPattern("EEEE, MMMM d, uuuu HH:mm:ss-zzz", Locale.US);

    private TimeServer() {
    }

    public static void main(String[] args) throws Exception {
        int httpPort = io.sockeye.examples.Examples.port(args, 0, 8000);
        int daytimePort = io.sockeye.examples.Examples.port(args, 1, 8013);
        TcpServer daytime = daytime(new InetSocketAddress(daytimePort), Clock.systemDefaultZone());
        HttpServer http = HttpServer.create(ServerConfig.defaults().withPort(httpPort).withAccessLog(true),
                Router.create().get("/time", http(Clock.systemDefaultZone()))).start();
        System.out.println("Daytime on port " + daytime.port() + ", HTTP on port " + http.port() + "; Ctrl-C stops");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            http.close();
            daytime.close();
        }));
        http.awaitTermination();
    }

    /** The Daytime service: one line, then close. */
    public static TcpServer daytime(InetSocketAddress address, Clock clock) throws IOException {
        return TcpServer.start(TcpConfig.defaults().withAddress(address).withName("daytime"), connection -> {
            String line = DAYTIME.format(ZonedDateTime.now(clock)) + "\r\n";
            connection.channel().write(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
        });
    }

    /** @return whether an Accept field lists JSON before any text type (a sketch of RFC 9110 §12.5.1) */
    static boolean prefersJson(String accept) {
        if (accept == null) return false;
        int json = accept.indexOf("application/json");
        int text = accept.indexOf("text/");
        return json >= 0 && (text < 0 || json < text) && !accept.substring(json).startsWith("application/json;q=0");
    }

    /** {@code GET /time}: JSON if the client prefers it, else text. */
    public static Handler http(Clock clock) {
        return (req, res) -> {
            ZonedDateTime now = ZonedDateTime.now(clock);
            res.header("Vary", "Accept").header("Cache-Control", "no-store");
            if (prefersJson(req.header("Accept"))) {
                res.send("application/json", "{\"time\":\"" + now.toOffsetDateTime() + "\",\"epochMillis\":"
                        + now.toInstant().toEpochMilli() + ",\"zone\":\"" + now.getZone() + "\"}\n");
            } else {
                res.send(DAYTIME.format(now) + "\n");
            }
        };
    }
}
