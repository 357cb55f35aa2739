package io.sockeye.cli;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A QR code (ISO/IEC 18004) for a short text such as a URL, for {@code --qr}: byte mode (UTF-8), error
 * correction level M (15% of the symbol may be lost), versions 1 to 10 (21 to 57 modules a side, up to
 * 213 bytes), the mask chosen by the standard's penalty rules. Only what the command needs: no other
 * modes, no structured append, no ECI.
 */
final class QrCode {

    /** The longest text, in UTF-8 bytes, that version 10 at level M holds in byte mode. */
    static final int MAX_BYTES = 213;

    // Level M, indexed by version (1..10): error correction codewords per block, and blocks
    private static final int[] ECC_PER_BLOCK = {-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26};
    private static final int[] BLOCKS = {-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5};
    private static final int FORMAT_LEVEL_M = 0; // the format information's two bits for level M

    final int version;
    final int size;
    final int mask;
    private final boolean[][] dark;     // [y][x]
    private final boolean[][] function; // finder, timing, alignment, format and version modules

    private QrCode(int version) {
        this.version = version;
        this.size = version * 4 + 17;
        this.dark = new boolean[size][size];
        this.function = new boolean[size][size];
        this.mask = -1;
    }

    private QrCode(QrCode base, int mask) {
        this.version = base.version;
        this.size = base.size;
        this.dark = new boolean[size][];
        this.function = base.function;
        for (int y = 0; y < size; y++) dark[y] = base.dark[y].clone();
        this.mask = mask;
        drawFormat(mask);
        applyMask(mask);
    }

    /**
     * @param text what the code holds
     * @return the smallest code for it
     * @throws IllegalArgumentException if it is longer than {@link #MAX_BYTES} in UTF-8
     */
    static QrCode encode(String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        int version = 1;
        while (version <= 10 && dataCodewords(version) * 8 < 4 + countBits(version) + data.length * 8) version++;
        if (version > 10) throw new IllegalArgumentException("too long for a QR code up to version 10: " + data.length + " bytes");

        // byte mode: 0100, the count, the bytes; a terminator, zeros to a byte, then the pad bytes
        int capacity = dataCodewords(version);
        Bits bits = new Bits(capacity * 8);
        bits.append(0b0100, 4);
        bits.append(data.length, countBits(version));
        for (byte b : data) bits.append(b & 0xff, 8);
        bits.append(0, Math.min(4, capacity * 8 - bits.length));
        bits.append(0, (8 - bits.length % 8) % 8);
        for (int pad = 0xEC; bits.length < capacity * 8; pad ^= 0xEC ^ 0x11) bits.append(pad, 8);

        QrCode base = new QrCode(version);
        base.drawFunctionPatterns();
        base.drawCodewords(withErrorCorrection(version, bits.bytes()));
        QrCode best = null;
        int bestPenalty = Integer.MAX_VALUE;
        for (int m = 0; m < 8; m++) {
            QrCode candidate = new QrCode(base, m);
            int penalty = candidate.penalty();
            if (penalty < bestPenalty) {
                best = candidate;
                bestPenalty = penalty;
            }
        }
        return best;
    }

    /** @return whether the module at column {@code x}, row {@code y} is dark */
    boolean isDark(int x, int y) {
        return x >= 0 && y >= 0 && x < size && y < size && dark[y][x];
    }

    private static int countBits(int version) {
        return version <= 9 ? 8 : 16;
    }

    /** @return the modules left for data and error correction once the function patterns are drawn */
    static int rawDataModules(int version) {
        int result = (16 * version + 128) * version + 64;
        if (version >= 2) {
            int align = version / 7 + 2;
            result -= (25 * align - 10) * align - 55;
            if (version >= 7) result -= 36;
        }
        return result;
    }

    static int dataCodewords(int version) {
        return rawDataModules(version) / 8 - ECC_PER_BLOCK[version] * BLOCKS[version];
    }

    /** Splits the data into blocks, adds each one's Reed-Solomon codewords and interleaves them. */
    static byte[] withErrorCorrection(int version, byte[] data) {
        int blocks = BLOCKS[version];
        int eccLength = ECC_PER_BLOCK[version];
        int raw = rawDataModules(version) / 8;
        int shortBlocks = blocks - raw % blocks;
        int shortLength = raw / blocks; // data and ecc of a short block; long blocks have one more data byte
        byte[] divisor = ReedSolomon.divisor(eccLength);
        byte[][] all = new byte[blocks][];
        for (int i = 0, k = 0; i < blocks; i++) {
            int dataLength = shortLength - eccLength + (i < shortBlocks ? 0 : 1);
            byte[] block = new byte[shortLength + 1];
            System.arraycopy(data, k, block, 0, dataLength);
            byte[] ecc = ReedSolomon.remainder(Arrays.copyOfRange(data, k, k + dataLength), divisor);
            k += dataLength;
            // a short block's data stops one byte sooner: its ecc goes after the gap the long blocks fill
            System.arraycopy(ecc, 0, block, shortLength + 1 - eccLength, eccLength);
            all[i] = block;
        }
        byte[] result = new byte[raw];
        int n = 0;
        for (int i = 0; i < shortLength + 1; i++) {
            for (int j = 0; j < blocks; j++) {
                if (i != shortLength - eccLength || j >= shortBlocks) result[n++] = all[j][i];
            }
        }
        return result;
    }

    private void set(int x, int y, boolean isDark) {
        dark[y][x] = isDark;
        function[y][x] = true;
    }

    private void drawFunctionPatterns() {
        for (int i = 0; i < size; i++) {
            set(6, i, i % 2 == 0);
            set(i, 6, i % 2 == 0);
        }
        drawFinder(3, 3);
        drawFinder(size - 4, 3);
        drawFinder(3, size - 4);
        int[] align = alignmentPositions(version);
        for (int i = 0; i < align.length; i++) {
            for (int j = 0; j < align.length; j++) {
                boolean corner = i == 0 && j == 0 || i == 0 && j == align.length - 1 || i == align.length - 1 && j == 0;
                if (!corner) drawAlignment(align[i], align[j]);
            }
        }
        drawFormat(0); // reserves the format modules; each mask draws its own
        if (version >= 7) {
            int rem = version;
            for (int i = 0; i < 12; i++) rem = rem << 1 ^ (rem >>> 11) * 0x1F25;
            int bits = version << 12 | rem;
            for (int i = 0; i < 18; i++) {
                boolean bit = (bits >>> i & 1) != 0;
                int a = size - 11 + i % 3;
                int b = i / 3;
                set(a, b, bit);
                set(b, a, bit);
            }
        }
    }

    private void drawFinder(int cx, int cy) {
        for (int dy = -4; dy <= 4; dy++) {
            for (int dx = -4; dx <= 4; dx++) {
                int x = cx + dx;
                int y = cy + dy;
                int distance = Math.max(Math.abs(dx), Math.abs(dy));
                if (x >= 0 && x < size && y >= 0 && y < size) set(x, y, distance != 2 && distance != 4);
            }
        }
    }

    private void drawAlignment(int cx, int cy) {
        for (int dy = -2; dy <= 2; dy++) {
            for (int dx = -2; dx <= 2; dx++) set(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) != 1);
        }
    }

    static int[] alignmentPositions(int version) {
        if (version == 1) return new int[0];
        int count = version / 7 + 2;
        int step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2;
        int[] result = new int[count];
        result[0] = 6;
        for (int i = count - 1, pos = version * 4 + 17 - 7; i >= 1; i--, pos -= step) result[i] = pos;
        return result;
    }

    /** @return the 15 format bits for level M and a mask, with their BCH code, masked as the standard says */
    static int formatBits(int mask) {
        int data = FORMAT_LEVEL_M << 3 | mask;
        int rem = data;
        for (int i = 0; i < 10; i++) rem = rem << 1 ^ (rem >>> 9) * 0x537;
        return (data << 10 | rem) ^ 0x5412;
    }

    private void drawFormat(int mask) {
        int bits = formatBits(mask);
        for (int i = 0; i <= 5; i++) set(8, i, bit(bits, i));
        set(8, 7, bit(bits, 6));
        set(8, 8, bit(bits, 7));
        set(7, 8, bit(bits, 8));
        for (int i = 9; i < 15; i++) set(14 - i, 8, bit(bits, i));
        for (int i = 0; i < 8; i++) set(size - 1 - i, 8, bit(bits, i));
        for (int i = 8; i < 15; i++) set(8, size - 15 + i, bit(bits, i));
        set(8, size - 8, true); // the dark module
    }

    private static boolean bit(int value, int i) {
        return (value >>> i & 1) != 0;
    }

    /** Places the codewords in the zigzag of two-module columns, right to left, skipping the timing column. */
    private void drawCodewords(byte[] codewords) {
        int i = 0;
        for (int right = size - 1; right >= 1; right -= 2) {
            if (right == 6) right = 5;
            for (int vert = 0; vert < size; vert++) {
                for (int j = 0; j < 2; j++) {
                    int x = right - j;
                    boolean upward = (right + 1 & 2) == 0;
                    int y = upward ? size - 1 - vert : vert;
                    if (!function[y][x] && i < codewords.length * 8) {
                        dark[y][x] = bit(codewords[i >>> 3], 7 - (i & 7));
                        i++;
                    }
                    // modules past the last codeword (the remainder bits) stay light
                }
            }
        }
    }

    static boolean masked(int mask, int x, int y) {
        return switch (mask) {
            case 0 -> (x + y) % 2 == 0;
            case 1 -> y % 2 == 0;
            case 2 -> x % 3 == 0;
            case 3 -> (x + y) % 3 == 0;
            case 4 -> (x / 3 + y / 2) % 2 == 0;
            case 5 -> x * y % 2 + x * y % 3 == 0;
            case 6 -> (x * y % 2 + x * y % 3) % 2 == 0;
            case 7 -> ((x + y) % 2 + x * y % 3) % 2 == 0;
            default -> throw new IllegalArgumentException("mask " + mask);
        };
    }

    private void applyMask(int mask) {
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                if (!function[y][x] && masked(mask, x, y)) dark[y][x] = !dark[y][x];
            }
        }
    }

    /** The standard's penalty: long runs, 2×2 blocks, finder look-alikes, and an unbalanced share of dark. */
    int penalty() {
        int penalty = 0;
        for (int horizontal = 0; horizontal < 2; horizontal++) {
            for (int a = 0; a < size; a++) {
                int run = 0;
                boolean previous = false;
                int pattern = 0; // the last 11 modules, as bits
                for (int b = 0; b < size; b++) {
                    boolean d = horizontal == 1 ? dark[a][b] : dark[b][a];
                    if (b > 0 && d == previous) {
                        run++;
                    } else {
                        if (run >= 5) penalty += 3 + run - 5;
                        run = 1;
                        previous = d;
                    }
                    pattern = (pattern << 1 | (d ? 1 : 0)) & 0x7FF;
                    if (b >= 10 && (pattern == 0b10111010000 || pattern == 0b00001011101)) penalty += 40;
                }
                if (run >= 5) penalty += 3 + run - 5;
            }
        }
        int darkCount = 0;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                if (dark[y][x]) darkCount++;
                if (x + 1 < size && y + 1 < size && dark[y][x] == dark[y][x + 1] && dark[y][x] == dark[y + 1][x]
                        && dark[y][x] == dark[y + 1][x + 1]) {
                    penalty += 3;
                }
            }
        }
        int total = size * size;
        int k = (Math.abs(darkCount * 20 - total * 10) + total - 1) / total - 1;
        return penalty + Math.max(0, k) * 10;
    }

    /** A bit string filled from the most significant bit of each byte. */
    private static final class Bits {
        private final byte[] bytes;
        int length;

        Bits(int capacity) {
            bytes = new byte[(capacity + 7) / 8];
        }

        void append(int value, int count) {
            for (int i = count - 1; i >= 0; i--) {
                if ((value >>> i & 1) != 0) bytes[length >>> 3] |= (byte) (0x80 >>> (length & 7));
                length++;
            }
        }

        byte[] bytes() {
            return bytes;
        }
    }

    /** Reed-Solomon over GF(2^8) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1. */
    static final class ReedSolomon {
        private ReedSolomon() {
        }

        /** @return the generator polynomial's coefficients for {@code degree} ecc codewords, leading 1 left out */
        static byte[] divisor(int degree) {
            byte[] result = new byte[degree];
            result[degree - 1] = 1;
            int root = 1;
            for (int i = 0; i < degree; i++) {
                for (int j = 0; j < result.length; j++) {
                    result[j] = (byte) multiply(result[j] & 0xff, root);
                    if (j + 1 < result.length) result[j] ^= result[j + 1];
                }
                root = multiply(root, 0x02);
            }
            return result;
        }

        static byte[] remainder(byte[] data, byte[] divisor) {
            byte[] result = new byte[divisor.length];
            for (byte b : data) {
                int factor = (b ^ result[0]) & 0xff;
                System.arraycopy(result, 1, result, 0, result.length - 1);
                result[result.length - 1] = 0;
                for (int i = 0; i < result.length; i++) result[i] ^= (byte) multiply(divisor[i] & 0xff, factor);
            }
            return result;
        }

        static int multiply(int x, int y) {
            int z = 0;
            for (int i = 7; i >= 0; i--) {
                z = z << 1 ^ (z >>> 7) * 0x11D;
                z ^= (y >>> i & 1) * x;
            }
            return z;
        }
    }
}
