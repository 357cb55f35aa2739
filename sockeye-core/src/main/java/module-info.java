/**
 * Sockeye's core: an HTTP/1.1 server built from the socket up, with no dependencies beyond the JDK.
 *
 * <p>{@code io.sockeye} is the API an application embeds (handlers, requests, responses, routing and
 * the server itself); {@code io.sockeye.testing} tests handlers without a server (a request builder and a
 * response recorder); {@code io.sockeye.tcp} is the reusable TCP server the HTTP engine runs on, for
 * programs that speak their own protocol. The HTTP/1.1 wire code ({@code io.sockeye.http1}) and the TLS
 * layer under it ({@code io.sockeye.tls}: the engine-backed channel, PEM files, the certificate chooser)
 * are internal; TLS is configured through {@link io.sockeye.TlsConfig}.
 */
module io.sockeye {
    exports io.sockeye;
    exports io.sockeye.tcp;
    exports io.sockeye.testing;
}
