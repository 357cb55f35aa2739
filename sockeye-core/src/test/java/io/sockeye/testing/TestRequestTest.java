package io.sockeye.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.sockeye.Form;
import io.sockeye.FormLimits;
import io.sockeye.HttpException;
import io.sockeye.Parameters;
import io.sockeye.ServerConfig;

/** The request builder: its defaults, and that what it builds is read as the server reads a request. */
class TestRequestTest {

    @Test
    void theDefaultsAreAPlainGetOfTheRoot() throws Exception {
        TestRequest r = TestRequest.builder().build();
        assertEquals("GET", r.method());
        assertEquals("/", r.target());
        assertEquals("/", r.rawPath());
        assertEquals("/", r.path());
        assertNull(r.rawQuery());
        assertTrue(r.query().isEmpty());
        assertEquals("HTTP/1.1", r.version());
        assertEquals(List.of("Host"), List.copyOf(r.headers().names()));
        assertEquals("localhost", r.header("Host"));
        assertEquals("localhost", r.host());
        assertTrue(r.headers().isReadOnly(), "a handler cannot change the request's fields");
        assertEquals(0, r.contentLength());
        assertEquals(-1, r.body().read());
        assertSame(Form.empty(), r.form());
        assertEquals(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 1234), r.remoteAddress());
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 80), r.localAddress());
        assertEquals("http", r.scheme());
        assertTrue(r.tlsSession().isEmpty());
        assertEquals("", r.mountPath());
        assertEquals("/", r.pathWithinMount());
        assertNull(r.pathParameter("id"));
        assertEquals("GET / HTTP/1.1", r.toString());
    }

    @Test
    void getIsTheBuilderWithATarget() {
        TestRequest r = TestRequest.get("/items?page=2");
        assertEquals("GET", r.method());
        assertEquals("/items", r.path());
        assertEquals("2", r.query().first("page").orElseThrow());
    }

    /** The server's own decoding: repeated names in order, {@code +} as space in a query but not in a path, UTF-8. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/a%20b+c?q=a+b%20c&q=2&caf%C3%A9=%E2%9C%93&flag|/a b+c|q=a b c, q=2, café=✓, flag=",
        "/?&&x=1&&|/|x=1",
        "/caf%C3%A9?x=%3D%26|/café|x==&",
    })
    void pathAndQueryAreDecodedAsTheServerDecodesThem(String target, String path, String query) {
        TestRequest r = TestRequest.get(target);
        assertEquals(path, r.path());
        Parameters p = r.query();
        StringBuilder pairs = new StringBuilder();
        for (int i = 0; i < p.size(); i++) pairs.append(i > 0 ? ", " : "").append(p.name(i)).append('=').append(p.value(i));
        assertEquals(query, pairs.toString());
    }

    @Test
    void charactersBeyondAsciiAreSentAsUtf8Bytes() {
        TestRequest r = TestRequest.get("/café?q=thé");
        assertEquals("/café", r.path());
        assertEquals("thé", r.query().first("q").orElseThrow());
        // the target is as received, one char per byte, as a handler on a server sees it
        assertEquals("/caf\u00c3\u00a9?q=th\u00c3\u00a9", r.target());
    }

    @Test
    void malformedEscapesAreTheServersLazy400() {
        TestRequest r = TestRequest.get("/a%zz?x=%c3%28");
        assertEquals(400, assertThrows(HttpException.class, r::path).status());
        assertEquals(400, assertThrows(HttpException.class, r::query).status());
    }

    @Test
    void anAbsoluteFormTargetNamesTheHost() {
        TestRequest r = TestRequest.get("http://example.com:8080/a?b=1");
        assertEquals("/a", r.rawPath());
        assertEquals("b=1", r.rawQuery());
        assertEquals("example.com", r.host());
    }

    @Test
    void hostComesFromTheHostFieldWithoutItsPort() {
        assertEquals("example.test", TestRequest.builder().header("Host", "example.test:8080").build().host());
        assertEquals("[::1]", TestRequest.builder().header("Host", "[::1]:8080").build().host());
    }

    @Test
    void anHttp10RequestHasNoHostUnlessGivenAndFallsBackToTheLocalAddress() {
        TestRequest r = TestRequest.builder().version("HTTP/1.0").build();
        assertEquals("HTTP/1.0", r.version());
        assertNull(r.header("Host"));
        assertEquals("127.0.0.1", r.host());
    }

    @Test
    void fieldsKeepTheirOrderAndRepeats() {
        TestRequest r = TestRequest.builder().header("Accept", "text/html").header("Cookie", "a=1")
                .header("accept", "text/plain").build();
        assertEquals(List.of("text/html", "text/plain"), r.headers().allValues("Accept"));
        assertEquals("Host", r.headers().name(0));
        assertEquals("Accept", r.headers().name(1));
        assertEquals("Cookie", r.headers().name(2));
    }

    @Test
    void aHostGivenReplacesTheDefault() {
        TestRequest r = TestRequest.builder().header("Host", "example.test").build();
        assertEquals(List.of("example.test"), r.headers().allValues("Host"));
    }

    /** What the server refuses before any handler cannot be built; the message says what it would answer. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GE T|/|HTTP/1.1|X-A|1|400",
        "GET|/a b|HTTP/1.1|X-A|1|400",
        "GET|a|HTTP/1.1|X-A|1|400",
        "GET|/|HTTP/2.0|X-A|1|505",
        "GET|/|HTTP/1.1|Expect|something|417",
        "GET|/|HTTP/1.1|Host|a b|400",
        "GET|/|HTTP/1.1|Transfer-Encoding|gzip, chunked|501",
        "GET|/|HTTP/1.1|Content-Length|-1|400",
        "CONNECT|example.com:443|HTTP/1.1|X-A|1|501",
    })
    void whatTheServerRefusesCannotBeBuilt(String method, String target, String version, String name, String value, int status) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TestRequest.builder(method, target).version(version).header(name, value).build());
        assertEquals(status, ((HttpException) e.getCause()).status(), e.getMessage());
        assertTrue(e.getMessage().startsWith("a server would answer " + status), e.getMessage());
    }

    @Test
    void twoHostsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> TestRequest.builder().header("Host", "a").header("Host", "b").build());
    }

    @Test
    void theConfigurationsHeadLimitsApply() {
        ServerConfig small = ServerConfig.defaults().withMaxRequestLineBytes(32).withMaxHeaderCount(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TestRequest.builder("GET", "/" + "a".repeat(40)).config(small).build());
        assertEquals(414, ((HttpException) e.getCause()).status());
        e = assertThrows(IllegalArgumentException.class,
                () -> TestRequest.builder().header("A", "1").header("B", "2").config(small).build());
        assertEquals(431, ((HttpException) e.getCause()).status());
        e = assertThrows(IllegalArgumentException.class,
                () -> TestRequest.builder("POST", "/").body("x".repeat(11)).config(small.withMaxBodyBytes(10)).build());
        assertEquals(413, ((HttpException) e.getCause()).status());
    }

    @Test
    void aWholeBodyGetsItsContentLength() throws Exception {
        TestRequest r = TestRequest.builder("POST", "/").body("héllo").build();
        assertEquals("6", r.header("Content-Length"));
        assertEquals(6, r.contentLength());
        assertEquals("héllo", new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals("0", TestRequest.builder("POST", "/").body(new byte[0]).build().header("Content-Length"));
    }

    @Test
    void aStreamedBodyIsChunkedAndReadOnlyAsTheHandlerReads() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        InputStream source = new ByteArrayInputStream("streamed content".getBytes(StandardCharsets.US_ASCII)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                reads.incrementAndGet();
                return super.read(b, off, Math.min(len, 4));
            }
        };
        TestRequest r = TestRequest.builder("PUT", "/f").body(source).build();
        assertEquals(0, reads.get(), "nothing read before the handler reads");
        assertEquals("chunked", r.header("Transfer-Encoding"));
        assertEquals(-1, r.contentLength());
        assertEquals("streamed content", new String(r.body().readAllBytes(), StandardCharsets.US_ASCII));
        assertTrue(reads.get() >= 4, "read in pieces, as they came");
    }

    @Test
    void aStreamedBodyWithADeclaredLengthIsReadToThatLength() throws Exception {
        TestRequest r = TestRequest.builder("PUT", "/f").header("Content-Length", "4")
                .body(new ByteArrayInputStream("abcdef".getBytes(StandardCharsets.US_ASCII))).build();
        assertEquals(4, r.contentLength());
        assertEquals("abcd", new String(r.body().readAllBytes(), StandardCharsets.US_ASCII));
    }

    @Test
    void aBodyShorterThanItsContentLengthFailsAsFromAClientThatWentAway() {
        TestRequest r = TestRequest.builder("POST", "/").header("Content-Length", "10").body("short").build();
        IOException e = assertThrows(IOException.class, () -> r.body().readAllBytes());
        assertTrue(e.getMessage().contains("before the request body was complete"), e.getMessage());
    }

    @Test
    void anExplicitlyChunkedBodyIsChunked() throws Exception {
        TestRequest r = TestRequest.builder("POST", "/").header("Transfer-Encoding", "chunked").body("abc").build();
        assertEquals(-1, r.contentLength());
        assertEquals("abc", new String(r.body().readAllBytes(), StandardCharsets.US_ASCII));
    }

    @Test
    void anHttp10StreamNeedsAContentLength() {
        assertThrows(IllegalArgumentException.class, () -> TestRequest.builder("POST", "/").version("HTTP/1.0")
                .body(InputStream.nullInputStream()).build());
        TestRequest r = TestRequest.builder("POST", "/").version("HTTP/1.0").header("Content-Length", "0")
                .body(InputStream.nullInputStream()).build();
        assertEquals(0, r.contentLength());
    }

    @Test
    void aFormIsReadThroughTheFormApi() throws Exception {
        TestRequest r = TestRequest.builder("POST", "/login").form("user", "ann é", "tags", "a&b=c", "tags", "+").build();
        assertEquals("application/x-www-form-urlencoded", r.header("Content-Type"));
        Form form = r.form();
        assertEquals("ann é", form.first("user").orElseThrow());
        assertEquals(List.of("a&b=c", "+"), form.all("tags"));
        assertSame(form, r.form(), "read once, the same form after");
    }

    @Test
    void aMultipartFormWithAFile() throws Exception {
        String body = "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n"
                + "file content\r\n--XyZ--\r\n";
        TestRequest r = TestRequest.builder("POST", "/upload").header("Content-Type", "multipart/form-data; boundary=XyZ")
                .body(body).build();
        Form form = r.form();
        assertEquals("hi", form.first("note").orElseThrow());
        assertEquals("a.txt", form.file("doc").orElseThrow().fileName());
        assertArrayEquals("file content".getBytes(StandardCharsets.US_ASCII), form.file("doc").orElseThrow().bytes());
    }

    @Test
    void formErrorsAreTheServersStatuses() {
        TestRequest notAForm = TestRequest.builder("POST", "/").header("Content-Type", "text/plain").body("x").build();
        assertEquals(415, assertThrows(HttpException.class, notAForm::form).status());
        ServerConfig oneField = ServerConfig.defaults().withFormLimits(new FormLimits(1, 100, 100, 1024, 100));
        TestRequest tooMany = TestRequest.builder("POST", "/").form("a", "1", "b", "2").config(oneField).build();
        assertEquals(413, assertThrows(HttpException.class, tooMany::form).status());
        assertEquals(413, assertThrows(HttpException.class, tooMany::form).status(), "a failed form fails the same again");
    }

    @Test
    void httpsWithAndWithoutASession() {
        TestRequest https = TestRequest.builder().scheme("https").build();
        assertEquals("https", https.scheme());
        assertTrue(https.tlsSession().isEmpty());
        assertEquals(443, https.localAddress().getPort());
        assertThrows(IllegalArgumentException.class, () -> TestRequest.builder().scheme("ftp"));
    }

    @Test
    void addressesCanBeGiven() throws Exception {
        InetSocketAddress client = new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 5555);
        InetSocketAddress server = new InetSocketAddress(InetAddress.getByName("198.51.100.1"), 8443);
        TestRequest r = TestRequest.builder().remoteAddress(client).localAddress(server).scheme("https").build();
        assertEquals(client, r.remoteAddress());
        assertEquals(server, r.localAddress());
    }

    @Test
    void aMountAndPathParametersAsARouterSetsThem() {
        TestRequest r = TestRequest.builder("GET", "/static/css/a%20b.css").mountPath("/static")
                .pathParameter("file", "css/a b.css").build();
        assertEquals("/static", r.mountPath());
        assertEquals("/css/a b.css", r.pathWithinMount());
        assertEquals("css/a b.css", r.pathParameter("file"));
        assertNull(r.pathParameter("other"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"/other/x|/static", "/static|/static", "/staticx/a|/static", "/static/%zz|/static"})
    void aMountMustBeAboveThePath(String target, String mount) {
        assertThrows(IllegalArgumentException.class, () -> TestRequest.builder("GET", target).mountPath(mount).build());
    }

    @ParameterizedTest
    @CsvSource(value = {"static", "/static/", "/"})
    void aMountPathHasTheRoutersShape(String mount) {
        assertThrows(IllegalArgumentException.class, () -> TestRequest.builder().mountPath(mount));
    }

    @Test
    void aBuilderBuildsFreshRequests() throws Exception {
        TestRequest.Builder b = TestRequest.builder("POST", "/").body("abc");
        assertEquals("abc", new String(b.build().body().readAllBytes(), StandardCharsets.US_ASCII));
        assertEquals("abc", new String(b.build().body().readAllBytes(), StandardCharsets.US_ASCII));
    }
}
