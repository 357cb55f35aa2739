package io.sockeye.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.google.zxing.common.DecoderResult;
import com.google.zxing.qrcode.decoder.Decoder;

/** {@code --qr}'s encoder, checked by decoding what it draws with ZXing's decoder. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QrCodeTest {

    private static boolean[][] modules(QrCode code) {
        boolean[][] image = new boolean[code.size][code.size];
        for (int y = 0; y < code.size; y++) {
            for (int x = 0; x < code.size; x++) image[y][x] = code.isDark(x, y);
        }
        return image;
    }

    private static String decode(boolean[][] image) throws Exception {
        DecoderResult result = new Decoder().decode(image);
        assertEquals("M", result.getECLevel());
        return result.getText();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://192.168.1.20:8000/", "a", "http://[2001:db8::7]:8000/",
        "https://localhost:8443/ Zoë 🐟 & <i>co</i>"})
    void whatIsDrawnDecodesToTheText(String text) throws Exception {
        assertEquals(text, decode(modules(QrCode.encode(text))));
    }

    @Test
    void everyVersionFromOneToTenDecodes() throws Exception {
        Set<Integer> versions = new HashSet<>();
        Set<Integer> masks = new HashSet<>();
        // the longest text of each version, and one byte more (the next version's shortest)
        int[] longest = {14, 26, 42, 62, 84, 106, 122, 152, 180, 213};
        for (int v = 1; v <= 10; v++) {
            for (int length : new int[] {longest[v - 1], longest[v - 1] + 1}) {
                if (length > QrCode.MAX_BYTES) continue;
                StringBuilder text = new StringBuilder();
                for (int i = 0; i < length; i++) text.append((char) ('!' + (i * 7 + v) % 90));
                QrCode code = QrCode.encode(text.toString());
                assertEquals(length == longest[v - 1] ? v : v + 1, code.version, "version for " + length + " bytes");
                assertEquals(code.version * 4 + 17, code.size);
                assertEquals(text.toString(), decode(modules(code)), "version " + code.version);
                versions.add(code.version);
                masks.add(code.mask);
            }
        }
        assertEquals(10, versions.size());
        assertTrue(masks.size() > 1, "the mask is chosen, not fixed: " + masks);
    }

    @Test
    void tooLongIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> QrCode.encode("x".repeat(QrCode.MAX_BYTES + 1)));
    }

    @Test
    void theFormatBitsAreTheStandardsForLevelM() {
        // ISO/IEC 18004's table of format information, level M
        assertEquals(0b101010000010010, QrCode.formatBits(0));
        assertEquals(0b100000011001110, QrCode.formatBits(5));
        assertEquals(0b100101010100000, QrCode.formatBits(7));
    }

    /** Reads the terminal rendering back: a drawn half is a light module, a blank one dark. */
    static boolean[][] fromTerminal(String text, int size) {
        List<String> lines = text.lines().toList();
        boolean[][] image = new boolean[size][size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int row = y + 4;
                char c = lines.get(row / 2).charAt(x + 4);
                boolean light = row % 2 == 0 ? c == '\u2588' || c == '\u2580' : c == '\u2588' || c == '\u2584';
                image[y][x] = !light;
            }
        }
        return image;
    }

    @Test
    void theTerminalRenderingDecodesWithItsQuietZone() throws Exception {
        QrCode code = QrCode.encode("http://192.168.1.20:8000/");
        String text = QrTerminal.render(code);
        List<String> lines = text.lines().toList();
        assertEquals((code.size + 8 + 1) / 2, lines.size());
        for (String line : lines) assertEquals(code.size + 8, line.length());
        assertTrue(lines.get(0).chars().allMatch(c -> c == '\u2588'), "a light margin: " + lines.get(0));
        assertEquals("http://192.168.1.20:8000/", decode(fromTerminal(text, code.size)));
    }

    @Test
    void qrPrintsTheLanAddressOrSaysWhyNot(@TempDir Path site) throws Exception {
        try (CliRun cli = new CliRun()) {
            cli.run(Map.of(), "-q", "-b", "127.0.0.1", "-d", site.toString(), "--qr", "0");
            assertTrue(cli.started(), cli.err());
            assertTrue(cli.err().contains("No QR code: other devices cannot reach http://127.0.0.1:"), cli.err());
        }
        try (CliRun cli = new CliRun()) {
            cli.run(Map.of(), "-q", "-d", site.toString(), "--qr", "0");
            assertTrue(cli.started(), cli.err());
            List<String> urls = Addresses.urls("http", cli.port(), Addresses.local(), null);
            String lan = Addresses.lanUrl(urls);
            if (lan == null) {
                assertTrue(cli.err().contains("No QR code"), cli.err());
                return; // a machine with loopback only
            }
            assertTrue(cli.err().contains("\u2588\u2588\u2588\u2588"), cli.err());
            assertTrue(cli.err().contains("  " + lan), cli.err());
            String err = cli.err();
            int start = err.indexOf('\u2588');
            start = err.lastIndexOf('\n', start) + 1;
            QrCode expected = QrCode.encode(lan);
            assertEquals(lan, decode(fromTerminal(err.substring(start), expected.size)));
        }
    }
}
