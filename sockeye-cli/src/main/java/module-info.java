/** The {@code sockeye} command-line server. */
module io.sockeye.cli {
    requires io.sockeye;
    requires io.sockeye.files;
    requires io.sockeye.cgi;
    requires info.picocli;
    requires java.logging;

    opens io.sockeye.cli to info.picocli;
}
