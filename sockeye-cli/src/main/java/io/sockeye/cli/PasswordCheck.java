package io.sockeye.cli;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import io.sockeye.BasicAuth;

/**
 * Checks a login against the users of {@link PasswordFile}: bcrypt hashes with the bcrypt library, plain
 * passwords in constant time.
 *
 * <ul>
 *   <li>Timing does not tell which user names exist: an unknown user's password (and a plain-text user's,
 *       when some users have bcrypt hashes) is run through bcrypt against a dummy hash of the highest
 *       cost in the table, so every check costs about the same.</li>
 *   <li>bcrypt is slow on purpose (some 50 ms at cost 10), and browsers send the login with every request:
 *       a page with 40 images would cost two seconds of CPU. So a login that passed is remembered for five
 *       minutes, as a keyed HMAC of user and password (never the password), in a table of at most 1024;
 *       a wrong password is never remembered and always costs a full bcrypt.</li>
 *   <li>At most one bcrypt per processor runs at once; the others wait their turn (on virtual threads,
 *       which costs nothing), so a burst of guesses cannot starve the rest of the server of CPU.</li>
 * </ul>
 * Passwords longer than 72 bytes are cut to 72, as OpenBSD's and Apache's bcrypt do.
 */
final class PasswordCheck implements BasicAuth.CredentialCheck {

    private static final long REMEMBER_NANOS = 5L * 60 * 1_000_000_000;
    private static final int REMEMBER_MAX = 1024;

    private final Map<String, PasswordFile.Stored> users;
    private final String dummyHash;
    private final BCrypt.Verifyer verifyer = BCrypt.verifyer(BCrypt.Version.VERSION_2Y,
            LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2Y));
    private final Semaphore cpus = new Semaphore(Runtime.getRuntime().availableProcessors());
    private final SecretKeySpec cacheKey;
    private final Map<Key, Long> passed = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
            return size() > REMEMBER_MAX;
        }
    };

    private record Key(byte[] mac) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && MessageDigest.isEqual(mac, k.mac);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(mac);
        }
    }

    PasswordCheck(Map<String, PasswordFile.Stored> users) {
        this.users = Map.copyOf(users);
        int cost = 0;
        for (PasswordFile.Stored s : users.values()) {
            if (s instanceof PasswordFile.Bcrypt b) cost = Math.max(cost, b.cost());
        }
        SecureRandom random = new SecureRandom();
        byte[] dummy = new byte[16];
        random.nextBytes(dummy);
        // made once at start, with a random password nobody can send
        this.dummyHash = cost == 0 ? null : new String(BCrypt.with(BCrypt.Version.VERSION_2Y).hash(cost, dummy), StandardCharsets.UTF_8);
        byte[] key = new byte[32];
        random.nextBytes(key);
        this.cacheKey = new SecretKeySpec(key, "HmacSHA256");
    }

    @Override
    public boolean check(String user, String password) {
        PasswordFile.Stored stored = users.get(user);
        if (stored instanceof PasswordFile.Plain plain) {
            boolean same = MessageDigest.isEqual(sha256(plain.password()), sha256(password));
            if (dummyHash != null) bcrypt(password, dummyHash); // as long as a bcrypt user's check
            return same;
        }
        if (stored instanceof PasswordFile.Bcrypt b) {
            Key key = key(user, password);
            if (remembered(key)) return true;
            boolean ok = bcrypt(password, b.hash());
            if (ok) remember(key);
            return ok;
        }
        if (dummyHash != null) bcrypt(password, dummyHash);
        else MessageDigest.isEqual(sha256("no such user"), sha256(password));
        return false;
    }

    private boolean bcrypt(String password, String hash) {
        cpus.acquireUninterruptibly();
        try {
            return verifyer.verify(password.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.US_ASCII)).verified;
        } finally {
            cpus.release();
        }
    }

    private boolean remembered(Key key) {
        synchronized (passed) {
            Long at = passed.get(key);
            if (at == null) return false;
            if (System.nanoTime() - at > REMEMBER_NANOS) {
                passed.remove(key);
                return false;
            }
            return true;
        }
    }

    private void remember(Key key) {
        synchronized (passed) {
            passed.put(key, System.nanoTime());
        }
    }

    private Key key(String user, String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(cacheKey);
            mac.update(user.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0); // user names hold no NUL, so the split is unambiguous
            return new Key(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
