package io.sockeye.cli;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * The few DER encodings (ITU-T X.690 §10, the distinguished subset of BER) that a self-signed X.509
 * certificate needs. Each method returns one complete element, tag, length and contents; constructed
 * elements take their already-encoded members in order. It writes only: certificates are read back with
 * the JDK's {@code CertificateFactory}, which checks what is written here.
 */
final class Der {

    private static final int SEQUENCE = 0x30;
    private static final int SET = 0x31;
    private static final int BOOLEAN = 0x01;
    private static final int INTEGER = 0x02;
    private static final int BIT_STRING = 0x03;
    private static final int OCTET_STRING = 0x04;
    private static final int OID = 0x06;
    private static final int UTF8_STRING = 0x0c;
    private static final int PRINTABLE_STRING = 0x13;
    private static final int IA5_STRING = 0x16;
    private static final int UTC_TIME = 0x17;
    private static final int GENERALIZED_TIME = 0x18;

    private Der() {
    }

    /**
     * One element: the tag byte, the length in the shortest form (X.690 §10.1: short form below 128,
     * else long form with no leading zero octets), then the contents.
     */
    static byte[] tlv(int tag, byte[] contents) {
        int n = contents.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(n + 6);
        out.write(tag);
        if (n < 0x80) {
            out.write(n);
        } else {
            int octets = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
            out.write(0x80 | octets);
            for (int i = octets - 1; i >= 0; i--) out.write(n >>> (8 * i));
        }
        out.writeBytes(contents);
        return out.toByteArray();
    }

    static byte[] sequence(byte[]... members) {
        return tlv(SEQUENCE, concat(members));
    }

    /**
     * A SET OF. DER sorts a SET OF's members by their encodings (X.690 §11.6); every set written here
     * has one member, so the order is given and not sorted.
     */
    static byte[] set(byte[] member) {
        return tlv(SET, member);
    }

    static byte[] bool(boolean value) {
        return tlv(BOOLEAN, new byte[] {value ? (byte) 0xff : 0}); // DER: TRUE is all ones (X.690 §11.1)
    }

    /** Two's complement in the fewest octets (X.690 §8.3.2), which {@link BigInteger#toByteArray} gives. */
    static byte[] integer(BigInteger value) {
        return tlv(INTEGER, value.toByteArray());
    }

    static byte[] integer(long value) {
        return integer(BigInteger.valueOf(value));
    }

    /** An OBJECT IDENTIFIER from its dotted form, {@code "1.2.840.10045.4.3.2"} say (X.690 §8.19). */
    static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        if (arcs.length < 2) throw new IllegalArgumentException("an OID has at least two arcs: " + dotted);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // the first two arcs share one subidentifier: 40 * first + second
        base128(out, Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]));
        for (int i = 2; i < arcs.length; i++) base128(out, Long.parseLong(arcs[i]));
        return tlv(OID, out.toByteArray());
    }

    /** Base 128, most significant group first, the high bit set on all octets but the last. */
    private static void base128(ByteArrayOutputStream out, long value) {
        if (value < 0) throw new IllegalArgumentException("negative OID arc");
        int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(value) + 6) / 7);
        for (int i = groups - 1; i > 0; i--) out.write((int) (0x80 | (value >>> (7 * i)) & 0x7f));
        out.write((int) (value & 0x7f));
    }

    /** A BIT STRING of whole octets: the unused-bits octet is 0. */
    static byte[] bitString(byte[] bits) {
        return bitString(bits, 0);
    }

    /**
     * A BIT STRING whose last octet has {@code unusedBits} unused low bits. For a named-bit list such as
     * KeyUsage, DER drops trailing zero bits (X.690 §11.2.2), so the caller says how many are unused and
     * leaves them zero (§11.2.1).
     */
    static byte[] bitString(byte[] bits, int unusedBits) {
        if (unusedBits < 0 || unusedBits > 7 || (bits.length == 0 && unusedBits != 0)) {
            throw new IllegalArgumentException("unused bits: " + unusedBits);
        }
        byte[] contents = new byte[bits.length + 1];
        contents[0] = (byte) unusedBits;
        System.arraycopy(bits, 0, contents, 1, bits.length);
        return tlv(BIT_STRING, contents);
    }

    static byte[] octetString(byte[] octets) {
        return tlv(OCTET_STRING, octets);
    }

    static byte[] utf8String(String s) {
        return tlv(UTF8_STRING, s.getBytes(StandardCharsets.UTF_8));
    }

    /** A PrintableString: letters, digits, space and {@code '()+,-./:=?}. */
    static byte[] printableString(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || " '()+,-./:=?".indexOf(c) >= 0;
            if (!ok) throw new IllegalArgumentException("not a PrintableString character: " + c);
        }
        return tlv(PRINTABLE_STRING, s.getBytes(StandardCharsets.US_ASCII));
    }

    /** An IA5String (ASCII), the type of a dNSName (RFC 5280 §4.2.1.6). */
    static byte[] ia5String(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) throw new IllegalArgumentException("not ASCII: " + s);
        }
        return tlv(IA5_STRING, s.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * A certificate's Time (RFC 5280 §4.1.2.5): UTCTime {@code YYMMDDHHMMSSZ} through 2049, GeneralizedTime
     * {@code YYYYMMDDHHMMSSZ} from 2050 on; always UTC, always with seconds, never with fractions, so the
     * instant is truncated to the second.
     */
    static byte[] time(Instant instant) {
        ZonedDateTime t = instant.truncatedTo(ChronoUnit.SECONDS).atZone(ZoneOffset.UTC);
        int year = t.getYear();
        if (year < 1950 || year > 9999) throw new IllegalArgumentException("out of range: " + instant);
        boolean utc = year < 2050;
        StringBuilder s = new StringBuilder(15);
        // digits by hand: String.format would write the default locale's digits, which need not be ASCII
        if (utc) twoDigits(s, year % 100);
        else twoDigits(twoDigits(s, year / 100), year % 100);
        twoDigits(s, t.getMonthValue());
        twoDigits(s, t.getDayOfMonth());
        twoDigits(s, t.getHour());
        twoDigits(s, t.getMinute());
        twoDigits(s, t.getSecond());
        s.append('Z');
        return tlv(utc ? UTC_TIME : GENERALIZED_TIME, s.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private static StringBuilder twoDigits(StringBuilder s, int n) {
        return s.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
    }

    /**
     * An EXPLICIT context-specific tag {@code [n]}: constructed, wrapping the whole inner element, as
     * TBSCertificate's {@code version [0]} and {@code extensions [3]} are (RFC 5280 §4.1).
     */
    static byte[] explicit(int n, byte[] element) {
        return tlv(0xa0 | checkTag(n), element);
    }

    /**
     * An IMPLICIT context-specific tag {@code [n]} over a primitive type: the contents alone under the new
     * tag, as GeneralName's {@code dNSName [2]} (IA5String) and {@code iPAddress [7]} (OCTET STRING) are,
     * since RFC 5280's module has IMPLICIT TAGS (Appendix A.2).
     */
    static byte[] implicitPrimitive(int n, byte[] contents) {
        return tlv(0x80 | checkTag(n), contents);
    }

    private static int checkTag(int n) {
        if (n < 0 || n > 30) throw new IllegalArgumentException("tag number " + n + " needs the high-tag form");
        return n;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
