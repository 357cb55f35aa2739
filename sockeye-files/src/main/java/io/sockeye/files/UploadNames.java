package io.sockeye.files;

import java.nio.charset.StandardCharsets;

/**
 * The names an upload may be stored under. A name is refused rather than rewritten (a client that asked
 * for {@code ../x} or {@code .htaccess} gets a 400 saying why, not a file under a name it did not choose),
 * with one exception: the {@code C:\fakepath\} (or another Windows drive path) that browsers put before a
 * file input's name is dropped.
 */
final class UploadNames {

    /** Most bytes in a name, in UTF-8: the limit of Linux, macOS and Windows file systems alike. */
    static final int MAX_BYTES = 255;

    /** The prefix of the temporary files uploads are written to before being renamed into place. */
    static final String TEMPORARY_PREFIX = ".sockeye-upload-";

    private UploadNames() {
    }

    /**
     * @param name a name as a client sent it, one path segment (already percent-decoded)
     * @return why it may not be used, as a short public message; {@code null} if it may
     */
    static String problem(String name) {
        if (name == null || name.isEmpty()) return "empty file name";
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) return "file name with a path separator: not allowed";
        if (name.equals(".") || name.equals("..")) return "file name '" + name + "' is not allowed";
        if (name.charAt(0) == '.') return "hidden file names (starting with '.') are not allowed";
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            // C0, DEL and C1 controls, and the Unicode line and paragraph separators: nothing a person
            // typed, and what terminals and log readers can be fooled by
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                return "control character in file name";
            }
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) return "file name longer than " + MAX_BYTES + " bytes";
        return null;
    }

    /**
     * @param sent the {@code filename} of a multipart part
     * @return it without a Windows drive path before it ({@code C:\fakepath\photo.jpg} is {@code photo.jpg});
     *         any other name as it was, for {@link #problem} to judge
     */
    static String fromForm(String sent) {
        if (sent.length() > 3 && Character.isLetter(sent.charAt(0)) && sent.charAt(1) == ':' && sent.charAt(2) == '\\') {
            return sent.substring(sent.lastIndexOf('\\') + 1);
        }
        return sent;
    }
}
