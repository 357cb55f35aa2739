package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.cli.browser.Chromium;
import io.sockeye.cli.browser.Page;

/**
 * {@code sockeye --upload}'s listing form in a real browser: files chosen in the file input and sent with
 * the button (no script involved), and files dropped on the page (the few lines of script), each landing
 * in the directory and shown by the listing the browser is sent back to.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UploadInChromiumTest {

    static Chromium chromium;

    @TempDir
    Path site;
    @TempDir
    Path work;
    private Main.Launch launch;

    @BeforeAll
    static void startChromium() throws Exception {
        if (Chromium.installed()) chromium = Chromium.start(Chromium.Options.defaults());
    }

    @AfterAll
    static void stopChromium() {
        if (chromium != null) chromium.close();
    }

    @BeforeEach
    void needsChromium() {
        assumeTrue(chromium != null, "no " + Chromium.BINARY + ": the upload form is not tried in a browser");
    }

    @AfterEach
    void stopServer() {
        if (launch != null) launch.stop();
    }

    private int serve() {
        launch = Main.launch(new String[] {"-q", "-b", "127.0.0.1", "-d", site.toString(), "--upload", "0"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertTrue(launch.started());
        return launch.server().port();
    }

    @Test
    void filesChosenInTheFormAreStoredAndListed() throws Exception {
        Files.createDirectory(site.resolve("inbox"));
        byte[] photo = new byte[300_000];
        new java.util.Random(7).nextBytes(photo);
        Path one = Files.write(work.resolve("photo.jpg"), photo);
        Path two = Files.writeString(work.resolve("notes è.txt"), "notes");
        int port = serve();
        try (Page page = chromium.open("http://localhost:" + port + "/inbox/")) {
            Map<String, Object> input = page.send("Runtime.evaluate", Map.of("expression", "document.querySelector('form.upload input[type=file]')"));
            String objectId = (String) ((Map<?, ?>) input.get("result")).get("objectId");
            page.send("DOM.setFileInputFiles", Map.of("files", List.of(one.toString(), two.toString()), "objectId", objectId));
            page.click("form.upload button");
            page.waitFor("document.readyState === 'complete' && [...document.querySelectorAll('td a')].map(a => a.textContent).includes('notes è.txt')");
            assertEquals("/inbox/", page.evaluate("location.pathname"), "sent back to the listing");
        }
        assertArrayEquals(photo, Files.readAllBytes(site.resolve("inbox/photo.jpg")));
        assertEquals("notes", Files.readString(site.resolve("inbox/notes è.txt")));
    }

    @Test
    void filesDroppedOnThePageAreStoredAndListed() throws Exception {
        int port = serve();
        try (Page page = chromium.open("http://localhost:" + port + "/")) {
            page.evaluate("(() => { const dt = new DataTransfer(); dt.items.add(new File(['dropped!'], 'dropped.txt'));"
                    + " document.body.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true})); })()");
            page.waitFor("document.readyState === 'complete' && [...document.querySelectorAll('td a')].map(a => a.textContent).includes('dropped.txt')");
        }
        assertEquals("dropped!", Files.readString(site.resolve("dropped.txt")));
    }
}
