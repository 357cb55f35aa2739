package io.sockeye;

/** Sockeye's version, for the {@code Server} field and {@code --version}. */
public final class Version {

    /** The release this build belongs to. */
    public static final String VERSION = "0.1.0";

    private Version() {
    }
}
