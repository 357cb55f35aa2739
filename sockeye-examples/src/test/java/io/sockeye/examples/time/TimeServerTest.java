package io.sockeye.examples.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.HttpServer;
import io.sockeye.Router;
import io.sockeye.ServerConfig;
import io.sockeye.tcp.TcpServer;

@Timeout(20)
class TimeServerTest {

    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-11-24T08:42:07Z"), ZoneId.of("UTC"));

    @Test
    void daytimeSendsOneLineThenCloses() throws Exception {
        try (TcpServer server = TimeServer.daytime(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), FIXED);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.US_ASCII); // the server closes
            assertEquals("Tuesday, November 24, 2026 08:42:07-UTC\r\n", all);
            assertEquals(ZonedDateTime.now(FIXED).toEpochSecond(),
                    ZonedDateTime.parse(all.strip(), TimeServer.DAYTIME).toEpochSecond());
        }
    }

    @Test
    void httpAnswersTextOrJsonByAccept() throws Exception {
        try (HttpServer server = HttpServer.create(ServerConfig.defaults().withBindAddress(InetAddress.getLoopbackAddress()).withPort(0),
                Router.create().get("/time", TimeServer.http(FIXED))).start()) {
            HttpClient client = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/time");
            HttpResponse<String> text = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(text.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertEquals("Tuesday, November 24, 2026 08:42:07-UTC\n", text.body());
            HttpResponse<String> json = client.send(HttpRequest.newBuilder(uri).header("Accept", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("application/json", json.headers().firstValue("Content-Type").orElse(""));
            assertTrue(json.body().contains("\"time\":\"2026-11-24T08:42:07Z\"") && json.body().contains("\"epochMillis\":" + Instant.parse("2026-11-24T08:42:07Z").toEpochMilli()), json.body());
            assertEquals("Accept", json.headers().firstValue("Vary").orElse(""));
        }
    }

    @Test
    void acceptNegotiation() {
        assertTrue(TimeServer.prefersJson("application/json"));
        assertTrue(TimeServer.prefersJson("application/json, text/plain;q=0.5"));
        assertFalse(TimeServer.prefersJson("text/plain, application/json"));
        assertFalse(TimeServer.prefersJson(null));
        assertFalse(TimeServer.prefersJson("*/*"));
    }
}
