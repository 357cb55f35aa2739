package io.sockeye;

/**
 * Limits on what {@link Request#form()} accepts, on top of {@link ServerConfig#maxBodyBytes()} for the
 * whole body. Breaking one is a 413; a malformed body is a 400.
 *
 * @param maxFields          most text fields (and, in multipart, parts of any kind)
 * @param maxFieldBytes      largest text field value
 * @param maxFileBytes       largest uploaded file
 * @param maxPartHeaderBytes largest header section of a multipart part
 * @param memoryThreshold    files up to this size are kept in memory; larger ones go to a temporary file
 */
public record FormLimits(int maxFields, long maxFieldBytes, long maxFileBytes, int maxPartHeaderBytes, long memoryThreshold) {

    /** Checks the values. */
    public FormLimits {
        if (maxFields < 1 || maxFieldBytes < 1 || maxFileBytes < 0 || maxPartHeaderBytes < 64 || memoryThreshold < 0) {
            throw new IllegalArgumentException("form limits must be positive");
        }
    }

    /**
     * 1,000 fields, 1 MiB per field, files as large as the body limit allows, 8 KiB of part headers,
     * files over 64 KiB on disk.
     *
     * @return the defaults
     */
    public static FormLimits defaults() {
        return new FormLimits(1000, 1 << 20, Long.MAX_VALUE, 8192, 64 * 1024);
    }
}
