package io.sockeye.files;

import static io.sockeye.files.FilesTestSupport.get;
import static io.sockeye.files.FilesTestSupport.gunzip;
import static io.sockeye.files.FilesTestSupport.header;
import static io.sockeye.files.FilesTestSupport.textBytes;
import static io.sockeye.files.FilesTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.sockeye.HttpServer;
import io.sockeye.files.FileSystemAccess.Directory;
import io.sockeye.files.FileSystemAccess.Entry;
import io.sockeye.files.FileSystemAccess.Stat;

/**
 * Edits show at once: a file edited in place (same size, other size), deleted, or replaced by a rename,
 * is never served as it was by the request that follows, hundreds of times in a row, small (kept in
 * memory, with its gzip form) or large: by a request made right after the edit when every request
 * checks the disk ({@code revalidateAfter(0)}), and by one made a moment later with the default, which
 * checks a file at most once a millisecond. And where timestamps are coarse (whole seconds here, as on ext3 or
 * HFS+; FAT has 2 s), so that two writes of the same size look the same to stat, recently changed
 * content is read again rather than trusted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FreshnessTest {

    @TempDir
    Path www;
    HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    /** Content of a fixed size that differs in every round. */
    static byte[] version(int round, int size) {
        byte[] b = textBytes(size);
        byte[] mark = String.format("round %06d|", round).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(mark, 0, b, 0, mark.length);
        return b;
    }

    /** Checking the disk on every request, or at most once a millisecond (the default). */
    enum Trust {
        EVERY_REQUEST(Duration.ZERO), DEFAULT(null);

        final Duration interval;

        Trust(Duration interval) {
            this.interval = interval;
        }

        FileHandler.Builder apply(FileHandler.Builder b) {
            return interval == null ? b : b.revalidateAfter(interval);
        }

        /** Lets the default's interval pass: the edit is then seen, which is the promise. */
        void afterEdit() throws InterruptedException {
            if (interval == null) Thread.sleep(2);
        }
    }

    static Stream<Arguments> accessAndTrust() {
        return Stream.of(FilesTestSupport.Access.values())
                .flatMap(a -> Stream.of(Trust.values()).map(t -> Arguments.of(a, t)));
    }

    void edits(Path f, int rounds, int size, boolean gzip, Trust trust) throws Exception {
        Path staging = Files.createDirectories(www.resolve(".staging")).resolve("next");
        for (int i = 0; i < rounds; i++) {
            byte[] want;
            switch (i % 4) {
                case 0 -> Files.write(f, want = version(i, size)); // same size, in place (O_TRUNC, write)
                case 1 -> Files.write(f, want = version(i, size + 1 + i % 50)); // another size
                case 2 -> {
                    Files.write(staging, want = version(i, size));
                    Files.move(staging, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
                default -> {
                    Files.delete(f);
                    trust.afterEdit();
                    assertEquals(404, get(server, "/" + f.getFileName()).statusCode(), "round " + i + ": deleted");
                    Files.write(f, want = version(i, size));
                }
            }
            trust.afterEdit();
            HttpResponse<byte[]> r = get(server, "/" + f.getFileName());
            assertArrayEquals(want, r.body(), "round " + i + " (" + (i % 4) + "): old content");
            assertEquals(Integer.toString(want.length), header(r, "Content-Length"), "round " + i);
            if (gzip && i % 3 == 0) {
                HttpResponse<byte[]> z = get(server, "/" + f.getFileName(), "Accept-Encoding", "gzip");
                byte[] body = "gzip".equals(header(z, "Content-Encoding")) ? gunzip(z.body()) : z.body();
                assertArrayEquals(want, body, "round " + i + ": old gzip content");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("accessAndTrust")
    void aSmallFileIsNeverServedStale(FilesTestSupport.Access access, Trust trust) throws Exception {
        Path f = write(www.resolve("page.html"), version(-1, 1024));
        server = FilesTestSupport.start(trust.apply(access.builder(www)).build());
        edits(f, 400, 1024, true, trust);
    }

    @ParameterizedTest
    @MethodSource("accessAndTrust")
    void aLargeFileIsNeverServedStale(FilesTestSupport.Access access, Trust trust) throws Exception {
        Path f = write(www.resolve("big.txt"), version(-1, 300 * 1024));
        server = FilesTestSupport.start(trust.apply(access.builder(www)).build());
        edits(f, 60, 300 * 1024, true, trust);
    }

    @ParameterizedTest
    @EnumSource(FilesTestSupport.Access.class)
    void withCoarseTimestampsSameSizeEditsAreNeverServedStale(FilesTestSupport.Access access) throws Exception {
        Path f = write(www.resolve("page.txt"), version(-1, 1024));
        FileSystemAccess coarse = new CoarseTimestamps(access == FilesTestSupport.Access.NATIVE
                ? nativeOrSkip() : new JdkFileSystemAccess());
        server = FilesTestSupport.start(FileHandler.builder(www).fileAccess(coarse).revalidateAfter(Duration.ZERO).build());
        for (int i = 0; i < 200; i++) {
            byte[] want = version(i, 1024);
            try (FileChannel ch = FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(want), 0); // in place: same inode, same size, same second
            }
            assertArrayEquals(want, get(server, "/page.txt").body(), "round " + i + ": old content");
        }
    }

    static FileSystemAccess nativeOrSkip() {
        org.junit.jupiter.api.Assumptions.assumeTrue(NativeFiles.isNative(), "native file access is not available here");
        return NativeFiles.best();
    }

    /** A file system whose timestamps have whole seconds, as ext3, HFS+ and (with 2 s) FAT do. */
    static final class CoarseTimestamps extends FilterFileSystem {
        CoarseTimestamps(FileSystemAccess fs) {
            super(fs);
        }

        @Override
        protected Stat filter(Stat s) {
            if (s == null) return null;
            return new Stat(s.identity(), s.type(), s.size(), seconds(s.modifiedNanos()), seconds(s.changedNanos()), s.links());
        }

        static long seconds(long nanos) {
            return nanos == Stat.UNKNOWN ? nanos : Math.floorDiv(nanos, 1_000_000_000L) * 1_000_000_000L;
        }
    }
}
