package io.sockeye.examples.rawhttp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.sockeye.examples.Site;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;

@Timeout(20)
class PageServerTest {

    private ServerSocket server;
    private Thread loop;

    @BeforeEach
    void start() throws IOException {
        PageServer pages = PageServer.create(Site.dir());
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 3);
        loop = Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Socket c = server.accept()) {
                    pages.serve(c);
                } catch (IOException e) {
                    // closed by the test, or a client that went away
                }
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        loop.join(5000);
    }

    @Test
    void servesTheWowPageWithAProperStatusLineAndLength() throws IOException {
        try (RawClient c = new RawClient(server.getLocalPort())) {
            RawResponse r = c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals("HTTP/1.1 200 OK", r.statusLine());
            assertEquals(String.valueOf(r.body().length), r.header("Content-Length"));
            assertTrue(r.text().contains("<title>WOW</title>") && r.text().contains("<img src=\"test.jpg\""), r.text());
        }
    }

    @Test
    void servesThePictureByteForByte() throws IOException {
        try (RawClient c = new RawClient(server.getLocalPort())) {
            RawResponse r = c.send("GET /test.jpg HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals("image/jpeg", r.header("Content-Type"));
            assertArrayEquals(Files.readAllBytes(Site.dir().resolve("test.jpg")), r.body());
        }
    }

    @Test
    void aRequestArrivingInPiecesIsReadWhole() throws Exception {
        try (RawClient c = new RawClient(server.getLocalPort())) {
            String body = "firstname=Va+mei";
            String request = "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body;
            for (int i = 0; i < request.length(); i += 7) {
                c.send(request.substring(i, Math.min(request.length(), i + 7)));
                Thread.sleep(5); // the tutorial's single recv(1024) would have taken the first piece as the request
            }
            assertTrue(c.read().text().contains("<p>Va mei</p>"));
        }
    }

    @Test
    void thePostedNameIsDecodedAndEscaped() throws IOException {
        try (RawClient c = new RawClient(server.getLocalPort())) {
            String body = "x=1&firstname=%3Cscript%3Ealert(1)%3C%2Fscript%3E+%E5%BC%A0";
            RawResponse r = c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).read();
            assertTrue(r.text().contains("&lt;script&gt;alert(1)&lt;/script&gt; 张"), r.text());
            assertFalse(r.text().contains("<script>"));
        }
    }

    @Test
    void aMalformedRequestGets400AndTheServerGoesOn() throws IOException {
        try (RawClient c = new RawClient(server.getLocalPort())) {
            assertEquals(400, c.send("NONSENSE\r\n\r\n").read().status());
        }
        try (RawClient c = new RawClient(server.getLocalPort())) {
            assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
        }
    }

    @Test
    void theFormFieldIsFoundAmongOthers() {
        assertEquals("a=b", PageServer.firstName("other=1&firstname=a%3Db&x="));
        assertEquals("", PageServer.firstName("firstname=%zz"));
        assertEquals("", PageServer.firstName("nothing=here"));
    }
}
