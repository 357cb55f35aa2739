package io.sockeye.cgi;

import io.sockeye.Headers;

/**
 * The header section of a script's output (RFC 3875 §6), interpreted.
 *
 * @param status   the status: from {@code Status}, else 302 for a client redirect, else 200
 * @param headers  the fields to pass on to the client ({@code Status} removed, hop-by-hop fields dropped)
 * @param location the {@code Location} value, or {@code null}
 * @param localRedirect whether this is a local redirect (§6.2.2): a path, no Status, nothing else to send
 */
record CgiResponseHead(int status, Headers headers, String location, boolean localRedirect) {
}
