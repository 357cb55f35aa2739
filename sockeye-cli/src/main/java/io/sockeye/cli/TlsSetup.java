package io.sockeye.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;

import io.sockeye.TlsConfig;

/**
 * The command line's HTTPS: the certificate files given ({@code --tls-cert}, {@code --tls-key},
 * {@code --tls-password-file}), or the development certificate ({@code --tls}), and what to tell the
 * user about it.
 */
record TlsSetup(TlsConfig config, DevelopmentCertificate.Result development) {

    /** @return the setup, or {@code null} for plain HTTP */
    static TlsSetup of(Options options) throws IOException {
        if (options.tlsCert != null) {
            char[] password = null;
            if (options.tlsPasswordFile != null) {
                // the first line, as nginx's ssl_password_file and Python's --tls-password-file read it
                String text = readPasswordFile(options.tlsPasswordFile);
                int end = text.indexOf('\n');
                String line = end < 0 ? text : text.substring(0, end);
                if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
                password = line.toCharArray();
            }
            try {
                return new TlsSetup(TlsConfig.fromPem(options.tlsCert, options.tlsKey, password), null);
            } finally {
                if (password != null) Arrays.fill(password, '\0');
            }
        }
        if (!options.tls) return null;
        DevelopmentCertificate.Result dev = DevelopmentCertificate.loadOrCreate();
        return new TlsSetup(TlsConfig.fromPem(dev.certFile(), dev.keyFile()), dev);
    }

    /** A regular file of at most 4 KiB, UTF-8: not a FIFO or a device that would hang or fill memory. */
    private static String readPasswordFile(java.nio.file.Path file) throws IOException {
        String what = "--tls-password-file " + file + ": ";
        if (!Files.isRegularFile(file)) throw new IOException(what + "not a regular file (or missing)");
        byte[] bytes;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(4097);
        }
        if (bytes.length > 4096) throw new IOException(what + "larger than 4 KiB");
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IOException(what + "not UTF-8 text");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** @return lines for the user after the banner: which certificate, and for a new development one how to trust it */
    String describe(int port) {
        if (development == null) return null;
        String line = "TLS: development certificate " + development.certFile() + " (SHA-256 " + development.fingerprint() + ")";
        return development.created() ? line + ", made now.\n" + development.howToTrust(port) : line;
    }
}
