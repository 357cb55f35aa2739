package io.sockeye;

/**
 * The form of the access log's messages (see {@link ServerConfig#accessLog()}): one message per exchange,
 * to the {@code System.Logger} named {@code io.sockeye.access} at INFO. In either form, text the client
 * controls is escaped, so that a request cannot forge a log line or write control characters to a terminal.
 */
public enum AccessLogFormat {
    /**
     * Apache's Combined Log Format: {@code host - - [time] "request-line" status bytes "referer" "user-agent"},
     * with {@code \"}, {@code \\} and {@code \xhh} escapes for quotes, backslashes, control characters and
     * bytes outside ASCII, and {@code -} for what is missing (no body sent, no Referer).
     */
    COMBINED,
    /**
     * One JSON object (RFC 8259) per message, on one line, for log collectors:
     * <pre>{@code
     * {"time":"2026-12-06T03:04:05.678Z","remote":"127.0.0.1","method":"GET","target":"/a?b=1","protocol":"HTTP/1.1",
     *  "status":200,"bytes":1234,"referer":null,"user_agent":"curl/8.5.0","duration_ms":0.412}
     * }</pre>
     * {@code time} is when the response ended (UTC, ISO 8601); {@code bytes} counts the body bytes sent;
     * {@code duration_ms} runs from the end of the request head to the end of the response.
     * {@code method}, {@code target} and {@code protocol} are {@code null} for a request refused before its
     * request-line could be parsed, whose first line (if any) is then in {@code request}. Strings carry the
     * request's bytes as ISO-8859-1 characters, escaped as JSON requires ({@code \"}, {@code \\},
     * {@code \n}, {@code \}{@code u00XX} for other control characters); characters outside ASCII are
     * written as {@code \}{@code uXXXX} too, so each message is plain ASCII.
     */
    JSON
}
