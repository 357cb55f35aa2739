package io.sockeye.examples.guestbook;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The guestbook's entries in a SQL database through JDBC: an embedded SQLite file by default, PostgreSQL
 * (or another database with a JDBC driver) given its URL. The table is created if absent; every statement
 * that carries user input is parameterised, so no input can change what a statement does.
 */
public final class GuestbookStore {

    /** One entry. */
    public record Entry(long id, String name, String message, Instant created) {
    }

    private final String url;

    /**
     * @param url a JDBC URL, as {@code jdbc:sqlite:guestbook.db} or
     *            {@code jdbc:postgresql://localhost/guestbook?user=me&password=secret}
     * @throws SQLException if the database cannot be reached or the table created
     */
    public GuestbookStore(String url) throws SQLException {
        this.url = url;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase();
            String id = product.contains("sqlite") ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                    : product.contains("postgres") ? "BIGSERIAL PRIMARY KEY"
                    : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
            s.executeUpdate("CREATE TABLE IF NOT EXISTS guestbook_entries ("
                    + "id " + id + ", name VARCHAR(200) NOT NULL, message VARCHAR(8000) NOT NULL, created_millis BIGINT NOT NULL)");
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /** Stores an entry. */
    public void add(String name, String message, Instant when) throws SQLException {
        try (Connection c = connect();
             PreparedStatement p = c.prepareStatement("INSERT INTO guestbook_entries (name, message, created_millis) VALUES (?, ?, ?)")) {
            p.setString(1, name);
            p.setString(2, message);
            p.setLong(3, when.toEpochMilli());
            p.executeUpdate();
        }
    }

    /** @return the newest entries first, at most {@code limit} */
    public List<Entry> newest(int limit) throws SQLException {
        try (Connection c = connect();
             PreparedStatement p = c.prepareStatement(
                     "SELECT id, name, message, created_millis FROM guestbook_entries ORDER BY id DESC LIMIT ?")) {
            p.setInt(1, limit);
            List<Entry> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(new Entry(r.getLong(1), r.getString(2), r.getString(3), Instant.ofEpochMilli(r.getLong(4))));
                }
            }
            return out;
        }
    }
}
