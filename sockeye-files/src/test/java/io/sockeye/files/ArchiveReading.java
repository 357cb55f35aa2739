package io.sockeye.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Reads archives received by the tests back: zip with {@code java.util.zip}, tar.gz with the system's tar. */
final class ArchiveReading {

    /** Marks a directory entry in the maps. */
    static final String DIRECTORY = "<dir>";

    private ArchiveReading() {
    }

    /** @return every entry's name and content (as ISO-8859-1 text, so any bytes compare), in name order */
    static TreeMap<String, String> unzip(byte[] zip) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip), StandardCharsets.UTF_8)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                String content = e.isDirectory() ? DIRECTORY : new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                if (out.put(e.getName(), content) != null) throw new AssertionError("twice in the zip: " + e.getName());
            }
        }
        return out;
    }

    /** @return what {@code tar -xzf} makes of the archive, as {@link #unzip} gives it (directories with a slash) */
    static TreeMap<String, String> untar(byte[] tgz, Path scratch) throws Exception {
        Path file = scratch.resolve("received.tar.gz");
        Files.write(file, tgz);
        Path into = Files.createDirectories(scratch.resolve("extracted"));
        run(scratch, "tar", "-xzf", file.toString(), "-C", into.toString());
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(into)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (p.equals(into)) continue;
                String name = into.relativize(p).toString();
                if (Files.isDirectory(p)) out.put(name + "/", DIRECTORY);
                else out.put(name, new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    /** @return the names {@code tar -tzf} lists */
    static String list(byte[] tgz, Path scratch) throws Exception {
        Path file = scratch.resolve("listed.tar.gz");
        Files.write(file, tgz);
        return run(scratch, "tar", "-tzf", file.toString());
    }

    private static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tar did not finish");
        }
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + output);
        return output;
    }
}
