package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.sockeye.HttpServer;

/**
 * Listing a huge directory is seconds of work on the thread that does it (a hostile review saw a 6-byte
 * file take 9 s while eight clients listed a 200,000-entry directory): at most half the cores list at
 * once, so that clients listing over and over never hold every carrier thread. Here the reads of a
 * directory are held up and counted, which shows how many listings run at once, whatever the machine's
 * speed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListingLoadTest {

    @TempDir
    Path www;

    @Test
    void fewListingsRunAtOnceAndFilesAreServedMeanwhile() throws Exception {
        Files.createDirectories(www.resolve("dir"));
        for (int i = 0; i < 10; i++) Files.createFile(www.resolve("dir/entry-" + i));
        Files.writeString(www.resolve("small.txt"), "small");
        AtomicInteger listing = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        FileSystemAccess slowLists = new FilterFileSystem(NativeFiles.best()) {
            @Override
            protected void names(Directory d, Consumer<String> each) throws IOException {
                most.accumulateAndGet(listing.incrementAndGet(), Math::max);
                try {
                    go.await(20, TimeUnit.SECONDS); // a listing that takes long
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    listing.decrementAndGet();
                }
                d.names(each);
            }
        };
        try (HttpServer server = FilesTestSupport.start(FileHandler.builder(www).fileAccess(slowLists).build())) {
            List<Thread> listers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                listers.add(Thread.ofVirtual().start(() -> {
                    try {
                        assertEquals(200, get(server, "/dir/").statusCode());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (listing.get() == 0 && System.nanoTime() < until) Thread.sleep(10);
            Thread.sleep(300); // time for more to start, were they allowed
            int allowed = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
            assertTrue(most.get() <= allowed, most.get() + " listings ran at once; at most " + allowed);
            assertEquals("small", FilesTestSupport.text(get(server, "/small.txt")), "files are served meanwhile");
            go.countDown();
            for (Thread t : listers) t.join(20_000);
            assertTrue(most.get() >= 1);
        }
    }

    @Test
    void withTheJdksOpensMoreFilesAtOnceThanThreadsWaitTheirTurn() throws Exception {
        // the JDK's opens can block (a FIFO), so they run on a pool of platform threads; a busy server
        // opening more large files at once than it has threads once got 503 for the rest
        byte[] big = new byte[512 * 1024];
        Files.write(www.resolve("big.bin"), big);
        FileSystemAccess slowOpens = new FilterFileSystem(new JdkFileSystemAccess()) {
            @Override
            protected java.nio.channels.FileChannel openFile(Entry e) throws IOException {
                try {
                    Thread.sleep(200); // a slow disk
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                }
                return e.openFile();
            }
        };
        try (HttpServer server = FilesTestSupport.start(FileHandler.builder(www).fileAccess(slowOpens).build())) {
            List<Thread> clients = new ArrayList<>();
            AtomicInteger ok = new AtomicInteger();
            for (int i = 0; i < 3 * PlatformOpens.THREADS; i++) {
                clients.add(Thread.ofVirtual().start(() -> {
                    try {
                        if (get(server, "/big.bin").statusCode() == 200) ok.incrementAndGet();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (Thread t : clients) t.join(30_000);
            assertEquals(3 * PlatformOpens.THREADS, ok.get(), "every request answered 200, none refused for want of a thread");
        }
    }
}
