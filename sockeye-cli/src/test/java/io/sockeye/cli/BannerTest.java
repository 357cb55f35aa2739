package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The banner's list of addresses on all interfaces, and {@code --open}. */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class BannerTest {

    @TempDir
    Path site;

    private final CliRun cli = new CliRun();

    @AfterEach
    void stop() {
        cli.close();
    }

    private static InetAddress ip(String text) throws IOException {
        return InetAddress.getByName(text);
    }

    @Test
    void theUrlsPutLoopbackFirstBracketIpv6AndSkipLinkLocal() throws Exception {
        List<InetAddress> addresses = List.of(ip("fe80::1"), ip("2001:db8:0:0:0:0:0:7"), ip("192.168.1.20"), ip("::1"),
                ip("127.0.0.1"), ip("10.0.0.5"));
        assertEquals(List.of("http://127.0.0.1:8000/", "http://[::1]:8000/", "http://192.168.1.20:8000/",
                "http://10.0.0.5:8000/", "http://[2001:db8::7]:8000/"), Addresses.urls("http", 8000, addresses, null));
        assertEquals(List.of("https://localhost:8443/", "https://127.0.0.1:8443/", "https://192.168.1.20:8443/"),
                Addresses.urls("https", 8443, List.of(ip("192.168.1.20"), ip("127.0.0.1")), "localhost"));
        assertEquals("http://192.168.1.20:8000/", Addresses.lanUrl(Addresses.urls("http", 8000, addresses, null)));
        assertEquals(null, Addresses.lanUrl(List.of("http://127.0.0.1:1/", "http://[::1]:1/")));
    }

    @Test
    void onAllInterfacesEveryAddressIsListedAndServes() throws Exception {
        cli.run(Map.of(), "-q", "-d", site.toString(), "0");
        assertTrue(cli.started(), cli.err());
        int port = cli.port();
        String err = cli.err();
        assertTrue(err.contains("(all interfaces), reachable at:"), err);
        List<String> listed = err.lines().filter(l -> l.startsWith("  http://")).map(String::strip).toList();
        assertEquals("http://127.0.0.1:" + port + "/", listed.get(0), "loopback first: " + err);
        for (InetAddress a : Addresses.local()) {
            if (a instanceof Inet4Address) {
                assertTrue(listed.contains("http://" + a.getHostAddress() + ":" + port + "/"), a + " listed: " + err);
            }
        }
        for (String url : listed) {
            if (url.contains("[")) continue; // IPv6 may be listed but not routable from this sandbox
            try (var c = new io.sockeye.testsupport.RawClient(new java.net.Socket(
                    url.substring(7, url.lastIndexOf(':')), port), 3_000)) {
                assertEquals(404, c.send("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n").read().status(), url);
            }
        }
    }

    @Test
    void openOpensTheLocalUrl() throws Exception {
        cli.run(Map.of(), "-q", "-b", "127.0.0.1", "-d", site.toString(), "--open", "0");
        assertTrue(cli.started(), cli.err());
        assertEquals(List.of("http://127.0.0.1:" + cli.port() + "/"), cli.opened);
    }

    @Test
    void noOpenOpensNothing() {
        cli.run(Map.of(), "-q", "-b", "127.0.0.1", "-d", site.toString(), "0");
        assertTrue(cli.started(), cli.err());
        assertEquals(List.of(), cli.opened);
    }

    @Test
    void aBrowserThatCannotBeOpenedIsOneLineAndTheServerRuns() throws Exception {
        cli.run(Map.of(), url -> {
            throw new IOException("Cannot run program \"xdg-open\": error=2, No such file or directory");
        }, "-q", "-b", "127.0.0.1", "-d", site.toString(), "--open", "0");
        assertTrue(cli.started(), cli.err());
        assertEquals(1, cli.err().lines().filter(l -> l.contains("could not open a browser")).count(), cli.err());
        assertEquals(404, cli.get("/nothing").statusCode());
    }
}
