package io.sockeye.tls;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One block of PEM text, between {@code -----BEGIN label-----} and {@code -----END label-----}
 * (RFC 7468 §2), its base64 not yet decoded.
 *
 * @param label what the boundary lines name, such as {@code CERTIFICATE}
 * @param headers the RFC 1421 headers at the top of the block ({@code Proc-Type}, {@code DEK-Info}), if any
 * @param base64 the block's content, whitespace at line ends removed
 * @param line the line number of the BEGIN line, from 1
 */
record PemBlock(String label, Map<String, String> headers, String base64, int line) {

    /** Where the block is, for messages. */
    String where(String source) {
        return label + " block at line " + line + " of " + source;
    }

    /** The bytes the base64 encodes; whitespace inside it is allowed, anything else not in base64 is not. */
    byte[] decode(String source) throws IOException {
        try {
            return Base64.getDecoder().decode(base64.replaceAll("\\s+", ""));
        } catch (IllegalArgumentException e) {
            throw new IOException("garbled base64 in " + where(source) + ": " + PemFiles.oneLine(e));
        }
    }

    /**
     * The blocks of PEM text. As RFC 7468 §2 advises parsers, text outside blocks is ignored (openssl
     * writes certificates' descriptions and "Bag Attributes" there), as is whitespace around lines; lines
     * may end with CR LF, LF or CR. The headers openssl writes at the top of a traditionally encrypted
     * key block are kept. A block without its END line is an error, not text to ignore.
     */
    static List<PemBlock> parse(String pem, String source) throws IOException {
        List<PemBlock> blocks = new ArrayList<>();
        String[] lines = pem.split("\r\n|\r|\n");
        if (lines.length > 0 && lines[0].startsWith("\uFEFF")) lines[0] = lines[0].substring(1); // a byte order mark
        for (int i = 0; i < lines.length; i++) {
            String label = boundary(lines[i], "-----BEGIN ");
            if (label == null) continue;
            int begin = i + 1;
            Map<String, String> headers = new HashMap<>();
            StringBuilder base64 = new StringBuilder();
            while (true) {
                if (++i == lines.length || boundary(lines[i], "-----BEGIN ") != null) {
                    throw new IOException(label + " block at line " + begin + " of " + source + " has no END line");
                }
                String end = boundary(lines[i], "-----END ");
                if (end != null) {
                    if (end.equals(label)) break;
                    throw new IOException(label + " block at line " + begin + " of " + source
                            + " ends with END " + PemFiles.oneLine(end));
                }
                String line = lines[i].strip();
                int colon = line.indexOf(':'); // never in base64
                if (colon > 0 && base64.isEmpty()) headers.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                else base64.append(line);
            }
            blocks.add(new PemBlock(label, Map.copyOf(headers), base64.toString(), begin));
        }
        return blocks;
    }

    /** The label of a {@code -----BEGIN label-----} or {@code -----END label-----} line, or null. */
    private static String boundary(String line, String prefix) {
        String s = line.strip();
        if (!s.startsWith(prefix) || !s.endsWith("-----") || s.length() < prefix.length() + 5) return null;
        return s.substring(prefix.length(), s.length() - 5);
    }
}
