package io.sockeye.examples.guestbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GuestbookArgumentsTest {

    private static GuestbookArguments parse(String... args) {
        return GuestbookArguments.parse(args, Map.of(), "/home/someone");
    }

    @Test
    void withoutArgumentsPort8000OnAllInterfacesAndSqliteInTheUsersDataFolder() {
        GuestbookArguments a = parse();
        assertNull(a.address());
        assertEquals(8000, a.port());
        assertEquals(Path.of("/home/someone/.local/share/sockeye/guestbook.db"), a.database());
        assertEquals("jdbc:sqlite:/home/someone/.local/share/sockeye/guestbook.db", a.jdbcUrl());
    }

    @Test
    void xdgDataHomeIsUsedOnlyIfAbsolute() {
        assertEquals(Path.of("/data/sockeye/guestbook.db"), GuestbookArguments.defaultDatabase(Map.of("XDG_DATA_HOME", "/data"), "/h"));
        assertEquals(Path.of("/h/.local/share/sockeye/guestbook.db"), GuestbookArguments.defaultDatabase(Map.of("XDG_DATA_HOME", "rel"), "/h"));
        assertEquals(Path.of("/h/.local/share/sockeye/guestbook.db"), GuestbookArguments.defaultDatabase(Map.of("XDG_DATA_HOME", ""), "/h"));
    }

    @Test
    void anAddressMayPrecedeThePort() throws Exception {
        GuestbookArguments v4 = parse("127.0.0.1:0");
        assertEquals(InetAddress.getByName("127.0.0.1"), v4.address());
        assertEquals(0, v4.port());
        GuestbookArguments v6 = parse("[::1]:8080");
        assertEquals(InetAddress.getByName("::1"), v6.address());
        assertEquals(8080, v6.port());
    }

    @Test
    void aJdbcUrlIsTakenAsGivenAndNoFileIsChosen() {
        GuestbookArguments a = parse("9000", "jdbc:postgresql://db.example/gb?user=u");
        assertEquals("jdbc:postgresql://db.example/gb?user=u", a.jdbcUrl());
        assertNull(a.database());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "65536", "", "8000x", "::1:8000", ":8000", "127.0.0.1:abc"})
    void aBadPortOrAddressIsAOneLineError(String where) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(where));
        assertTrue(!e.getMessage().isBlank() && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aUrlNoDriverTakesIsAnErrorThatHidesThePassword() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("8000", "jdbc:nosuch://h/db?user=u&password=secret"));
        assertTrue(e.getMessage().contains("jdbc:nosuch://h/db?user=u&password=***"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> parse("8000", "guestbook.db"));
        assertThrows(IllegalArgumentException.class, () -> parse("8000", "jdbc:sqlite:a", "extra"));
    }

    @Test
    void passwordsAreNotShown() {
        assertEquals("jdbc:postgresql://h/db?user=u&password=***&ssl=true",
                GuestbookArguments.shown("jdbc:postgresql://h/db?user=u&password=s3cr%26t&ssl=true"));
        assertEquals("jdbc:sqlite:/tmp/g.db", GuestbookArguments.shown("jdbc:sqlite:/tmp/g.db"));
    }
}
