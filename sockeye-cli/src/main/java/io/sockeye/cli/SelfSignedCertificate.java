package io.sockeye.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A self-signed X.509 v3 certificate and its private key, for serving HTTPS in development: an ECDSA
 * P-256 key, signed with SHA256withECDSA by itself, valid for TLS servers (RFC 5280 profile) at the
 * given names. The JDK can make keys and sign, but has no public API to build a certificate, so the
 * certificate's DER is written here ({@link Der}) and parsed back with {@link CertificateFactory}, which
 * checks the encoding. Instances are immutable.
 */
final class SelfSignedCertificate {

    /**
     * A year. Chrome and Apple refuse publicly trusted server certificates valid for more than 398 days,
     * and Apple any trusted one over 825 days; a locally trusted certificate is exempt from the first
     * rule, but a year keeps well inside both, and a development certificate renewed yearly (see
     * {@link DevelopmentCertificate}) costs one more "trust it" step a year.
     */
    static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);

    /** The subject's organizationName, telling whoever inspects the certificate what it is. */
    static final String ORGANIZATION = "Sockeye development certificate";

    /** notBefore is this far in the past, so that a client whose clock is a little behind accepts it. */
    private static final Duration BACKDATE = Duration.ofHours(1);

    // Object identifiers (RFC 5280 §4.1, §4.2.1; RFC 5758 §3.2)
    private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String ORGANIZATION_NAME = "2.5.4.10";
    private static final String SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
    private static final String KEY_USAGE = "2.5.29.15";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String EXT_KEY_USAGE = "2.5.29.37";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final PrivateKey privateKey;
    private final X509Certificate certificate;

    private SelfSignedCertificate(PrivateKey privateKey, X509Certificate certificate) {
        this.privateKey = privateKey;
        this.certificate = certificate;
    }

    /**
     * Makes a new key pair and a certificate for it, signed by itself.
     *
     * <p>The subject and issuer are {@code O=Sockeye development certificate, CN=}the first DNS name (or the
     * first address when there is none; no CN when it is over the 64 characters of ub-common-name).
     * Clients match the subjectAltName entries, not the CN (RFC 6125 §6.4.4; browsers ignore the CN).
     *
     * @param dnsNames host names, in the preferred name syntax (RFC 5280 §4.2.1.6: letters, digits,
     *        hyphens, dots); {@code localhost} say
     * @param ips addresses, written as 4 or 16 octets ({@code ::1} as sixteen)
     * @param validity how long from now the certificate is valid; it is valid from an hour ago
     * @return the key and certificate
     * @throws IllegalArgumentException if there is no name at all, a DNS name is malformed, or the
     *         validity is not positive
     */
    static SelfSignedCertificate generate(List<String> dnsNames, List<InetAddress> ips, Duration validity) {
        if (dnsNames.isEmpty() && ips.isEmpty()) throw new IllegalArgumentException("no name to certify");
        for (String n : dnsNames) {
            if (!isDnsName(n)) throw new IllegalArgumentException("not a DNS name: " + n);
        }
        if (validity.isNegative() || validity.isZero()) throw new IllegalArgumentException("validity " + validity);
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair keys = generator.generateKeyPair();
            Instant now = Instant.now();
            String cn = dnsNames.isEmpty() ? ips.get(0).getHostAddress() : dnsNames.get(0);
            byte[] name = name(cn);
            byte[] algorithm = Der.sequence(Der.oid(ECDSA_WITH_SHA256)); // no parameters (RFC 5758 §3.2)

            // TBSCertificate (RFC 5280 §4.1)
            byte[] tbs = Der.sequence(
                    Der.explicit(0, Der.integer(2)), // version v3: extensions follow
                    Der.integer(serialNumber()),
                    algorithm,
                    name, // issuer = subject: self-signed
                    Der.sequence(Der.time(now.minus(BACKDATE)), Der.time(now.plus(validity))),
                    name,
                    keys.getPublic().getEncoded(), // SubjectPublicKeyInfo with the named curve (RFC 5480)
                    Der.explicit(3, Der.sequence(
                            extension(SUBJECT_ALT_NAME, false, subjectAltName(dnsNames, ips)),
                            // CA:FALSE: an empty SEQUENCE, since cA defaults to FALSE and DER omits defaults
                            extension(BASIC_CONSTRAINTS, true, Der.sequence()),
                            // digitalSignature alone, bit 0: one octet with seven unused bits. Enough for
                            // (EC)DHE suites and TLS 1.3, where the key only signs the handshake.
                            extension(KEY_USAGE, true, Der.bitString(new byte[] {(byte) 0x80}, 7)),
                            extension(EXT_KEY_USAGE, false, Der.sequence(Der.oid(SERVER_AUTH))),
                            extension(SUBJECT_KEY_IDENTIFIER, false, Der.octetString(keyIdentifier(keys))))));

            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keys.getPrivate(), RANDOM);
            signer.update(tbs);
            // The JDK's signature is already the DER Ecdsa-Sig-Value that X.509 wants (RFC 5480 §2.2 ff.).
            byte[] der = Der.sequence(tbs, algorithm, Der.bitString(signer.sign()));
            return new SelfSignedCertificate(keys.getPrivate(), parse(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a certificate with this JDK", e);
        }
    }

    /**
     * Reads a pair written by {@link #writePem}: a PEM certificate and a PKCS#8 PEM EC private key.
     *
     * @throws IOException if a file cannot be read, is not such PEM, or the key is not the certificate's
     */
    static SelfSignedCertificate readPem(Path certFile, Path keyFile) throws IOException {
        try {
            X509Certificate cert = parse(pemContents(Files.readString(certFile, StandardCharsets.US_ASCII), "CERTIFICATE"));
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(
                    new PKCS8EncodedKeySpec(pemContents(Files.readString(keyFile, StandardCharsets.US_ASCII), "PRIVATE KEY")));
            if (!keyMatches(key, cert)) throw new IOException(keyFile + " is not the key of " + certFile);
            return new SelfSignedCertificate(key, cert);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("not a certificate and EC key in PEM: " + certFile + ", " + keyFile, e);
        }
    }

    /** @return the private key */
    PrivateKey privateKey() {
        return privateKey;
    }

    /** @return the certificate */
    X509Certificate certificate() {
        return certificate;
    }

    /**
     * @return the SHA-256 of the certificate's DER as upper-case hex pairs joined by colons, the form
     *         browsers and {@code openssl x509 -fingerprint -sha256} show
     */
    String sha256Fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the certificate (PEM {@code CERTIFICATE}) and the key (PEM {@code PRIVATE KEY}, PKCS#8), as
     * RFC 7468 has them: base64 in lines of 64. Each file is written under a temporary name in its folder,
     * then moved over the old one at once, so a reader never sees half a file; the key first, the
     * certificate last. Where the file system has POSIX permissions the key file is created 0600 (never
     * readable by others, not even for a moment) and a folder made here 0700.
     *
     * @throws IOException if a file cannot be written
     */
    void writePem(Path certFile, Path keyFile) throws IOException {
        writeAtomically(keyFile, pem("PRIVATE KEY", privateKey.getEncoded()), true);
        writeAtomically(certFile, pem("CERTIFICATE", encoded()), false);
    }

    /**
     * @return whether this is a host name in the preferred name syntax (RFC 1034 §3.5, RFC 1123 §2.1):
     *         dot-separated labels of letters, digits and inner hyphens, 63 characters at most each, 253
     *         in all, whose last label is not all digits (that would be an address)
     */
    static boolean isDnsName(String name) {
        if (name.isEmpty() || name.length() > 253) return false;
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) return false;
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) return false;
            }
        }
        return !labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /**
     * Name (RFC 5280 §4.1.2.4), most significant RDN first, each RDN a set of one attribute, the values
     * UTF8String as §4.1.2.6 asks of new certificates.
     */
    private static byte[] name(String commonName) {
        byte[] o = Der.set(Der.sequence(Der.oid(ORGANIZATION_NAME), Der.utf8String(ORGANIZATION)));
        if (commonName.length() > 64) return Der.sequence(o); // ub-common-name (Appendix A.1)
        return Der.sequence(o, Der.set(Der.sequence(Der.oid(COMMON_NAME), Der.utf8String(commonName))));
    }

    /**
     * A positive serial of 16 random octets (RFC 5280 §4.1.2.2: positive, at most 20 octets; the CA/Browser
     * Forum asks for 64 random bits or more): the top bit cleared keeps it positive, the next one set keeps
     * it 16 octets long and non-zero.
     */
    private static BigInteger serialNumber() {
        byte[] serial = new byte[16];
        RANDOM.nextBytes(serial);
        serial[0] = (byte) (serial[0] & 0x7f | 0x40);
        return new BigInteger(1, serial);
    }

    /** Extension (RFC 5280 §4.1): critical is written only when true, as DER omits a DEFAULT value. */
    private static byte[] extension(String oid, boolean critical, byte[] value) {
        byte[] id = Der.oid(oid);
        byte[] octets = Der.octetString(value);
        return critical ? Der.sequence(id, Der.bool(true), octets) : Der.sequence(id, octets);
    }

    /**
     * GeneralNames (RFC 5280 §4.2.1.6): {@code dNSName [2]} IA5String and {@code iPAddress [7]} OCTET
     * STRING of four octets for IPv4, sixteen for IPv6 (a scope id is not part of it). Not critical: the
     * subject is not empty.
     */
    private static byte[] subjectAltName(List<String> dnsNames, List<InetAddress> ips) {
        List<byte[]> names = new ArrayList<>();
        for (String n : dnsNames) names.add(Der.implicitPrimitive(2, n.getBytes(StandardCharsets.US_ASCII)));
        for (InetAddress ip : ips) {
            byte[] octets = ip.getAddress();
            if (octets.length != 4 && octets.length != 16) throw new IllegalArgumentException("address " + ip);
            names.add(Der.implicitPrimitive(7, octets));
        }
        return Der.sequence(names.toArray(byte[][]::new));
    }

    /**
     * The subjectKeyIdentifier, by the first method of RFC 5280 §4.2.1.2: the SHA-1 of the subjectPublicKey
     * BIT STRING's value, for P-256 the uncompressed point {@code 04 || X || Y} (SEC 1 §2.3.3).
     */
    private static byte[] keyIdentifier(KeyPair keys) throws GeneralSecurityException {
        ECPublicKey pub = (ECPublicKey) keys.getPublic();
        byte[] point = Der.concat(new byte[] {4}, fixed(pub.getW().getAffineX()), fixed(pub.getW().getAffineY()));
        return MessageDigest.getInstance("SHA-1").digest(point);
    }

    /** A P-256 coordinate as exactly 32 octets, unsigned and big-endian. */
    private static byte[] fixed(BigInteger coordinate) {
        byte[] raw = coordinate.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, out, 32 - n, n);
        return out;
    }

    private static X509Certificate parse(byte[] der) throws GeneralSecurityException {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    /** Whether the key made the signature that the certificate's public key checks: a pair that belongs. */
    private static boolean keyMatches(PrivateKey key, X509Certificate cert) throws GeneralSecurityException {
        byte[] challenge = new byte[32];
        RANDOM.nextBytes(challenge);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(cert.getPublicKey());
        verifier.update(challenge);
        return verifier.verify(signature);
    }

    private byte[] encoded() {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] pem(String label, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return ("-----BEGIN " + label + "-----\n" + base64 + "\n-----END " + label + "-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The DER between the PEM lines with this label (RFC 7468), whatever the line breaks. */
    private static byte[] pemContents(String text, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = text.indexOf(begin);
        int to = from < 0 ? -1 : text.indexOf(end, from);
        if (to < 0) throw new IllegalArgumentException("no " + label + " in PEM");
        return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to).strip());
    }

    private static void writeAtomically(Path file, byte[] contents, boolean secret) throws IOException {
        Path folder = file.toAbsolutePath().getParent();
        boolean posix = folder.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(folder)) {
            Files.createDirectories(folder.getParent());
            try {
                if (posix) Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                else Files.createDirectory(folder);
            } catch (FileAlreadyExistsException e) {
                // made by another writer meanwhile
            }
        }
        Path temp = folder.resolve("." + file.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
        FileAttribute<?>[] attributes = !posix ? new FileAttribute<?>[0]
                : new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"))};
        try {
            // CREATE_NEW with the permissions: the key file is never more than 0600, not even for a moment
            try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
                ByteBuffer buffer = ByteBuffer.wrap(contents);
                while (buffer.hasRemaining()) ch.write(buffer);
                ch.force(true); // on disk before the rename makes it the file: no empty file after a crash
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public String toString() {
        return "SelfSignedCertificate[" + certificate.getSubjectX500Principal().getName() + ", SHA-256 "
                + sha256Fingerprint() + "]";
    }
}
