package io.sockeye;

/**
 * A request that cannot be served, and the status that says why. Thrown by the server's parsers (400,
 * 413, 431, ...) and by handlers that want to stop with an error: the server turns it into a response
 * with that status and a short error page showing the message, if nothing was sent yet (see
 * {@link Response#sendError(int, String)}).
 *
 * <p>The message is sent to the client, so it must not hold secrets or file system paths; it is also
 * what the server's log line says.
 */
public class HttpException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    /**
     * @param status  a 4xx or 5xx status
     * @param message a short, public explanation
     */
    public HttpException(int status, String message) {
        super(message);
        if (status < 400 || status > 599) throw new IllegalArgumentException("not an error status: " + status);
        this.status = status;
    }

    /**
     * @param status  a 4xx or 5xx status
     * @param message a short, public explanation
     * @param cause   what went wrong underneath, for the log only
     */
    public HttpException(int status, String message, Throwable cause) {
        this(status, message);
        initCause(cause);
    }

    /** @return the status the response gets */
    public int status() {
        return status;
    }
}
