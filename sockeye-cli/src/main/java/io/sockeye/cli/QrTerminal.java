package io.sockeye.cli;

/**
 * A QR code as text for a terminal: two rows of modules per line with the Unicode half blocks
 * ({@code ▀ ▄ █} and space), inside the four-module light margin that scanners need. Drawn as dark
 * text on a light background would invert it, so the light modules are the ones drawn: a terminal's text
 * is light on dark more often than not, and a scanner reads an inverted code badly.
 */
final class QrTerminal {

    private static final int QUIET = 4;

    private QrTerminal() {
    }

    /** @return the code as lines of half blocks, each ending in a line separator */
    static String render(QrCode code) {
        StringBuilder sb = new StringBuilder();
        int from = -QUIET;
        int to = code.size + QUIET;
        for (int y = from; y < to; y += 2) {
            for (int x = from; x < to; x++) {
                boolean top = !code.isDark(x, y);                   // light: drawn
                boolean bottom = y + 1 < to && !code.isDark(x, y + 1);
                sb.append(top ? bottom ? '\u2588' : '\u2580' : bottom ? '\u2584' : ' ');
            }
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }
}
