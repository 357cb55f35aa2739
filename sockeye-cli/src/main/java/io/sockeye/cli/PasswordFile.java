package io.sockeye.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The users of {@code --auth} and {@code --auth-file}: user names with a bcrypt hash, or (when allowed) a
 * plain password. The file is Apache's htpasswd format, {@code user:hash} a line, as {@code htpasswd -B}
 * writes it; blank lines and lines starting with {@code #} are skipped, as Apache does.
 *
 * <p>Only bcrypt ({@code $2y$}, {@code $2b$}, {@code $2a$}) is accepted as a hash. The other kinds htpasswd
 * can write are weak ({@code {SHA}} is one unsalted SHA-1, {@code $apr1$} a fast MD5 loop, DES crypt
 * keeps 8 characters) and are refused at start, naming the line, rather than silently never matching.
 * Anything else is a plain-text password, refused unless plain text was allowed.
 */
final class PasswordFile {

    /** Bigger than any sane password file; bounds what the server reads at start. */
    static final long MAX_BYTES = 1 << 20;
    /** Slower than this is too slow to check on every request (cost 17 is some ten seconds a try). */
    static final int MAX_COST = 17;

    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");
    private static final Pattern DES_CRYPT = Pattern.compile("[./A-Za-z0-9]{13}");

    /** What a user's password is checked against. */
    sealed interface Stored permits Bcrypt, Plain {
    }

    /** A bcrypt hash, {@code $2y$10$...}. */
    record Bcrypt(String hash, int cost) implements Stored {
    }

    /** A password in plain text. */
    record Plain(String password) implements Stored {
    }

    private PasswordFile() {
    }

    /**
     * @param text a hash as found after the user name
     * @return it as bcrypt, or {@code null} if it is not a bcrypt hash
     * @throws IllegalArgumentException if it is bcrypt with an unusable cost
     */
    static Bcrypt bcrypt(String text) {
        var m = BCRYPT.matcher(text);
        if (!m.matches()) return null;
        int cost = Integer.parseInt(m.group(1));
        if (cost < 4 || cost > MAX_COST) {
            throw new IllegalArgumentException("bcrypt cost " + cost + " is outside 4.." + MAX_COST
                    + (cost > MAX_COST ? " (each login would take too long to check)" : ""));
        }
        return new Bcrypt(text, cost);
    }

    /**
     * @param userPassword one {@code --auth} value: {@code user:password} or {@code user:$2y$...}
     * @param users        where the user goes
     * @throws IllegalArgumentException with a message for the command line
     */
    static void addOption(String userPassword, Map<String, Stored> users) {
        int colon = userPassword.indexOf(':');
        if (colon < 0) throw new IllegalArgumentException("--auth takes USER:PASSWORD, with a colon"); // not echoed: it is a secret
        String user = userPassword.substring(0, colon);
        String secret = userPassword.substring(colon + 1);
        checkUser(user);
        if (secret.isEmpty()) throw new IllegalArgumentException("--auth: empty password for user " + user);
        Stored stored;
        try {
            stored = bcrypt(secret);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--auth " + user + ": " + e.getMessage());
        }
        // a password given on the command line is the user's explicit choice; it may be plain
        if (users.putIfAbsent(user, stored != null ? stored : new Plain(secret)) != null) {
            throw new IllegalArgumentException("--auth: user " + user + " given twice");
        }
    }

    /**
     * Reads an htpasswd file.
     *
     * @param file           the file
     * @param allowPlaintext whether plain-text passwords may be in it
     * @param users          where its users go
     * @throws IllegalArgumentException with a message naming the line, for any line that cannot be used
     * @throws IOException              if the file cannot be read
     */
    static void addFile(Path file, boolean allowPlaintext, Map<String, Stored> users) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) throw new IllegalArgumentException(file + " is over " + MAX_BYTES + " bytes: not a password file?");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + " is not UTF-8 text");
        }
        String[] lines = text.split("\n", -1);
        int added = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isBlank() || line.startsWith("#")) continue;
            String where = file + " line " + (i + 1);
            int colon = line.indexOf(':');
            if (colon < 0) throw new IllegalArgumentException(where + ": not user:hash (no colon)");
            String user = line.substring(0, colon);
            String secret = line.substring(colon + 1);
            try {
                checkUser(user);
                Stored stored = stored(secret, allowPlaintext);
                if (users.putIfAbsent(user, stored) != null) throw new IllegalArgumentException("user " + user + " appears twice");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
            added++;
        }
        if (added == 0) throw new IllegalArgumentException(file + " holds no users");
    }

    private static Stored stored(String secret, boolean allowPlaintext) {
        Bcrypt b = bcrypt(secret);
        if (b != null) return b;
        String kind = weakKind(secret);
        if (kind != null) {
            throw new IllegalArgumentException(kind + " hashes are not supported; only bcrypt is: make the line again with"
                    + " 'htpasswd -B FILE USER'");
        }
        if (secret.isEmpty()) throw new IllegalArgumentException("empty password");
        if (!allowPlaintext) {
            throw new IllegalArgumentException((DES_CRYPT.matcher(secret).matches() ? "a DES crypt hash or a plain-text password"
                    : "a plain-text password") + "; use bcrypt ('htpasswd -B FILE USER'), or --auth-plaintext to allow plain text");
        }
        return new Plain(secret);
    }

    /** @return the name of a password hash other than bcrypt that htpasswd or crypt(3) writes, or {@code null} */
    private static String weakKind(String secret) {
        if (secret.startsWith("{SHA}")) return "{SHA} (SHA-1)";
        if (secret.startsWith("$apr1$")) return "$apr1$ (Apache MD5)";
        if (secret.startsWith("$1$")) return "$1$ (MD5 crypt)";
        if (secret.startsWith("$5$") || secret.startsWith("$6$")) return "$5$/$6$ (SHA crypt)";
        if (secret.startsWith("$2")) return "malformed bcrypt";
        if (secret.startsWith("$y$") || secret.startsWith("$7$") || secret.startsWith("$gy$")) return "yescrypt/scrypt";
        return null;
    }

    private static void checkUser(String user) {
        if (user.isEmpty()) throw new IllegalArgumentException("empty user name");
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c < 0x20 || c == 0x7f) throw new IllegalArgumentException("control character in user name");
        }
    }

    /** @return a new, ordered table for the users */
    static Map<String, Stored> table() {
        return new LinkedHashMap<>();
    }
}
