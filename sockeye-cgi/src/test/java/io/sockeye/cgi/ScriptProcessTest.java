package io.sockeye.cgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Both ways of starting a script behave the same: pipes, environment, directory, exit status, group kill. */
@Timeout(30)
class ScriptProcessTest {

    interface Starter {
        ScriptProcess start(Path script, Map<String, String> env) throws Exception;
    }

    static Stream<Object[]> starters() {
        Starter jdk = (script, env) -> JdkScriptProcess.start(script, env, ScriptLimits.NONE);
        Starter posix = (script, env) -> NativeSpawner.start(script, env, ScriptLimits.NONE);
        return NativeSpawner.available()
                ? Stream.of(new Object[] {"ProcessBuilder", jdk}, new Object[] {"posix_spawn", posix})
                : Stream.<Object[]>of(new Object[] {"ProcessBuilder", jdk});
    }

    private static Path script(Path dir, String body) throws Exception {
        Path s = dir.resolve("s.sh");
        Files.writeString(s, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        return s;
    }

    @Test
    void posixSpawnIsUsedOnJava22AndLaterWithNativeAccess() {
        Assumptions.assumeTrue(Runtime.version().feature() >= 22 && System.getProperty("os.name").equals("Linux"));
        assertTrue(NativeSpawner.available(), "the test JVM runs with --enable-native-access, on Linux, Java 22+");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("starters")
    void pipesEnvironmentDirectoryAndStatus(String name, Starter starter, @TempDir Path dir) throws Exception {
        Path s = script(dir, "read line; printf '%s|%s|%s|%s' \"$line\" \"$GREETING\" \"$(pwd)\" \"$#\"; echo oops >&2; exit 3\n");
        ScriptProcess p = starter.start(s, Map.of("GREETING", "hello", "PATH", "/usr/bin:/bin"));
        p.stdin().write("from stdin\n".getBytes(StandardCharsets.UTF_8));
        p.stdin().close();
        String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.stderr().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5000));
        assertEquals("from stdin|hello|" + dir.toRealPath() + "|0", out);
        assertEquals("oops\n", err);
        assertEquals(3, p.exitValue());
        assertFalse(p.isAlive());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("starters")
    void theScriptLeadsAProcessGroupOfItsOwnAndASessionOnlyWhereThereIsATerminal(String name, Starter starter,
                                                                                 @TempDir Path dir) throws Exception {
        // /proc/PID/stat: "pid (comm) state ppid pgrp session tty_nr ..."; fields counted after the ") "
        Path s = script(dir, "stat=$(cat /proc/$$/stat); set -- ${stat##*) }; printf '%s %s %s' $$ $3 $4\n");
        ScriptProcess p = starter.start(s, Map.of("PATH", "/usr/bin:/bin"));
        String[] script = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8).split(" ");
        assertTrue(p.waitFor(5000));
        String pid = script[0];
        String group = script[1];
        String session = script[2];
        assertEquals(pid, group, "the script's pid is its process group's id");
        String ours = Files.readString(Path.of("/proc/self/stat"));
        String[] our = ours.substring(ours.lastIndexOf(") ") + 2).split(" ");
        assertFalse(our[2].equals(group), "not the server's group");
        boolean terminal = !our[4].equals("0");
        if (name.equals("ProcessBuilder") || terminal) {
            assertEquals(pid, session, "setsid: the script leads a session, with no terminal");
        } else {
            // a session per script is a scheduling autogroup per script on Linux: avoided where no
            // terminal needs taking away
            assertEquals(our[3], session, "posix_spawn with no terminal: the server's session");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("starters")
    void killAllTakesTheOrphansToo(String name, Starter starter, @TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("child.pid");
        Path s = script(dir, "sleep 60 &\necho $! > " + pidFile + "\nexec sleep 60\n");
        ScriptProcess p = starter.start(s, Map.of("PATH", "/usr/bin:/bin"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!(Files.exists(pidFile) && Files.size(pidFile) > 0) && System.nanoTime() < deadline) Thread.sleep(10);
        long child = Long.parseLong(Files.readString(pidFile).strip());
        p.killAll();
        assertTrue(p.waitFor(5000), "the script was killed");
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) && !isZombie(child) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true) || isZombie(child), "its child was killed too");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("starters")
    void aScriptThatCannotBeExecutedFailsToStart(String name, Starter starter, @TempDir Path dir) throws Exception {
        Path s = dir.resolve("noshebang.sh");
        Files.writeString(s, "\u0000\u0001binary");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            ScriptProcess p = starter.start(s, Map.of());
            // a format the kernel cannot execute is reported by the start, or (ProcessBuilder) by exit 127
            p.waitFor(5000);
            assertTrue(p.exitValue() != 0);
        } catch (java.io.IOException expected) {
            // posix_spawn reports ENOEXEC
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("starters")
    void noDescriptorOfTheServerLeaksIntoTheScript(String name, Starter starter, @TempDir Path dir) throws Exception {
        Path s = script(dir, "ls /proc/self/fd\n");
        try (var server = new java.net.ServerSocket(0)) { // an open socket the script must not get
            ScriptProcess p = starter.start(s, Map.of("PATH", "/usr/bin:/bin"));
            p.stdin().close();
            List<String> fds = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            p.waitFor(5000);
            // 0, 1, 2 and the one ls opens to list the directory
            assertTrue(fds.size() <= 4, "descriptors in the script: " + fds);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("starters")
    void waitingOnAScriptStillRunningSeesItEndAndItsStatus(String name, Starter starter, @TempDir Path dir) throws Exception {
        // the output closes first, then the script lives on a moment: waitFor must wait for the real end
        Path s = script(dir, "exec 1>&- 2>&-\nsleep 0.4\nexit 7\n");
        ScriptProcess p = starter.start(s, Map.of("PATH", "/usr/bin:/bin"));
        p.stdin().close();
        assertEquals(-1, p.stdout().read(), "output closed");
        assertTrue(p.isAlive(), "still sleeping");
        assertThrows(IllegalThreadStateException.class, p::exitValue);
        assertFalse(p.waitFor(50), "not over within 50 ms");
        assertTrue(p.waitFor(5000), "over within 5 s");
        assertEquals(7, p.exitValue());
        assertFalse(p.isAlive());
        assertTrue(p.waitFor(0), "waiting again on an ended script answers at once");
        assertEquals(7, p.exitValue(), "the status stays");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("starters")
    void aKilledScriptReportsTheSignal(String name, Starter starter, @TempDir Path dir) throws Exception {
        Path s = script(dir, "exec sleep 60\n");
        ScriptProcess p = starter.start(s, Map.of("PATH", "/usr/bin:/bin"));
        assertFalse(p.waitFor(100));
        p.killAll();
        assertTrue(p.waitFor(5000));
        assertEquals(128 + 9, p.exitValue(), "killed by SIGKILL");
        p.killAll(); // a second kill of an ended script is harmless
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("starters")
    void outputReadByteByByteThenInBulkIsWhole(String name, Starter starter, @TempDir Path dir) throws Exception {
        // 20,000 numbered lines (about 1 MB): far more than a pipe or read buffer holds, read first a byte at a time
        Path s = script(dir, "i=0; while [ $i -lt 20000 ]; do echo \"line $i .......................................\"; i=$((i+1)); done\n");
        ScriptProcess p = starter.start(s, Map.of("PATH", "/usr/bin:/bin"));
        p.stdin().close();
        InputStream out = p.stdout();
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) all.write(out.read());
        byte[] chunk = new byte[7];
        for (int i = 0; i < 50; i++) all.write(chunk, 0, out.read(chunk, 0, chunk.length));
        all.writeBytes(out.readAllBytes());
        assertEquals(-1, out.read());
        assertTrue(p.waitFor(10_000));
        List<String> lines = all.toString(StandardCharsets.US_ASCII).lines().toList();
        assertEquals(20_000, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            assertEquals("line " + i + " .......................................", lines.get(i));
        }
    }

    private static boolean isZombie(long pid) {
        try (InputStream in = Files.newInputStream(Path.of("/proc/" + pid + "/stat"))) {
            String stat = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (Exception e) {
            return false;
        }
    }
}
