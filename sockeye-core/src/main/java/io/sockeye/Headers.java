package io.sockeye;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * HTTP header fields: a multimap from case-insensitive names to values that keeps the order in which the
 * fields were added and keeps repeated fields apart (two {@code Set-Cookie} fields stay two fields).
 *
 * <p>Names must be tokens (RFC 9110 §5.1) and values must not hold CR, LF, NUL or other control
 * characters except horizontal tab (RFC 9110 §5.5), nor characters beyond ISO-8859-1; the mutators throw
 * {@link IllegalArgumentException} otherwise, which is what keeps a handler from splitting a response
 * with a value taken from user input. Values are stored as given, without surrounding whitespace.
 *
 * <p>Request headers are {@linkplain #isReadOnly() read-only}; response headers are mutable until the
 * response is committed. Not thread-safe.
 */
public final class Headers {

    /** Name, value, name, value...: one array, not two, because every exchange makes two of these. */
    private String[] fields;
    private int size;
    private boolean readOnly;

    /** Creates an empty, mutable set of fields. */
    public Headers() {
        fields = new String[16];
    }

    /**
     * Creates fields from name/value pairs.
     *
     * @param namesAndValues a name, its value, the next name, its value, ...
     * @return mutable fields holding them in order
     */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) throw new IllegalArgumentException("names and values must come in pairs");
        Headers h = new Headers();
        for (int i = 0; i < namesAndValues.length; i += 2) h.add(namesAndValues[i], namesAndValues[i + 1]);
        return h;
    }

    /** @return the number of fields (a repeated name counts once per field) */
    public int size() {
        return size;
    }

    /** @return whether there are no fields */
    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * @param index a position, from 0 to {@code size() - 1}
     * @return the name of the field at that position, as it was added
     */
    public String name(int index) {
        checkIndex(index);
        return fields[2 * index];
    }

    /**
     * @param index a position, from 0 to {@code size() - 1}
     * @return the value of the field at that position
     */
    public String value(int index) {
        checkIndex(index);
        return fields[2 * index + 1];
    }

    /**
     * @param name a field name, in any case
     * @return the first value of that field, or {@code null} if there is none
     */
    public String get(String name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : fields[2 * i + 1];
    }

    /**
     * @param name a field name, in any case
     * @return the first value of that field
     */
    public Optional<String> firstValue(String name) {
        return Optional.ofNullable(get(name));
    }

    /**
     * @param name a field name, in any case
     * @return every value of that field, in order; empty if there is none
     */
    public List<String> allValues(String name) {
        List<String> all = new ArrayList<>(2);
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) all.add(fields[2 * i + 1]);
        return all;
    }

    /**
     * @param name a field name, in any case
     * @return whether at least one such field is present
     */
    public boolean contains(String name) {
        return indexOf(name, 0) >= 0;
    }

    /**
     * Tells whether a list-valued field (RFC 9110 §5.6.1), such as {@code Connection} or
     * {@code Accept-Encoding}, holds a token, comparing case-insensitively and ignoring parameters:
     * {@code containsToken("Connection", "close")} is true for {@code Connection: keep-alive, Close}.
     *
     * @param name  a field name, in any case
     * @param token the token to look for
     * @return whether any value of the field lists the token
     */
    public boolean containsToken(String name, String token) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            if (listContains(fields[2 * i + 1], token)) return true;
        }
        return false;
    }

    private static boolean listContains(String list, String token) {
        int n = list.length();
        int start = 0;
        while (start < n) {
            int comma = list.indexOf(',', start);
            int end = comma < 0 ? n : comma;
            int semi = list.indexOf(';', start);
            int itemEnd = semi >= 0 && semi < end ? semi : end;
            int a = start;
            int b = itemEnd;
            while (a < b && isSpace(list.charAt(a))) a++;
            while (b > a && isSpace(list.charAt(b - 1))) b--;
            if (b - a == token.length() && list.regionMatches(true, a, token, 0, b - a)) return true;
            start = end + 1;
        }
        return false;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    /** @return the distinct field names, in the order they first appear, as first added */
    public Set<String> names() {
        Set<String> seen = new LinkedHashSet<>();
        outer:
        for (int i = 0; i < size; i++) {
            for (String s : seen) {
                if (s.equalsIgnoreCase(fields[2 * i])) continue outer;
            }
            seen.add(fields[2 * i]);
        }
        return seen;
    }

    /**
     * Calls the action with each field's name and value, in order.
     *
     * @param action what to do with each field
     */
    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < size; i++) action.accept(fields[2 * i], fields[2 * i + 1]);
    }

    /**
     * Adds a field after the existing ones, keeping any with the same name.
     *
     * @param name  a token
     * @param value the value; leading and trailing spaces are removed
     * @return this
     * @throws IllegalArgumentException if the name is not a token or the value holds forbidden characters
     * @throws IllegalStateException    if these fields are read-only
     */
    public Headers add(String name, String value) {
        checkWritable();
        String v = checkValue(name, value);
        checkName(name);
        if (2 * size == fields.length) fields = Arrays.copyOf(fields, fields.length * 2);
        fields[2 * size] = name;
        fields[2 * size + 1] = v;
        size++;
        return this;
    }

    /**
     * Replaces every field of this name with one field holding the value; the field keeps the position of
     * the first one it replaces.
     *
     * @param name  a token
     * @param value the value; leading and trailing spaces are removed
     * @return this
     * @throws IllegalArgumentException if the name is not a token or the value holds forbidden characters
     * @throws IllegalStateException    if these fields are read-only
     */
    public Headers set(String name, String value) {
        checkWritable();
        int i = indexOf(name, 0);
        if (i < 0) return add(name, value);
        fields[2 * i + 1] = checkValue(name, value);
        removeFrom(name, i + 1);
        return this;
    }

    /**
     * Removes every field of this name.
     *
     * @param name a field name, in any case
     * @return whether anything was removed
     * @throws IllegalStateException if these fields are read-only
     */
    public boolean remove(String name) {
        checkWritable();
        return removeFrom(name, 0);
    }

    /**
     * Removes every field.
     *
     * @throws IllegalStateException if these fields are read-only
     */
    public void clear() {
        checkWritable();
        Arrays.fill(fields, 0, 2 * size, null);
        size = 0;
    }

    /**
     * Makes these fields read-only, for good; the server does this to a request's fields before a
     * handler sees them.
     *
     * @return this
     */
    public Headers makeReadOnly() {
        readOnly = true;
        return this;
    }

    /** @return whether the mutators throw */
    public boolean isReadOnly() {
        return readOnly;
    }

    private boolean removeFrom(String name, int from) {
        int w = from;
        boolean removed = false;
        for (int r = from; r < size; r++) {
            if (sameName(fields[2 * r], name)) {
                removed = true;
                continue;
            }
            fields[2 * w] = fields[2 * r];
            fields[2 * w + 1] = fields[2 * r + 1];
            w++;
        }
        Arrays.fill(fields, 2 * w, 2 * size, null);
        size = w;
        return removed;
    }

    private int indexOf(String name, int from) {
        for (int i = from; i < size; i++) {
            if (sameName(fields[2 * i], name)) return i;
        }
        return -1;
    }

    private static boolean sameName(String a, String b) {
        // the parser hands out shared constants for common names, so identity often settles it
        return a == b || a.equalsIgnoreCase(b);
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= size) throw new IndexOutOfBoundsException(index);
    }

    private void checkWritable() {
        if (readOnly) throw new IllegalStateException("these header fields are read-only");
    }

    private static void checkName(String name) {
        if (name.isEmpty()) throw new IllegalArgumentException("empty header field name");
        for (int i = 0; i < name.length(); i++) {
            if (!Tokens.isTchar(name.charAt(i))) {
                throw new IllegalArgumentException("header field name is not a token: " + Tokens.quote(name));
            }
        }
    }

    private static String checkValue(String name, String value) {
        int start = 0;
        int end = value.length();
        while (start < end && isSpace(value.charAt(start))) start++;
        while (end > start && isSpace(value.charAt(end - 1))) end--;
        for (int i = start; i < end; i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                throw new IllegalArgumentException("header field " + name + " has a forbidden character in its value: "
                        + Tokens.quote(value));
            }
        }
        return start == 0 && end == value.length() ? value : value.substring(start, end);
    }

    /** @return the fields, one {@code name: value} per line */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size; i++) sb.append(fields[2 * i]).append(": ").append(fields[2 * i + 1]).append('\n');
        return sb.toString();
    }
}
