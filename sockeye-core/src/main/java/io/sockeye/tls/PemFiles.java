package io.sockeye.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reads certificate chains and private keys from PEM files, as nginx, Caddy and Python's ssl module take them.
 *
 * <p>A file may hold text around and between its blocks (what {@code openssl x509 -text} or
 * {@code openssl pkcs12 -nodes} write), CRLF line ends, and both certificates and a key. Private keys
 * are read in these forms:
 * <ul>
 * <li>{@code PRIVATE KEY}: PKCS#8 (RFC 5208, RFC 5958) RSA, RSASSA-PSS, EC, Ed25519 or Ed448;
 * <li>{@code ENCRYPTED PRIVATE KEY}: PKCS#8 encrypted with PBES2 (PBKDF2 and AES-CBC, openssl's default)
 *     or with one of the PBES1 and PKCS#12 schemes the JDK knows;
 * <li>{@code RSA PRIVATE KEY}: PKCS#1 (RFC 8017);
 * <li>{@code EC PRIVATE KEY}: SEC1 (RFC 5915) on a named curve;
 * <li>those two encrypted the traditional openssl way ({@code Proc-Type: 4,ENCRYPTED} and a
 *     {@code DEK-Info} of AES-128/192/256-CBC or DES-EDE3-CBC).
 * </ul>
 *
 * <p>Every failure is an {@link IOException} whose message is one line naming the file (or the source
 * given) and what is wrong, fit to show to whoever configured the server.
 */
public final class PemFiles {

    /** Larger than any certificate chain or key file (a whole CA bundle is about 200 KiB). */
    static final int MAX_FILE_SIZE = 1 << 20;

    private static final String OID_RSA = "1.2.840.113549.1.1.1";
    private static final String OID_PBES2 = "1.2.840.113549.1.5.13";
    /** Key-derivation iterations accepted, at most: about ten seconds of PBKDF2 (see checkIterations). */
    static final int MAX_ITERATIONS = 10_000_000;
    /** The algorithm OID of a PrivateKeyInfo (RFC 5958 §2), and the JDK KeyFactory that reads such keys. */
    private static final Map<String, String> KEY_FACTORIES = Map.of(
            OID_RSA, "RSA",
            "1.2.840.113549.1.1.10", "RSASSA-PSS",
            "1.2.840.10045.2.1", "EC",
            "1.3.101.112", "Ed25519",
            "1.3.101.113", "Ed448");
    /** PKCS#8 version 0, and the AlgorithmIdentifiers of rsaEncryption (with NULL parameters, RFC 8017 §A.1) and id-ecPublicKey. */
    private static final byte[] VERSION_0 = Der.bytes(Der.INTEGER, 1, 0);
    private static final byte[] RSA_ENCRYPTION = Der.bytes(Der.OID, 9, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01);
    private static final byte[] EC_PUBLIC_KEY = Der.bytes(Der.OID, 7, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01);
    private static final byte[] DER_NULL = Der.bytes(Der.NULL, 0);

    private PemFiles() {
    }

    /**
     * Reads the certificates of a PEM file.
     *
     * @param file a PEM file, such as a {@code fullchain.pem}; other blocks in it (a key) are ignored
     * @return all CERTIFICATE blocks of the file, in order (leaf first, as in a {@code fullchain.pem})
     * @throws IOException with a one-line message naming the file if it holds no certificate, cannot
     *         be read, is not a regular file, is larger than 1 MiB or is garbled
     */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        return parseCertificates(read(file), file.toString());
    }

    /**
     * Reads the private key of a PEM file.
     *
     * @param file a PEM file holding exactly one private key, maybe with certificates
     * @param password the key's password if it is encrypted; may be null, and is ignored for a key
     *        that is not encrypted
     * @return the one private key in the file
     * @throws IOException with a one-line message naming the file and what is wrong: no key or more
     *         than one, encrypted but no password, wrong password, unsupported algorithm or encryption,
     *         garbled, or a file that cannot be read, is not a regular file or is larger than 1 MiB
     */
    public static PrivateKey readPrivateKey(Path file, char[] password) throws IOException {
        return parsePrivateKey(read(file), password, file.toString());
    }

    /**
     * Like {@link #readCertificates(Path)}, from PEM text already read.
     *
     * @param pem the text of a PEM file
     * @param source what the text is called in messages (a file name, say)
     * @return the certificates of the CERTIFICATE blocks, in order
     * @throws IOException as {@link #readCertificates(Path)} does
     */
    public static List<X509Certificate> parseCertificates(String pem, String source) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        for (PemBlock block : PemBlock.parse(pem, source)) {
            if (!block.label().equals("CERTIFICATE")) continue;
            byte[] der = block.decode(source);
            try {
                whole(der); // CertificateFactory would ignore what follows the certificate
                CertificateFactory factory = CertificateFactory.getInstance("X.509");
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (IOException | CertificateException | RuntimeException e) {
                // RuntimeException too: the JDK's parsers have thrown unchecked exceptions on malformed input
                throw new IOException("garbled " + block.where(source) + ": " + oneLine(e));
            }
        }
        if (certificates.isEmpty()) throw new IOException("no certificate (-----BEGIN CERTIFICATE-----) in " + source);
        return List.copyOf(certificates);
    }

    /**
     * Like {@link #readPrivateKey(Path, char[])}, from PEM text already read.
     *
     * @param pem the text of a PEM file
     * @param password the key's password if it is encrypted; may be null
     * @param source what the text is called in messages (a file name, say)
     * @return the one private key in the text
     * @throws IOException as {@link #readPrivateKey(Path, char[])} does
     */
    public static PrivateKey parsePrivateKey(String pem, char[] password, String source) throws IOException {
        List<PemBlock> blocks = PemBlock.parse(pem, source);
        List<PemBlock> keys = blocks.stream().filter(b -> b.label().endsWith("PRIVATE KEY")).toList();
        if (keys.isEmpty()) {
            boolean certificates = blocks.stream().anyMatch(b -> b.label().equals("CERTIFICATE"));
            throw new IOException("no private key in " + source + (certificates ? " (it holds only certificates)" : ""));
        }
        if (keys.size() > 1) {
            throw new IOException(source + " holds " + keys.size() + " private keys (at lines "
                    + keys.stream().map(b -> String.valueOf(b.line())).toList() + "), expected one");
        }
        PemBlock block = keys.get(0);
        byte[] der = block.decode(source);
        byte[] plain = null;
        byte[] traditional = null;
        try {
            switch (block.label()) {
                case "PRIVATE KEY":
                    return pkcs8(der, block, source);
                case "ENCRYPTED PRIVATE KEY":
                    plain = decryptPkcs8(der, password, block, source);
                    return pkcs8(plain, block, source);
                case "RSA PRIVATE KEY":
                case "EC PRIVATE KEY":
                    // decrypt() has checked that a decrypted key is one whole SEQUENCE
                    traditional = block.headers().containsKey("Proc-Type") ? decryptLegacy(der, password, block, source) : der;
                    try {
                        whole(traditional);
                        plain = block.label().startsWith("RSA") ? wrapPkcs1(traditional) : wrapSec1(traditional);
                    } catch (IOException e) {
                        throw new IOException("garbled " + block.where(source) + ": " + e.getMessage());
                    }
                    if (plain == null) {
                        throw new IOException("the EC key in " + source + " does not name its curve (explicit curve"
                                + " parameters are not supported); write it with: openssl ec -param_enc named_curve");
                    }
                    return pkcs8(plain, block, source);
                default:
                    throw new IOException("unsupported key format " + block.where(source)
                            + "; expected PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY");
            }
        } finally {
            Arrays.fill(der, (byte) 0);
            if (plain != null) Arrays.fill(plain, (byte) 0);
            if (traditional != null) Arrays.fill(traditional, (byte) 0);
        }
    }

    /** The key of a PrivateKeyInfo (RFC 5208 §5, RFC 5958 §2), by the KeyFactory its algorithm OID names. */
    private static PrivateKey pkcs8(byte[] der, PemBlock block, String source) throws IOException {
        String oid;
        try {
            Der.Reader info = new Der.Reader(der).next(Der.SEQUENCE);
            info.next(Der.INTEGER);
            oid = info.next(Der.SEQUENCE).nextOid();
            info.next(Der.OCTET_STRING);
            whole(der);
        } catch (IOException e) {
            throw new IOException("garbled " + block.where(source) + ": " + e.getMessage());
        }
        String algorithm = KEY_FACTORIES.get(oid);
        if (algorithm == null) {
            throw new IOException("unsupported key algorithm (OID " + oid + ") in " + source
                    + "; expected RSA, RSASSA-PSS, EC, Ed25519 or Ed448");
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("invalid or unsupported " + algorithm + " key in " + source + ": " + oneLine(e));
        }
    }

    /**
     * The PrivateKeyInfo inside an EncryptedPrivateKeyInfo (RFC 5208 §6, RFC 5958 §3), decrypted with the
     * scheme and parameters it names: openssl's default is PBES2 (RFC 8018 §6.2) with PBKDF2-HMAC-SHA256
     * and AES-256-CBC, which the JDK implements; older openssl wrote PBES1/PKCS#12 schemes, also in the JDK.
     */
    private static byte[] decryptPkcs8(byte[] der, char[] password, PemBlock block, String source) throws IOException {
        EncryptedPrivateKeyInfo info;
        try {
            Der.Reader encrypted = new Der.Reader(der).next(Der.SEQUENCE);
            encrypted.next(Der.SEQUENCE);
            encrypted.next(Der.OCTET_STRING);
            encrypted.end();
            whole(der);
        } catch (IOException e) {
            throw new IOException("garbled " + block.where(source) + ": " + e.getMessage());
        }
        if (password == null) throw noPassword(source);
        String algorithm;
        AlgorithmParameters parameters;
        try {
            info = new EncryptedPrivateKeyInfo(der);
            algorithm = info.getAlgName();
            parameters = info.getAlgParameters();
            // JDK 17 calls any PBES2 scheme "PBES2" and names it fully only in its parameters' toString();
            // JDK 19 and later (JDK-8286428) return that full name, e.g. PBEWithHmacSHA256AndAES_256, here.
            if (parameters != null && (algorithm.equals("PBES2") || algorithm.equals(OID_PBES2))) {
                algorithm = parameters.toString();
            }
        } catch (IOException | RuntimeException e) {
            throw unsupportedEncryption(source, e);
        }
        checkIterations(parameters, source);
        PBEKeySpec spec = new PBEKeySpec(password);
        try {
            Cipher cipher = Cipher.getInstance(algorithm);
            cipher.init(Cipher.DECRYPT_MODE, SecretKeyFactory.getInstance(algorithm).generateSecret(spec), parameters);
            return decrypt(cipher, info.getEncryptedData(), block, source);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw unsupportedEncryption(source, e);
        } finally {
            spec.clearPassword();
        }
    }

    /**
     * Refuses a key-derivation iteration count no real tool writes: the count comes from the file, and
     * PBKDF2 runs it on the thread that loads the key (at start, and at each reload), so a crafted count
     * of 2^31 would hold it for an hour. openssl writes 2,048; OWASP advises 600,000 for PBKDF2-SHA256.
     */
    private static void checkIterations(AlgorithmParameters parameters, String source) throws IOException {
        if (parameters == null) return;
        int iterations;
        try {
            iterations = parameters.getParameterSpec(PBEParameterSpec.class).getIterationCount();
        } catch (GeneralSecurityException | RuntimeException e) {
            return; // a scheme without a count
        }
        if (iterations > MAX_ITERATIONS || iterations < 1) {
            throw new IOException("the key in " + source + " is encrypted with " + iterations
                    + " key-derivation iterations; at most " + MAX_ITERATIONS + " are accepted");
        }
    }

    /**
     * A PKCS#1 or SEC1 key encrypted as openssl's traditional format does (the RFC 1421 headers
     * {@code Proc-Type: 4,ENCRYPTED} and {@code DEK-Info: CIPHER,IV}): the key is EVP_BytesToKey with MD5,
     * one iteration and the first 8 bytes of the IV as salt. Weak, but it is what such files hold.
     */
    private static byte[] decryptLegacy(byte[] der, char[] password, PemBlock block, String source) throws IOException {
        String procType = block.headers().get("Proc-Type").replace(" ", "");
        String dekInfo = block.headers().getOrDefault("DEK-Info", "");
        if (!procType.equals("4,ENCRYPTED")) {
            throw new IOException("unsupported Proc-Type " + procType + " in " + block.where(source));
        }
        int comma = dekInfo.indexOf(',');
        String name = comma < 0 ? dekInfo : dekInfo.substring(0, comma).strip();
        String transformation;
        int keyLength;
        switch (name) {
            case "AES-128-CBC", "AES-192-CBC", "AES-256-CBC" -> {
                transformation = "AES/CBC/PKCS5Padding";
                keyLength = Integer.parseInt(name.substring(4, 7)) / 8;
            }
            case "DES-EDE3-CBC" -> {
                transformation = "DESede/CBC/PKCS5Padding";
                keyLength = 24;
            }
            default -> throw new IOException("unsupported key encryption DEK-Info: " + oneLine(dekInfo) + " in " + source
                    + "; convert the key with: openssl pkcs8 -topk8 -v2 aes-256-cbc");
        }
        if (password == null) throw noPassword(source);
        byte[] iv;
        try {
            iv = HexFormat.of().parseHex(dekInfo.substring(comma + 1).strip());
        } catch (IllegalArgumentException e) {
            throw new IOException("garbled DEK-Info in " + block.where(source));
        }
        Cipher cipher;
        byte[] key = null;
        try {
            cipher = Cipher.getInstance(transformation);
            if (iv.length != cipher.getBlockSize()) throw new IOException("garbled DEK-Info in " + block.where(source));
            key = bytesToKey(password, iv, keyLength);
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, transformation.substring(0, transformation.indexOf('/'))),
                    new IvParameterSpec(iv));
        } catch (GeneralSecurityException e) {
            throw unsupportedEncryption(source, e);
        } finally {
            if (key != null) Arrays.fill(key, (byte) 0);
        }
        return decrypt(cipher, der, block, source);
    }

    /** openssl's EVP_BytesToKey with MD5 and one iteration: D_i = MD5(D_(i-1) || password || salt). */
    private static byte[] bytesToKey(char[] password, byte[] iv, int length) throws GeneralSecurityException {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] secret = new byte[encoded.remaining()];
        encoded.get(secret);
        Arrays.fill(encoded.array(), (byte) 0);
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        byte[] key = new byte[length];
        byte[] digest = new byte[0];
        for (int filled = 0; filled < length; filled += digest.length) {
            md5.update(digest);
            md5.update(secret);
            md5.update(iv, 0, 8);
            digest = md5.digest();
            System.arraycopy(digest, 0, key, filled, Math.min(digest.length, length - filled));
        }
        Arrays.fill(secret, (byte) 0);
        return key;
    }

    private static byte[] decrypt(Cipher cipher, byte[] data, PemBlock block, String source) throws IOException {
        byte[] plain;
        try {
            plain = cipher.doFinal(data);
        } catch (BadPaddingException e) {
            throw wrongPassword(source);
        } catch (IllegalBlockSizeException e) {
            throw new IOException("garbled " + block.where(source) + ": " + oneLine(e));
        }
        try {
            whole(plain); // a wrong key gets past the padding check 1 time in 256 or so: then not this
        } catch (IOException e) {
            Arrays.fill(plain, (byte) 0);
            throw wrongPassword(source);
        }
        return plain;
    }

    /** A PKCS#8 PrivateKeyInfo around a PKCS#1 RSAPrivateKey (RFC 8017 §A.1.2, RFC 5208 §5). */
    private static byte[] wrapPkcs1(byte[] rsaPrivateKey) {
        return Der.element(Der.SEQUENCE, VERSION_0, Der.element(Der.SEQUENCE, RSA_ENCRYPTION, DER_NULL),
                Der.element(Der.OCTET_STRING, rsaPrivateKey));
    }

    /**
     * A PKCS#8 PrivateKeyInfo around a SEC1 ECPrivateKey (RFC 5915 §3): the curve, which PKCS#8 keeps in
     * the AlgorithmIdentifier's parameters (RFC 5480 §2.1.1), is taken from the ECPrivateKey's [0] parameters.
     * Null if those do not name the curve.
     */
    private static byte[] wrapSec1(byte[] ecPrivateKey) throws IOException {
        Der.Reader key = new Der.Reader(ecPrivateKey).next(Der.SEQUENCE);
        key.next(Der.INTEGER);
        key.next(Der.OCTET_STRING);
        Der.Reader parameters = key.peekTag() == Der.CONTEXT_0 ? key.next(Der.CONTEXT_0) : null;
        if (parameters == null || parameters.peekTag() != Der.OID) return null;
        byte[] curve = parameters.nextElement(Der.OID);
        return Der.element(Der.SEQUENCE, VERSION_0, Der.element(Der.SEQUENCE, EC_PUBLIC_KEY, curve),
                Der.element(Der.OCTET_STRING, ecPrivateKey));
    }

    /** Fails unless {@code der} is one whole SEQUENCE, nothing missing and nothing after it. */
    private static void whole(byte[] der) throws IOException {
        Der.Reader top = new Der.Reader(der);
        top.next(Der.SEQUENCE);
        top.end();
    }

    /**
     * The text of a file, read only if it is a regular file of at most {@link #MAX_FILE_SIZE} bytes, and
     * never more than that many bytes of it: a FIFO or device given by mistake would block or never end.
     * (A file swapped for a FIFO between the check and the opening could still block; that takes intent.)
     */
    private static String read(Path file) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
        if (!attributes.isRegularFile()) throw new IOException(file + " is not a regular file");
        if (attributes.size() > MAX_FILE_SIZE) throw tooLarge(file);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_SIZE + 1); // it may have grown since
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
        if (bytes.length > MAX_FILE_SIZE) throw tooLarge(file);
        // PEM is ASCII (RFC 7468 §2); Latin-1 maps any other byte of the text around the blocks to some char
        return new String(bytes, StandardCharsets.ISO_8859_1).replaceFirst("^\u00EF\u00BB\u00BF", ""); // a UTF-8 BOM
    }

    private static IOException cannotRead(Path file, IOException e) {
        if (e instanceof NoSuchFileException) return new IOException(file + ": no such file");
        if (e instanceof AccessDeniedException) return new IOException(file + ": permission denied");
        return new IOException("cannot read " + file + ": " + oneLine(e));
    }

    private static IOException tooLarge(Path file) {
        return new IOException(file + " is larger than " + (MAX_FILE_SIZE >> 20) + " MiB; it is no certificate or key file");
    }

    private static IOException noPassword(String source) {
        return new IOException("the key in " + source + " is encrypted, but no password was given");
    }

    private static IOException wrongPassword(String source) {
        return new IOException("wrong password for key in " + source);
    }

    private static IOException unsupportedEncryption(String source, Exception e) {
        return new IOException("unsupported encryption of the key in " + source + " (" + oneLine(e)
                + "); convert it with: openssl pkcs8 -topk8 -v2 aes-256-cbc");
    }

    /** An exception's message on one line (some JDK messages span several), at most 200 characters. */
    static String oneLine(Exception e) {
        return oneLine(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
    }

    static String oneLine(String s) {
        String line = s.strip().replaceAll("\\s+", " ");
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }
}
