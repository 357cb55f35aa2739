package io.sockeye;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

class RouterCanonicalTest {

    private static HttpServer start() throws Exception {
        Router router = Router.create()
                .mount("/cgi-bin/", (req, res) -> res.send("script " + req.pathWithinMount()))
                .mount("/", (req, res) -> res.send("file " + req.path()));
        return HttpServer.create(ServerConfig.defaults().withBindAddress(InetAddress.getLoopbackAddress()).withPort(0), router).start();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET /x/../cgi-bin/p.py HTTP/1.1|301|/cgi-bin/p.py",
        "GET //cgi-bin/p.py?a=1 HTTP/1.1|301|/cgi-bin/p.py?a=1",
        "GET ///evil.example/ HTTP/1.1|301|/evil.example/",
        "POST /a/./b HTTP/1.1|308|/a/b",
        "GET /%2e%2e/cgi-bin/p.py HTTP/1.1|301|/cgi-bin/p.py",
    })
    void nonCanonicalPathsAreRedirectedNotRouted(String requestLine, int status, String location) throws Exception {
        try (HttpServer server = start(); RawClient c = new RawClient(server.port())) {
            RawResponse r = c.send(requestLine + "\r\nHost: x\r\nContent-Length: 0\r\n\r\n").read();
            assertEquals(status, r.status());
            assertEquals(location, r.header("Location"));
        }
    }

    @Test
    void canonicalPathsAreRoutedToTheLongestMount() throws Exception {
        try (HttpServer server = start(); RawClient c = new RawClient(server.port())) {
            assertEquals("script /p.py", c.send("GET /cgi-bin/p.py HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
            assertEquals("file /index.html", c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
        }
    }
}
