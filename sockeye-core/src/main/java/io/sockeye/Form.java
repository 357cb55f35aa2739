package io.sockeye;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A submitted form: its text fields, in the order they came (names may repeat), and its files. Read from
 * the request body by {@link Request#form()}, from either {@code application/x-www-form-urlencoded} or
 * {@code multipart/form-data}.
 *
 * <pre>{@code
 * Form form = request.form();
 * String name = form.first("firstname").orElse("");
 * for (FormFile f : form.files("photos")) f.copyTo(uploads.resolve(UUID.randomUUID() + ".jpg"));
 * }</pre>
 *
 * <p>Valid while the handler runs: uploaded files kept on disk are deleted when the exchange ends.
 */
public final class Form {

    private static final Form EMPTY = new Form(Parameters.empty(), List.of());

    private final Parameters fields;
    private final List<FormFile> files;

    private Form(Parameters fields, List<FormFile> files) {
        this.fields = fields;
        this.files = files;
    }

    /** @return a form with nothing in it */
    public static Form empty() {
        return EMPTY;
    }

    /**
     * @param fields the text fields
     * @param files  the files
     * @return a form holding them
     */
    public static Form of(Parameters fields, List<FormFile> files) {
        return new Form(Objects.requireNonNull(fields), List.copyOf(files));
    }

    /** @return the text fields, in order */
    public Parameters fields() {
        return fields;
    }

    /** @param name a field name @return its first value */
    public Optional<String> first(String name) {
        return fields.first(name);
    }

    /** @param name a field name @return all its values, in order */
    public List<String> all(String name) {
        return fields.all(name);
    }

    /** @return every file, in order */
    public List<FormFile> files() {
        return files;
    }

    /** @param name a field name @return the files sent under it, in order */
    public List<FormFile> files(String name) {
        List<FormFile> out = new ArrayList<>(1);
        for (FormFile f : files) {
            if (f.name().equals(name)) out.add(f);
        }
        return out;
    }

    /** @param name a field name @return the first file sent under it */
    public Optional<FormFile> file(String name) {
        for (FormFile f : files) {
            if (f.name().equals(name)) return Optional.of(f);
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "Form" + fields + " + " + files.size() + " file(s)";
    }
}
