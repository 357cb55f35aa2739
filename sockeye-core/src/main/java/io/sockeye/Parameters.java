package io.sockeye;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.sockeye.form.UrlEncoded;

/**
 * Decoded name/value pairs, as from a query string or an {@code application/x-www-form-urlencoded}
 * body: names may repeat, and the order in which they came is kept. Immutable.
 */
public final class Parameters {

    private static final Parameters EMPTY = new Parameters(List.of(), List.of());

    private final List<String> names;
    private final List<String> values;

    private Parameters(List<String> names, List<String> values) {
        this.names = names;
        this.values = values;
    }

    /** @return no parameters */
    public static Parameters empty() {
        return EMPTY;
    }

    /**
     * Decodes {@code application/x-www-form-urlencoded} text (WHATWG URL §5.1): pairs split on {@code &},
     * names from values on the first {@code =}, {@code +} as space, percent-escapes as UTF-8.
     *
     * @param encoded the text, as a query string without its {@code ?}; {@code null} means none
     * @return the decoded pairs
     * @throws HttpException 400 on a malformed escape or invalid UTF-8
     */
    public static Parameters parse(String encoded) {
        if (encoded == null || encoded.isEmpty()) return EMPTY;
        List<String> n = new ArrayList<>();
        List<String> v = new ArrayList<>();
        UrlEncoded.parse(encoded, Integer.MAX_VALUE, (name, value) -> {
            n.add(name);
            v.add(value);
        });
        return new Parameters(Collections.unmodifiableList(n), Collections.unmodifiableList(v));
    }

    /**
     * @param namesAndValues pairs, already decoded
     * @return parameters holding them in order
     */
    public static Parameters of(List<String> namesAndValues) {
        if (namesAndValues.size() % 2 != 0) throw new IllegalArgumentException("names and values must come in pairs");
        List<String> n = new ArrayList<>();
        List<String> v = new ArrayList<>();
        for (int i = 0; i < namesAndValues.size(); i += 2) {
            n.add(namesAndValues.get(i));
            v.add(namesAndValues.get(i + 1));
        }
        return new Parameters(Collections.unmodifiableList(n), Collections.unmodifiableList(v));
    }

    /**
     * @param name a parameter name (case-sensitive)
     * @return its first value
     */
    public Optional<String> first(String name) {
        int i = names.indexOf(name);
        return i < 0 ? Optional.empty() : Optional.of(values.get(i));
    }

    /**
     * @param name a parameter name (case-sensitive)
     * @return every value it has, in order
     */
    public List<String> all(String name) {
        List<String> all = new ArrayList<>(1);
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals(name)) all.add(values.get(i));
        }
        return all;
    }

    /** @param name a parameter name @return whether it is present */
    public boolean contains(String name) {
        return names.contains(name);
    }

    /** @return the distinct names, in order of first appearance */
    public Set<String> names() {
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (String n : names) seen.putIfAbsent(n, Boolean.TRUE);
        return Collections.unmodifiableSet(seen.keySet());
    }

    /** @return the number of pairs */
    public int size() {
        return names.size();
    }

    /** @return whether there are no pairs */
    public boolean isEmpty() {
        return names.isEmpty();
    }

    /** @param index a position @return the name of the pair there */
    public String name(int index) {
        return names.get(index);
    }

    /** @param index a position @return the value of the pair there */
    public String value(int index) {
        return values.get(index);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(names.get(i)).append('=').append(values.get(i));
        }
        return sb.append('}').toString();
    }
}
