/** The {@code sockeye} command-line server. */
module io.sockeye.cli {
    requires io.sockeye;
    requires io.sockeye.files;
    requires io.sockeye.cgi;
    requires info.picocli;
    requires java.logging;
    requires jdk.unsupported; // sun.misc.Signal: a second Ctrl-C stops at once (see Interrupts)

    opens io.sockeye.cli to info.picocli;
}
