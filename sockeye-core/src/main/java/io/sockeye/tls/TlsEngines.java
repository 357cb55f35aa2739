package io.sockeye.tls;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import io.sockeye.TlsConfig;

/**
 * Makes the server-side {@link SSLEngine} of each connection from a {@link TlsConfig}: the protocol
 * versions and suites asked for, narrowed once to what this JDK supports, and ALPN; and the
 * {@link TlsChannel} around it, whose handshakes share this server's {@link HandshakeWorkers}, which
 * {@link #close()} lets go when the server stops.
 */
public final class TlsEngines implements AutoCloseable {

    /**
     * ALPN (RFC 7301), in the server's order of preference: HTTP/1.1, and HTTP/1.0 for a client that offers
     * only that (served by the same HTTP/1.1 code, as nginx does), rather than a no_application_protocol
     * alert. (h2 joins when HTTP/2 exists.)
     */
    private static final String[] APPLICATION_PROTOCOLS = {"http/1.1", "http/1.0"};

    private final SSLContext context;
    private final SSLParameters parameters;
    private final HandshakeWorkers workers = new HandshakeWorkers();

    /**
     * @throws IllegalArgumentException if this JDK supports none of the protocols or none of the suites
     */
    public TlsEngines(TlsConfig config) {
        // Client-initiated renegotiation (TLS 1.2) lets a client make the server redo a handshake's costly
        // part at will; TlsChannel refuses it, and the JDK is told to as well, unless the application
        // chose otherwise (a JVM-wide setting, read by the JDK when TLS is first used)
        if (System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation") == null) {
            System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
        }
        this.context = config.context();
        SSLParameters supported = context.getSupportedSSLParameters();
        String[] protocols = keep(config.protocols(), supported.getProtocols());
        String[] suites = keep(config.cipherSuites(), supported.getCipherSuites());
        if (protocols.length == 0) {
            throw new IllegalArgumentException("this JDK supports none of the TLS versions asked for: " + config.protocols());
        }
        if (suites.length == 0) {
            throw new IllegalArgumentException("this JDK supports none of the cipher suites asked for: " + config.cipherSuites());
        }
        SSLParameters p = context.getDefaultSSLParameters();
        p.setProtocols(protocols);
        p.setCipherSuites(suites);
        p.setApplicationProtocols(APPLICATION_PROTOCOLS);
        // a matcher that accepts every name makes the JDK keep the SNI in the session, and refuse to
        // resume a session under another name (RFC 6066 §3): a full handshake with the right certificate
        p.setSNIMatchers(List.of(javax.net.ssl.SNIHostName.createSNIMatcher("(?s).*")));
        // the server's order (the configured list's): every suite in the default list is strong, but a
        // client listing DHE first would otherwise get a finite-field exchange, several times the CPU of
        // ECDHE for the server; and testssl.sh rates "no server cipher order" as a finding. Go's server
        // decides too.
        p.setUseCipherSuitesOrder(true);
        switch (config.clientAuth()) {
            case REQUIRED -> p.setNeedClientAuth(true);
            case OPTIONAL -> p.setWantClientAuth(true);
            case NONE -> { }
        }
        this.parameters = p;
    }

    /**
     * @param socket   the connected socket, in blocking mode
     * @param received what was read from it already (see {@link TlsChannel#readFirstBytes}), in read mode
     * @return the connection's TLS channel, with a new engine, its handshake not begun
     */
    public TlsChannel channel(SocketChannel socket, ByteBuffer received) {
        return new TlsChannel(socket, create(), received, workers);
    }

    /** Ends the handshake workers once the steps already handed to them are done (the server has stopped). */
    @Override
    public void close() {
        workers.close();
    }

    /** @return a new server-mode engine, its handshake not begun */
    SSLEngine create() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setSSLParameters(parameters);
        return engine;
    }

    private static String[] keep(List<String> wanted, String[] available) {
        Set<String> have = new HashSet<>(Arrays.asList(available));
        List<String> kept = new ArrayList<>();
        for (String w : wanted) if (have.contains(w)) kept.add(w);
        return kept.toArray(String[]::new);
    }

    @Override
    public String toString() {
        return Arrays.toString(parameters.getProtocols());
    }
}
