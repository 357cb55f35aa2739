package io.sockeye.examples.guestbook;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

/**
 * The guestbook's command line, {@code [[ADDRESS:]PORT] [JDBC-URL]}, checked before anything starts, so
 * that a mistake costs the user one line saying what is wrong rather than a stack trace.
 *
 * @param address  where to listen; {@code null} for all interfaces (the default, as in the other stages)
 * @param port     the port; 0 picks a free one (the banner says which)
 * @param jdbcUrl  the database
 * @param database the SQLite file when no URL was given (its folder may need creating), else {@code null}
 */
record GuestbookArguments(InetAddress address, int port, String jdbcUrl, Path database) {

    static final String USAGE = "usage: ./example guestbook [[ADDRESS:]PORT] [JDBC-URL]";
    static final int DEFAULT_PORT = 8000;

    /**
     * @param env      the environment, for {@code XDG_DATA_HOME}
     * @param userHome the {@code user.home} property
     * @throws IllegalArgumentException with a one-line message saying what is wrong
     */
    static GuestbookArguments parse(String[] args, Map<String, String> env, String userHome) {
        if (args.length > 2) throw new IllegalArgumentException("too many arguments");
        InetAddress address = null;
        int port = DEFAULT_PORT;
        if (args.length > 0) {
            String where = args[0];
            int colon = where.lastIndexOf(':');
            if (colon >= 0) {
                address = address(where.substring(0, colon));
                where = where.substring(colon + 1);
            }
            port = port(where);
        }
        if (args.length > 1) {
            return new GuestbookArguments(address, port, checkedUrl(args[1]), null);
        }
        Path database = defaultDatabase(env, userHome);
        return new GuestbookArguments(address, port, "jdbc:sqlite:" + database, database);
    }

    /**
     * Where the entries go without a JDBC URL: the user's data folder (XDG Base Directory), so that they
     * survive a restart, and not the current folder, where the file would turn up untracked in whatever
     * checkout the example is run from.
     *
     * @return {@code $XDG_DATA_HOME/sockeye/guestbook.db}, or {@code ~/.local/share/sockeye/guestbook.db}
     *         when that is unset or not absolute (the specification says to ignore a relative one)
     */
    static Path defaultDatabase(Map<String, String> env, String userHome) {
        String xdg = env.get("XDG_DATA_HOME");
        Path data = xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute() ? Path.of(xdg) : Path.of(userHome, ".local", "share");
        return data.resolve("sockeye").resolve("guestbook.db");
    }

    /** @return the URL with a {@code password=} parameter's value hidden, to print it in a banner or an error */
    static String shown(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    private static InetAddress address(String host) {
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("an IPv6 address goes in brackets, as [::1]:8000");
        }
        if (host.isEmpty()) throw new IllegalArgumentException("no address before the ':'");
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown address: " + host);
        }
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) return port;
        } catch (NumberFormatException e) {
            // told below, as for a number out of range
        }
        throw new IllegalArgumentException("not a port number (0 to 65535): " + text);
    }

    // (asking the drivers now tells a mistyped URL apart from a database that cannot be reached)
    private static String checkedUrl(String url) {
        try {
            DriverManager.getDriver(url);
            return url;
        } catch (SQLException e) {
            throw new IllegalArgumentException("not a JDBC URL for SQLite or PostgreSQL: " + shown(url)
                    + " (e.g. jdbc:sqlite:FILE, jdbc:postgresql://HOST/DB?user=NAME)");
        }
    }
}
