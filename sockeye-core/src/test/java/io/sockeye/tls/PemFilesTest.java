package io.sockeye.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys and certificates are made by the openssl command-line tool, in each of the forms it writes, so
 * that what is read is what a user of nginx or Caddy would hand over. Each key read is checked against
 * its certificate by signing with the one and verifying with the other.
 */
class PemFilesTest {

    private static final byte[] DATA = "what the server signs in a TLS handshake".getBytes(StandardCharsets.UTF_8);
    private static final char[] SECRET = "secret".toCharArray();

    @TempDir
    static Path dir;

    @BeforeAll
    static void makeKeysAndCertificates() throws Exception {
        try {
            new ProcessBuilder("openssl", "version").redirectErrorStream(true).start().waitFor();
        } catch (IOException e) {
            fail("these tests make their keys with the openssl command-line tool, which is not on the PATH"
                    + " (Debian: apt-get install openssl): " + e.getMessage());
        }
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key", "-out", "rsa.crt",
                "-subj", "/CN=localhost", "-days", "2");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.key");
        selfSigned("ec.key", "ec.crt");
        // a CA and a leaf it signed, as a fullchain.pem holds them
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes", "-keyout", "ca.key",
                "-out", "ca.crt", "-subj", "/CN=Test CA", "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE");
        openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr",
                "-subj", "/CN=leaf.example");
        openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-out", "leaf.crt");
        Files.writeString(dir.resolve("fullchain.pem"), text("leaf.crt") + text("ca.crt"));
    }

    // ---- key forms ----

    @Test
    void readsPkcs8RsaAndEcKeys() throws Exception {
        assertHeader("rsa.key", "-----BEGIN PRIVATE KEY-----");
        assertHeader("ec.key", "-----BEGIN PRIVATE KEY-----");
        assertMatches(key("rsa.key", null), "rsa.crt");
        assertMatches(key("ec.key", null), "ec.crt");
        assertEquals("RSA", key("rsa.key", null).getAlgorithm());
        assertEquals("EC", key("ec.key", null).getAlgorithm());
    }

    @Test
    void readsPkcs8EdwardsCurveAndRsaPssKeys() throws Exception {
        for (String algorithm : List.of("ED25519", "ED448", "RSA-PSS")) {
            openssl("genpkey", "-algorithm", algorithm, "-out", algorithm + ".key");
            selfSigned(algorithm + ".key", algorithm + ".crt");
            assertMatches(key(algorithm + ".key", null), algorithm + ".crt");
        }
    }

    @Test
    void theCheckOfKeyAgainstCertificateCanFail() throws Exception {
        assertThrows(AssertionError.class, () -> assertMatches(key("rsa.key", null), "leaf.crt"));
    }

    @Test
    void readsPkcs1RsaKeys() throws Exception {
        openssl("rsa", "-in", "rsa.key", "-traditional", "-out", "rsa-pkcs1.key");
        assertHeader("rsa-pkcs1.key", "-----BEGIN RSA PRIVATE KEY-----");
        assertMatches(key("rsa-pkcs1.key", null), "rsa.crt");
    }

    @Test
    void readsSec1EcKeysWithAndWithoutAParametersBlock() throws Exception {
        openssl("ecparam", "-name", "secp384r1", "-genkey", "-out", "sec1-params.key");
        assertHeader("sec1-params.key", "-----BEGIN EC PARAMETERS-----");
        selfSigned("sec1-params.key", "sec1-params.crt");
        assertMatches(key("sec1-params.key", null), "sec1-params.crt");

        openssl("ec", "-in", "ec.key", "-out", "sec1.key");
        assertHeader("sec1.key", "-----BEGIN EC PRIVATE KEY-----");
        assertMatches(key("sec1.key", null), "ec.crt");
    }

    @Test
    void readsEncryptedPkcs8Keys() throws Exception {
        List<List<String>> schemes = List.of(
                List.of("-v2", "aes-256-cbc"), // spelled out, as guides write it
                List.of(), // openssl 3's default: the same, PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC
                List.of("-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA512"),
                List.of("-v1", "PBE-SHA1-3DES")); // the default of openssl before 1.1
        for (String name : List.of("rsa", "ec")) {
            for (List<String> scheme : schemes) {
                String file = name + "-enc" + String.join("", scheme) + ".key";
                List<String> args = new ArrayList<>(List.of("pkcs8", "-topk8", "-in", name + ".key", "-out", file, "-passout", "pass:secret"));
                args.addAll(scheme);
                openssl(args.toArray(String[]::new));
                assertHeader(file, "-----BEGIN ENCRYPTED PRIVATE KEY-----");
                assertMatches(key(file, SECRET), name + ".crt");
            }
        }
    }

    @Test
    void readsKeysEncryptedTheTraditionalOpensslWay() throws Exception {
        openssl("rsa", "-in", "rsa.key", "-traditional", "-aes256", "-passout", "pass:secret", "-out", "rsa-aes256.key");
        openssl("rsa", "-in", "rsa.key", "-traditional", "-des3", "-passout", "pass:secret", "-out", "rsa-des3.key");
        openssl("ec", "-in", "ec.key", "-aes128", "-passout", "pass:secret", "-out", "ec-aes128.key");
        openssl("ec", "-in", "ec.key", "-aes192", "-passout", "pass:secret", "-out", "ec-aes192.key");
        assertTrue(text("rsa-des3.key").contains("DEK-Info: DES-EDE3-CBC,"), text("rsa-des3.key"));
        assertTrue(text("ec-aes192.key").contains("Proc-Type: 4,ENCRYPTED"), text("ec-aes192.key"));
        assertMatches(key("rsa-aes256.key", SECRET), "rsa.crt");
        assertMatches(key("rsa-des3.key", SECRET), "rsa.crt");
        assertMatches(key("ec-aes128.key", SECRET), "ec.crt");
        assertMatches(key("ec-aes192.key", SECRET), "ec.crt");
    }

    @Test
    void aPasswordForAKeyThatIsNotEncryptedIsIgnored() throws Exception {
        assertMatches(key("rsa.key", SECRET), "rsa.crt");
    }

    // ---- certificates and whole files ----

    @Test
    void readsAFullChainLeafFirst() throws Exception {
        List<X509Certificate> chain = PemFiles.readCertificates(dir.resolve("fullchain.pem"));
        assertEquals(2, chain.size());
        assertEquals("CN=leaf.example", chain.get(0).getSubjectX500Principal().getName());
        assertEquals("CN=Test CA", chain.get(1).getSubjectX500Principal().getName());
        chain.get(0).verify(chain.get(1).getPublicKey());
        assertEquals(List.of(cert("rsa.crt")), PemFiles.readCertificates(dir.resolve("rsa.crt")));
    }

    @Test
    void aCombinedFileGivesItsKeyAndItsCertificates() throws Exception {
        for (String combined : List.of(text("leaf.key") + text("fullchain.pem"), text("fullchain.pem") + text("leaf.key"))) {
            Path file = write("combined.pem", combined);
            assertEquals(PemFiles.readCertificates(dir.resolve("fullchain.pem")), PemFiles.readCertificates(file));
            assertMatches(PemFiles.readPrivateKey(file, null), "leaf.crt");
        }
    }

    @Test
    void textAroundAndBetweenBlocksIsIgnored() throws Exception {
        // openssl x509 -text writes the certificate's description before it
        openssl("x509", "-in", "leaf.crt", "-text", "-out", "leaf-text.crt");
        assertTrue(text("leaf-text.crt").startsWith("Certificate:"));
        assertEquals(List.of(cert("leaf.crt")), PemFiles.readCertificates(dir.resolve("leaf-text.crt")));
        // openssl pkcs12 -nodes writes "Bag Attributes" and subject lines before each block
        openssl("pkcs12", "-export", "-inkey", "leaf.key", "-in", "leaf.crt", "-certfile", "ca.crt",
                "-passout", "pass:p12", "-out", "bundle.p12");
        openssl("pkcs12", "-in", "bundle.p12", "-nodes", "-passin", "pass:p12", "-out", "bundle.pem");
        assertTrue(text("bundle.pem").contains("Bag Attributes"), text("bundle.pem"));
        assertEquals(List.of("CN=Test CA", "CN=leaf.example"), PemFiles.readCertificates(dir.resolve("bundle.pem")).stream()
                .map(c -> c.getSubjectX500Principal().getName()).sorted().toList());
        assertMatches(PemFiles.readPrivateKey(dir.resolve("bundle.pem"), null), "leaf.crt");
    }

    @Test
    void crlfLineEndsByteOrderMarksAndWhitespaceInTheBase64AreAccepted() throws Exception {
        String key = text("leaf.key") + text("leaf.crt");
        assertMatches(PemFiles.readPrivateKey(write("crlf.pem", key.replace("\n", "\r\n")), null), "leaf.crt");
        assertEquals(List.of(cert("leaf.crt")), PemFiles.readCertificates(dir.resolve("crlf.pem")));
        Files.write(dir.resolve("bom.pem"), ("\uFEFF" + key).getBytes(StandardCharsets.UTF_8));
        assertMatches(PemFiles.readPrivateKey(dir.resolve("bom.pem"), null), "leaf.crt");

        // the base64 on one line, on lines of another length, indented, with blanks inside
        byte[] der = der(text("leaf.key"));
        String oneLine = "-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(der) + "\n-----END PRIVATE KEY-----\n";
        String wrapped76 = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END PRIVATE KEY-----";
        String indented = "  -----BEGIN PRIVATE KEY-----  \n\t" + Base64.getMimeEncoder(20, "\n\t ".getBytes(US_ASCII))
                .encodeToString(der).replace("A", "A ") + "\n\t-----END PRIVATE KEY-----\t\n";
        for (String pem : List.of(oneLine, wrapped76, indented)) {
            assertMatches(PemFiles.parsePrivateKey(pem, null, "test"), "leaf.crt");
        }
    }

    // ---- what is wrong, said in one line naming the file ----

    @Test
    void aWrongPasswordIsSaidToBeOne() throws Exception {
        openssl("pkcs8", "-topk8", "-in", "ec.key", "-out", "wrong-pkcs8.key", "-passout", "pass:secret");
        openssl("ec", "-in", "ec.key", "-aes256", "-passout", "pass:secret", "-out", "wrong-legacy.key");
        for (String file : List.of("wrong-pkcs8.key", "wrong-legacy.key")) {
            Path path = dir.resolve(file);
            assertFails(() -> PemFiles.readPrivateKey(path, "Secret".toCharArray()), path, "wrong password for key in " + path);
            // about one wrong password in 256 gets past the padding check: it must not get further
            String pem = text(file);
            for (int i = 0; i < 300; i++) {
                char[] password = ("wrong" + i).toCharArray();
                assertFails(() -> PemFiles.parsePrivateKey(pem, password, "key.pem"), "key.pem", "wrong password for key in key.pem");
            }
        }
    }

    @Test
    void anEncryptedKeyWithoutAPasswordIsSaidToBeEncrypted() throws Exception {
        openssl("pkcs8", "-topk8", "-in", "rsa.key", "-out", "nopass-pkcs8.key", "-passout", "pass:secret");
        openssl("rsa", "-in", "rsa.key", "-traditional", "-aes128", "-passout", "pass:secret", "-out", "nopass-legacy.key");
        for (String file : List.of("nopass-pkcs8.key", "nopass-legacy.key")) {
            Path path = dir.resolve(file);
            assertFails(() -> PemFiles.readPrivateKey(path, null), path, "is encrypted, but no password was given");
        }
    }

    @Test
    void encryptionTheJdkLacksIsSaidToBeUnsupported() throws Exception {
        // PBES2 with 3DES: the JDK does PBES2 with AES only
        openssl("pkcs8", "-topk8", "-in", "ec.key", "-out", "pbes2-des3.key", "-passout", "pass:secret", "-v2", "des3");
        Path path = dir.resolve("pbes2-des3.key");
        assertFails(() -> PemFiles.readPrivateKey(path, SECRET), path, "unsupported encryption", "openssl pkcs8 -topk8");
        openssl("ec", "-in", "ec.key", "-aes256", "-passout", "pass:secret", "-out", "camellia.key");
        String camellia = text("camellia.key").replace("AES-256-CBC", "CAMELLIA-256-CBC");
        assertFails(() -> PemFiles.parsePrivateKey(camellia, SECRET, "camellia.pem"), "camellia.pem",
                "unsupported key encryption DEK-Info: CAMELLIA-256-CBC", "openssl pkcs8 -topk8");
    }

    @Test
    void anIterationCountNoToolWritesIsRefusedBeforeAnyKeyDerivation() throws Exception {
        // the count is the file's to say: 50 million rounds of PBKDF2 would hold the loading thread for a
        // minute. openssl's default form (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC; RFC 8018 appendix A.4)
        byte[] pbkdf2 = Der.element(Der.SEQUENCE, Der.bytes(0x06, 9, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 1, 5, 12),
                Der.element(Der.SEQUENCE, Der.element(Der.OCTET_STRING, new byte[16]), Der.bytes(0x02, 4, 0x02, 0xFA, 0xF0, 0x80),
                        Der.element(Der.SEQUENCE, Der.bytes(0x06, 8, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 2, 9), Der.bytes(0x05, 0))));
        byte[] aes = Der.element(Der.SEQUENCE, Der.bytes(0x06, 9, 0x60, 0x86, 0x48, 0x01, 0x65, 3, 4, 1, 0x2A),
                Der.element(Der.OCTET_STRING, new byte[16]));
        byte[] der = Der.element(Der.SEQUENCE,
                Der.element(Der.SEQUENCE, Der.bytes(0x06, 9, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 1, 5, 13),
                        Der.element(Der.SEQUENCE, pbkdf2, aes)),
                Der.element(Der.OCTET_STRING, new byte[48]));
        String pem = armor("ENCRYPTED PRIVATE KEY", der);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertFails(
                () -> PemFiles.parsePrivateKey(pem, SECRET, "slow.pem"), "slow.pem", "50000000 key-derivation iterations"));
    }

    @Test
    void keyAlgorithmsAndCurvesThatCannotSignAreUnsupported() throws Exception {
        openssl("genpkey", "-algorithm", "X25519", "-out", "x25519.key");
        Path x25519 = dir.resolve("x25519.key");
        assertFails(() -> PemFiles.readPrivateKey(x25519, null), x25519, "unsupported key algorithm (OID 1.3.101.110)");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-param_enc", "explicit", "-out", "explicit.key");
        Path explicit = dir.resolve("explicit.key");
        assertFails(() -> PemFiles.readPrivateKey(explicit, null), explicit, "does not name its curve");
        String openssh = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
        assertFails(() -> PemFiles.parsePrivateKey(openssh, null, "id_ed25519"), "id_ed25519", "unsupported key format OPENSSH");
    }

    @Test
    void emptyFilesAndFilesWithoutWhatIsAskedFor() throws Exception {
        Path empty = write("empty.pem", "");
        assertFails(() -> PemFiles.readCertificates(empty), empty, "no certificate");
        assertFails(() -> PemFiles.readPrivateKey(empty, null), empty, "no private key");
        Path certOnly = dir.resolve("fullchain.pem");
        assertFails(() -> PemFiles.readPrivateKey(certOnly, null), certOnly, "no private key", "only certificates");
        Path keyOnly = dir.resolve("rsa.key");
        assertFails(() -> PemFiles.readCertificates(keyOnly), keyOnly, "no certificate");
        Path paramsOnly = write("params.pem", text("sec1-params-only.pem", "ecparam", "-name", "prime256v1"));
        assertFails(() -> PemFiles.readPrivateKey(paramsOnly, null), paramsOnly, "no private key");
        Path twoKeys = write("two-keys.pem", text("rsa.key") + text("leaf.crt") + text("ec.key"));
        assertFails(() -> PemFiles.readPrivateKey(twoKeys, null), twoKeys, "holds 2 private keys");
    }

    @Test
    void truncatedAndGarbledBlocksAreReported() throws Exception {
        for (String file : List.of("rsa.key", "ec.key", "leaf.crt")) {
            String pem = text(file);
            List<String> lines = List.of(pem.split("\n"));
            // base64 lines lost but the END line kept; the END line lost too; a bad base64 character
            String shortBase64 = String.join("\n", lines.subList(0, lines.size() - 3)) + "\n" + lines.get(lines.size() - 1) + "\n";
            String noEnd = pem.substring(0, pem.length() / 2);
            String badChar = pem.replaceFirst("\n(.)", "\n!");
            for (String broken : List.of(shortBase64, noEnd, badChar)) {
                Executable read = file.endsWith(".crt") ? () -> PemFiles.parseCertificates(broken, file)
                        : () -> PemFiles.parsePrivateKey(broken, null, file);
                assertFails(read, file);
            }
            assertFails(() -> PemFiles.parseCertificates(noEnd, file), file, "has no END line");
        }
        String mismatched = text("leaf.crt").replace("END CERTIFICATE", "END PRIVATE KEY");
        assertFails(() -> PemFiles.parseCertificates(mismatched, "x.pem"), "x.pem", "ends with END PRIVATE KEY");
        assertFails(() -> PemFiles.parseCertificates(text("leaf.crt").replaceFirst("\n(.)", "\n!"), "x.pem"),
                "x.pem", "garbled base64 in CERTIFICATE block at line 1 of x.pem");
    }

    @Test
    void garbageInsideGoodArmorIsReported() throws Exception {
        Random random = new Random(1);
        byte[] noise = new byte[300];
        random.nextBytes(noise);
        byte[] emptySequence = {0x30, 0};
        byte[] sequenceOfGarbage = {0x30, 5, 2, 1, 0, 4, 0}; // INTEGER 0, empty OCTET STRING: no algorithm
        for (byte[] der : List.of(noise, emptySequence, sequenceOfGarbage, new byte[0])) {
            assertFails(() -> PemFiles.parseCertificates(armor("CERTIFICATE", der), "x.pem"), "x.pem");
            for (String label : List.of("PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY")) {
                assertFails(() -> PemFiles.parsePrivateKey(armor(label, der), SECRET, "x.pem"), "x.pem");
            }
        }
    }

    @Test
    void everyTruncationOfAKeyOrCertificateIsAnIOExceptionAndNoCorruptionIsWorse() throws Exception {
        openssl("rsa", "-in", "rsa.key", "-traditional", "-out", "fuzz-pkcs1.key");
        openssl("ec", "-in", "ec.key", "-out", "fuzz-sec1.key");
        Random random = new Random(7);
        for (String file : List.of("rsa.key", "ec.key", "fuzz-pkcs1.key", "fuzz-sec1.key", "leaf.crt")) {
            String label = text(file).lines().filter(l -> l.startsWith("-----BEGIN")).findFirst().orElseThrow()
                    .replace("-----BEGIN ", "").replace("-----", "");
            byte[] der = der(text(file));
            for (int length = 0; length < der.length; length++) {
                byte[] truncated = java.util.Arrays.copyOf(der, length);
                assertFails(() -> parse(label, truncated), "fuzz");
            }
            for (int i = 0; i < 2000; i++) {
                byte[] corrupt = der.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) corrupt[random.nextInt(corrupt.length)] ^= (byte) (1 << random.nextInt(8));
                try {
                    parse(label, corrupt);
                } catch (IOException expected) {
                    assertFalse(expected.getMessage().contains("\n"), expected.getMessage());
                }
            }
        }
    }

    @Test
    void largeFilesFifosAndDirectoriesAreRefusedAtOnce(@TempDir Path scratch) throws Exception {
        Path large = scratch.resolve("large.pem");
        String cert = text("leaf.crt");
        Files.writeString(large, cert + "x".repeat(5 << 20));
        assertFailsFast(() -> PemFiles.readCertificates(large), large, "larger than 1 MiB");

        Path fifo = scratch.resolve("fifo.pem");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        assertEquals(0, mkfifo.waitFor(), () -> "mkfifo failed");
        assertFailsFast(() -> PemFiles.readCertificates(fifo), fifo, "is not a regular file");
        assertFailsFast(() -> PemFiles.readPrivateKey(fifo, null), fifo, "is not a regular file");

        assertFailsFast(() -> PemFiles.readCertificates(scratch), scratch, "is not a regular file");
        Path missing = scratch.resolve("missing.pem");
        assertFailsFast(() -> PemFiles.readPrivateKey(missing, null), missing, "no such file");
        // as large as allowed is read
        Path atLimit = scratch.resolve("at-limit.pem");
        Files.writeString(atLimit, cert + "x".repeat(PemFiles.MAX_FILE_SIZE - cert.length()));
        assertEquals(List.of(cert("leaf.crt")), PemFiles.readCertificates(atLimit));
    }

    // ---- the DER helper ----

    @Nested
    class DerCodec {

        @Test
        void writesShortAndLongLengthsThatItReadsBack() throws Exception {
            for (int length : new int[] {0, 1, 127, 128, 255, 256, 65535, 65536, 1 << 20}) {
                byte[] content = new byte[length];
                byte[] element = Der.element(Der.OCTET_STRING, content);
                Der.Reader reader = new Der.Reader(element);
                assertArrayEquals(content, reader.nextContents(Der.OCTET_STRING));
                reader.end();
            }
            assertArrayEquals(new byte[] {0x04, (byte) 0x82, 0x01, 0x00}, java.util.Arrays.copyOf(Der.element(Der.OCTET_STRING, new byte[256]), 4));
        }

        @Test
        void decodesObjectIdentifiers() throws Exception {
            assertEquals("1.2.840.113549.1.1.1", Der.oid(Der.bytes(0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01)));
            assertEquals("1.3.101.112", Der.oid(Der.bytes(0x2B, 0x65, 0x70)));
            assertEquals("2.999.3", Der.oid(Der.bytes(0x88, 0x37, 0x03)), "X.690's example of an arc under 2");
            assertEquals("0.9.2342", Der.oid(Der.bytes(0x09, 0x92, 0x26)));
            assertThrows(IOException.class, () -> Der.oid(new byte[0]));
            assertThrows(IOException.class, () -> Der.oid(Der.bytes(0x2A, 0x86)), "ends inside a subidentifier");
            byte[] huge = new byte[20];
            java.util.Arrays.fill(huge, (byte) 0xFF);
            huge[19] = 0x7F;
            assertThrows(IOException.class, () -> Der.oid(huge), "a subidentifier too large for a long");
        }

        @Test
        void refusesLengthsItCannotTrust() {
            List<byte[]> bad = List.of(
                    Der.bytes(0x30), // no length
                    Der.bytes(0x30, 0x80, 0x00, 0x00), // BER's indefinite length
                    Der.bytes(0x30, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00), // five length bytes
                    Der.bytes(0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF), // a length far past the end
                    Der.bytes(0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF), // one that would be negative as an int
                    Der.bytes(0x30, 0x82, 0x01), // the length itself cut short
                    Der.bytes(0x30, 0x03, 0x02, 0x01)); // contents cut short
            for (byte[] der : bad) assertThrows(IOException.class, () -> new Der.Reader(der).next(Der.SEQUENCE));
            assertThrows(IOException.class, () -> new Der.Reader(Der.bytes(0x02, 0x01, 0x00)).next(Der.SEQUENCE), "wrong tag");
            assertThrows(IOException.class, () -> new Der.Reader(new byte[0]).next(Der.SEQUENCE), "nothing");
        }

        @Test
        void readsNestedElementsWithinTheirParent() throws Exception {
            // SEQUENCE { INTEGER 0 } followed by an INTEGER outside it: the inner reader must stop at its end
            Der.Reader top = new Der.Reader(Der.bytes(0x30, 0x03, 0x02, 0x01, 0x00, 0x02, 0x01, 0x05));
            Der.Reader sequence = top.next(Der.SEQUENCE);
            assertArrayEquals(new byte[] {0}, sequence.nextContents(Der.INTEGER));
            assertFalse(sequence.hasMore());
            assertEquals(-1, sequence.peekTag());
            assertThrows(IOException.class, () -> sequence.next(Der.INTEGER));
            assertThrows(IOException.class, top::end);
            assertArrayEquals(Der.bytes(0x02, 0x01, 0x05), top.nextElement(Der.INTEGER));
            top.end();
        }
    }

    // ---- helpers ----

    /** Runs openssl in the shared folder; fails the test with its output if it fails. */
    private static String openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "openssl did not finish");
        assertEquals(0, process.exitValue(), () -> String.join(" ", command) + " failed:\n" + output);
        return output;
    }

    private static void selfSigned(String key, String cert) throws Exception {
        openssl("req", "-x509", "-key", key, "-out", cert, "-subj", "/CN=localhost", "-days", "2");
    }

    private static String text(String file) throws IOException {
        return Files.readString(dir.resolve(file), StandardCharsets.ISO_8859_1);
    }

    /** What openssl writes to a file when run with these arguments and {@code -out file}. */
    private static String text(String file, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(args));
        command.addAll(List.of("-out", file));
        openssl(command.toArray(String[]::new));
        return text(file);
    }

    private static Path write(String file, String text) throws IOException {
        return Files.writeString(dir.resolve(file), text, StandardCharsets.ISO_8859_1);
    }

    private static PrivateKey key(String file, char[] password) throws IOException {
        return PemFiles.readPrivateKey(dir.resolve(file), password);
    }

    private static X509Certificate cert(String file) throws IOException {
        List<X509Certificate> certificates = PemFiles.readCertificates(dir.resolve(file));
        assertEquals(1, certificates.size());
        return certificates.get(0);
    }

    private static void assertHeader(String file, String firstLine) throws IOException {
        assertEquals(firstLine, text(file).lines().findFirst().orElse(""), "what openssl wrote to " + file);
    }

    /** The key is the certificate's: what it signs, the certificate's public key verifies. */
    private static void assertMatches(PrivateKey key, String certFile) throws Exception {
        X509Certificate cert = cert(certFile);
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> throw new AssertionError("unexpected key algorithm " + key.getAlgorithm());
        };
        Signature signer = Signature.getInstance(algorithm);
        Signature verifier = Signature.getInstance(algorithm);
        if (algorithm.equals("RSASSA-PSS")) {
            PSSParameterSpec pss = new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);
            signer.setParameter(pss);
            verifier.setParameter(pss);
        }
        signer.initSign(key);
        signer.update(DATA);
        byte[] signature = signer.sign();
        verifier.initVerify(cert.getPublicKey());
        verifier.update(DATA);
        assertTrue(verifier.verify(signature), "the key does not match the certificate in " + certFile);
    }

    private static void assertFails(Executable read, Path file, String... fragments) {
        assertFails(read, file.toString(), fragments);
    }

    /** Reading fails with an IOException whose message is one line naming the source and saying what is wrong. */
    private static void assertFails(Executable read, String source, String... fragments) {
        IOException e = assertThrows(IOException.class, read);
        String message = e.getMessage();
        assertFalse(message.contains("\n") || message.contains("\r"), () -> "not one line: " + message);
        assertTrue(message.contains(source), () -> "does not name " + source + ": " + message);
        for (String fragment : fragments) assertTrue(message.contains(fragment), () -> "no \"" + fragment + "\" in: " + message);
    }

    private static void assertFailsFast(Executable read, Path file, String... fragments) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertFails(read, file, fragments));
    }

    /** The DER of the first block of PEM text. */
    private static byte[] der(String pem) {
        String body = pem.substring(pem.indexOf('\n', pem.indexOf("-----BEGIN ")) + 1, pem.indexOf("-----END "));
        return Base64.getMimeDecoder().decode(body);
    }

    private static String armor(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + label + "-----\n";
    }

    private static Object parse(String label, byte[] der) throws IOException {
        String pem = armor(label, der);
        return label.equals("CERTIFICATE") ? PemFiles.parseCertificates(pem, "fuzz") : PemFiles.parsePrivateKey(pem, null, "fuzz");
    }
}
