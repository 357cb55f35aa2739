package io.sockeye.cgi;

import static io.sockeye.cgi.CgiTesting.get;
import static io.sockeye.cgi.CgiTesting.script;
import static io.sockeye.cgi.CgiTesting.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.HttpServer;
import io.sockeye.Router;

/**
 * Several directories of scripts may share one set of limits ({@code shareLimitsWith}), as the command
 * line's cgi-bin/, htbin/ and ht-bin/ do: a script running in one holds a slot the others count too.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CgiSharedLimitsTest {

    @TempDir
    Path site;

    private HttpServer serve(boolean share) throws Exception {
        Path a = site.resolve("a");
        Path b = site.resolve("b");
        script(a, "slow.sh", "#!/bin/sh\nsleep 3\nprintf 'Content-Type: text/plain\\n\\nslow\\n'\n");
        script(b, "hello.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nhello\\n'\n");
        CgiHandler first = CgiHandler.builder(a).maxConcurrent(1).queueTimeout(Duration.ofMillis(300)).build();
        CgiHandler second = CgiHandler.builder(b).maxConcurrent(1).queueTimeout(Duration.ofMillis(300))
                .shareLimitsWith(share ? first : null).build();
        return CgiTesting.start(Router.create().mount("/a/", first).mount("/b/", second));
    }

    private int helloWhileSlowRuns(boolean share) throws Exception {
        try (HttpServer server = serve(share)) {
            CompletableFuture<HttpResponse<byte[]>> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return get(server, "/a/slow.sh");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500); // the slow script has its slot
            HttpResponse<byte[]> hello = get(server, "/b/hello.sh");
            assertEquals("slow\n", text(slow.get(10, TimeUnit.SECONDS)));
            return hello.statusCode();
        }
    }

    @Test
    void sharedLimitsCountScriptsOfEveryDirectory() throws Exception {
        assertEquals(503, helloWhileSlowRuns(true), "the one shared slot is taken by the other directory's script");
    }

    @Test
    void withoutSharingEachDirectoryHasItsOwn() throws Exception {
        assertEquals(200, helloWhileSlowRuns(false));
    }
}
