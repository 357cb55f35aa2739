/** The {@code sockeye} command-line server. */
@SuppressWarnings("requires-automatic") // bcrypt's jar names no module; it is shaded into the one jar anyway
module io.sockeye.cli {
    requires io.sockeye;
    requires io.sockeye.files;
    requires io.sockeye.cgi;
    requires info.picocli;
    requires bcrypt;
    requires java.logging;
    requires jdk.unsupported; // sun.misc.Signal: a second Ctrl-C stops at once (see Interrupts)

    opens io.sockeye.cli to info.picocli;
}
