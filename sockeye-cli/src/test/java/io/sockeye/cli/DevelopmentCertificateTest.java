package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link DevelopmentCertificate}: the certificate {@code --tls} makes once and keeps. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DevelopmentCertificateTest {

    @TempDir
    Path dir;

    private Path folder() {
        return dir.resolve("data/sockeye/tls");
    }

    @Test
    void madeOnceThenReused() throws Exception {
        DevelopmentCertificate.Result first = DevelopmentCertificate.loadOrCreate(folder());
        assertTrue(first.created());
        assertEquals(folder().resolve("cert.pem"), first.certFile());
        assertEquals(folder().resolve("key.pem"), first.keyFile());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first.keyFile())));
        assertTrue(DevelopmentCertificate.covers(first.certificate().certificate(), DevelopmentCertificate.wantedNames()));
        Duration left = Duration.between(Instant.now(), first.certificate().certificate().getNotAfter().toInstant());
        assertTrue(left.toDays() >= 364 && left.toDays() <= 365, left::toString);

        DevelopmentCertificate.Result second = DevelopmentCertificate.loadOrCreate(folder());
        assertFalse(second.created());
        assertEquals(first.fingerprint(), second.fingerprint());
        assertEquals(first.certificate().privateKey(), second.certificate().privateKey());
        // and what it serves with is what openssl sees in the file
        String line = SelfSignedCertificateTest.Tools.run("openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
                second.certFile().toString()).ok().strip();
        assertEquals(second.fingerprint(), line.substring(line.indexOf('=') + 1));
    }

    @Test
    void theNamesAreLocalhostTheHostNameAndLoopback() {
        DevelopmentCertificate.Names names = DevelopmentCertificate.wantedNames();
        assertEquals("localhost", names.dnsNames().get(0));
        assertTrue(names.dnsNames().size() <= 2, names::toString);
        for (String n : names.dnsNames().subList(1, names.dnsNames().size())) {
            assertNotEquals("localhost", n);
            assertTrue(SelfSignedCertificate.isDnsName(n), n);
        }
        assertEquals(SelfSignedCertificateTest.LOOPBACK, names.addresses());
    }

    @Test
    void anExpiringCertificateIsReplaced() throws Exception {
        DevelopmentCertificate.Names names = DevelopmentCertificate.wantedNames();
        SelfSignedCertificate old = SelfSignedCertificate.generate(names.dnsNames(), names.addresses(), Duration.ofDays(6));
        old.writePem(folder().resolve("cert.pem"), folder().resolve("key.pem"));
        DevelopmentCertificate.Result r = DevelopmentCertificate.loadOrCreate(folder());
        assertTrue(r.created());
        assertNotEquals(old.sha256Fingerprint(), r.fingerprint());
        assertEquals(r.fingerprint(), SelfSignedCertificate.readPem(r.certFile(), r.keyFile()).sha256Fingerprint());

        // eight days left is enough
        SelfSignedCertificate enough = SelfSignedCertificate.generate(names.dnsNames(), names.addresses(), Duration.ofDays(8));
        enough.writePem(folder().resolve("cert.pem"), folder().resolve("key.pem"));
        assertFalse(DevelopmentCertificate.loadOrCreate(folder()).created());
    }

    @Test
    void aCertificateMissingAWantedNameIsReplaced() throws Exception {
        DevelopmentCertificate.Names names = DevelopmentCertificate.wantedNames();
        SelfSignedCertificate old = SelfSignedCertificate.generate(names.dnsNames(),
                List.of(SelfSignedCertificateTest.address("127.0.0.1")), Duration.ofDays(100)); // no ::1
        old.writePem(folder().resolve("cert.pem"), folder().resolve("key.pem"));
        DevelopmentCertificate.Result r = DevelopmentCertificate.loadOrCreate(folder());
        assertTrue(r.created());
        assertTrue(DevelopmentCertificate.covers(r.certificate().certificate(), names));
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage certificate", "garbage key", "truncated key", "another key", "no key", "empty certificate"})
    void aDamagedPairIsReplaced(String damage) throws Exception {
        DevelopmentCertificate.Result good = DevelopmentCertificate.loadOrCreate(folder());
        Path cert = good.certFile();
        Path key = good.keyFile();
        switch (damage) {
            case "garbage certificate" -> Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
            case "garbage key" -> Files.writeString(key, "not a key");
            case "truncated key" -> Files.writeString(key, Files.readString(key).substring(0, 80));
            case "another key" -> SelfSignedCertificate.generate(List.of("localhost"), List.of(), Duration.ofDays(1))
                    .writePem(dir.resolve("other.pem"), key);
            case "no key" -> Files.delete(key);
            case "empty certificate" -> Files.writeString(cert, "");
            default -> throw new AssertionError(damage);
        }
        DevelopmentCertificate.Result r = DevelopmentCertificate.loadOrCreate(folder());
        assertTrue(r.created(), damage);
        assertNotEquals(good.fingerprint(), r.fingerprint());
        assertEquals(r.fingerprint(), SelfSignedCertificate.readPem(cert, key).sha256Fingerprint(), "a matching pair on disk");
        assertFalse(DevelopmentCertificate.loadOrCreate(folder()).created(), "and kept from then on");
    }

    @Test
    void aFolderMadeByHandIsMadePrivate() throws Exception {
        Files.createDirectories(folder(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        DevelopmentCertificate.loadOrCreate(folder());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder())));
    }

    @Test
    void startingTogetherMakesOnePair() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<DevelopmentCertificate.Result>> results = new ArrayList<>();
            Callable<DevelopmentCertificate.Result> load = () -> DevelopmentCertificate.loadOrCreate(folder());
            for (int i = 0; i < 8; i++) results.add(pool.submit(load));
            int created = 0;
            String fingerprint = null;
            for (Future<DevelopmentCertificate.Result> f : results) {
                DevelopmentCertificate.Result r = f.get();
                if (r.created()) created++;
                if (fingerprint == null) fingerprint = r.fingerprint();
                assertEquals(fingerprint, r.fingerprint());
            }
            assertEquals(1, created);
            assertEquals(Set.of("cert.pem", "key.pem", ".lock"), SelfSignedCertificateTest.names(folder()));
        } finally {
            pool.shutdownNow();
        }
    }

    /** The other processes of {@link #processesStartingTogetherMakeOnePair}: loads, prints "created fingerprint". */
    public static final class OtherProcess {
        public static void main(String[] args) throws Exception {
            DevelopmentCertificate.Result r = DevelopmentCertificate.loadOrCreate(Path.of(args[0]));
            System.out.println(r.created() + " " + r.fingerprint());
        }
    }

    @Test
    void processesStartingTogetherMakeOnePair() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            children.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), OtherProcess.class.getName(),
                    folder().toString()).redirectErrorStream(true).start());
        }
        List<String> lines = new ArrayList<>();
        for (Process p : children) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            lines.add(out);
        }
        assertEquals(1, lines.stream().filter(l -> l.startsWith("true ")).count(), lines::toString);
        assertEquals(1, lines.stream().map(l -> l.substring(l.indexOf(' ') + 1)).distinct().count(), lines::toString);
    }

    @Test
    void theFolderFollowsThePlatform() {
        String home = "/home/u";
        assertEquals(Path.of("/home/u/.local/share/sockeye/tls"), DevelopmentCertificate.defaultFolder("Linux", Map.of(), home));
        assertEquals(Path.of("/data/sockeye/tls"), DevelopmentCertificate.defaultFolder("Linux", Map.of("XDG_DATA_HOME", "/data"), home));
        assertEquals(Path.of("/home/u/.local/share/sockeye/tls"),
                DevelopmentCertificate.defaultFolder("FreeBSD", Map.of("XDG_DATA_HOME", "relative"), home), "a relative one is ignored");
        assertEquals(Path.of("/home/u/Library/Application Support/Sockeye/tls"), DevelopmentCertificate.defaultFolder("Mac OS X", Map.of(), home));
        // (a Unix-style LOCALAPPDATA: this file system has no drive letters)
        assertEquals(Path.of("/local/Sockeye/tls"), DevelopmentCertificate.defaultFolder("Windows 11", Map.of("LOCALAPPDATA", "/local"), home));
        assertEquals(Path.of("/home/u/AppData/Local/Sockeye/tls"), DevelopmentCertificate.defaultFolder("Windows 10", Map.of(), home));
    }

    @Test
    void theAdviceNamesTheFileTheFingerprintAndThePlatformsTools() throws Exception {
        DevelopmentCertificate.Result r = DevelopmentCertificate.loadOrCreate(dir.resolve("it's here"));
        String q = DevelopmentCertificate.shellQuote(r.certFile().toString());
        assertEquals("'" + r.certFile().toString().replace("'", "'\\''") + "'", q);

        String linux = r.howToTrust(8443, "Linux");
        assertTrue(linux.contains("curl --cacert " + q + " https://localhost:8443/"), linux);
        assertTrue(linux.contains(r.fingerprint()), linux);
        assertTrue(linux.contains("certutil -d sql:$HOME/.pki/nssdb -A -t \"P,,\" -n sockeye-dev -i " + q), linux);
        assertTrue(linux.contains("update-ca-certificates"), linux);
        assertTrue(linux.contains("Firefox"), linux);
        String mac = r.howToTrust(8443, "Mac OS X");
        assertTrue(mac.contains("security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db " + q), mac);
        assertFalse(mac.contains("update-ca-certificates"), mac);
        String windows = r.howToTrust(8443, "Windows 11");
        assertTrue(windows.contains("certutil -user -addstore Root \"" + r.certFile() + "\""), windows);

        // the quoting holds in a real shell
        assertEquals(r.certFile().toString() + "\n", SelfSignedCertificateTest.Tools.run("sh", "-c", "printf '%s\\n' " + q).ok());
    }
}
