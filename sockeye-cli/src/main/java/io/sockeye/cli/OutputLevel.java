package io.sockeye.cli;

import java.util.Locale;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** jwebserver's {@code -o/--output} levels, which map onto {@code -q} and {@code -v}. */
enum OutputLevel {
    /** No access log: {@code -q}. */
    NONE,
    /** The access log and the server's messages: the default. */
    INFO,
    /** With debug detail too: {@code -v}. */
    VERBOSE;

    /** Reads the level in any case, naming the three in its error. */
    static final class Converter implements ITypeConverter<OutputLevel> {
        @Override
        public OutputLevel convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "none" -> NONE;
                case "info" -> INFO;
                case "verbose" -> VERBOSE;
                default -> throw new TypeConversionException("--output is none, info or verbose, not '" + value + "'");
            };
        }
    }
}
