package io.sockeye.cgi;

import static io.sockeye.cgi.CgiTesting.ENV_SCRIPT;
import static io.sockeye.cgi.CgiTesting.parseEnv;
import static io.sockeye.cgi.CgiTesting.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.HttpServer;
import io.sockeye.Router;
import io.sockeye.testsupport.RawClient;
import io.sockeye.testsupport.RawResponse;
import io.sockeye.testsupport.ServerFixture;
import io.sockeye.testsupport.TestTls;

/** A script run over HTTPS learns so, as mod_ssl tells it: HTTPS, SSL_PROTOCOL, SSL_CIPHER (and not over HTTP). */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CgiTlsWireTest {

    @TempDir
    Path tmp;

    @Test
    void aScriptOverTlsSeesHttpsAndTheSessionsProtocolAndCipher() throws Exception {
        Path cgiBin = tmp.resolve("cgi-bin");
        script(cgiBin, "env.sh", ENV_SCRIPT);
        Router router = Router.create();
        router.mount("/cgi-bin/", CgiHandler.builder(cgiBin).build());
        try (HttpServer tls = ServerFixture.start(ServerFixture.loopback().withTls(TestTls.serverConfig()), router);
             HttpServer plain = ServerFixture.start(ServerFixture.loopback(), router)) {
            for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
                try (RawClient c = new RawClient(TestTls.connect(tls.port(), protocol), 10_000)) {
                    RawResponse r = c.send("GET /cgi-bin/env.sh HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
                    assertEquals(200, r.status(), r.text());
                    Map<String, String> e = parseEnv(r.body());
                    assertEquals("on", e.get("HTTPS"));
                    assertEquals("https", e.get("REQUEST_SCHEME"));
                    assertEquals(protocol, e.get("SSL_PROTOCOL"));
                    assertEquals(((javax.net.ssl.SSLSocket) c.socket()).getSession().getCipherSuite(), e.get("SSL_CIPHER"));
                }
            }
            try (RawClient c = new RawClient(plain.port())) {
                Map<String, String> e = parseEnv(c.send("GET /cgi-bin/env.sh HTTP/1.1\r\nHost: localhost\r\n\r\n").read().body());
                assertFalse(e.containsKey("HTTPS"));
                assertFalse(e.containsKey("SSL_PROTOCOL"));
                assertTrue(e.get("REQUEST_SCHEME") == null || e.get("REQUEST_SCHEME").equals("http"));
            }
        }
        CgiTesting.assertNoProcessesUnder(tmp);
    }
}
