package io.sockeye.cli.browser;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One WebSocket connection to Chromium's DevTools endpoint, with the JDK's client: commands sent and their
 * replies awaited, and events delivered to whoever subscribed to them. Commands for a page carry the
 * session id that {@code Target.attachToTarget} with {@code flatten} gave it ({@code null} for the
 * browser's own). Every wait is bounded by the timeout given at {@link #connect}.
 */
final class DevTools implements AutoCloseable {

    private final Duration timeout;
    private final HttpClient client;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<Map<String, Object>>> replies = new ConcurrentHashMap<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final Object sending = new Object(); // the JDK's WebSocket takes one send at a time
    private volatile WebSocket socket;
    private volatile String closedBecause;

    private DevTools(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).connectTimeout(timeout).build();
    }

    /** Connects to {@code endpoint}, the {@code ws://} address Chromium printed. */
    static DevTools connect(URI endpoint, Duration timeout) {
        DevTools devTools = new DevTools(timeout);
        try {
            devTools.socket = await(devTools.client.newWebSocketBuilder().connectTimeout(timeout)
                    .buildAsync(endpoint, devTools.new Frames()), timeout, "the DevTools connection to " + endpoint);
            return devTools;
        } catch (RuntimeException e) {
            devTools.close();
            throw e;
        }
    }

    /**
     * Sends a command and waits for its reply.
     *
     * @param sessionId the page's session, or {@code null} for the browser
     * @return the reply's {@code result}
     * @throws IllegalStateException if Chromium answers with an error, or not within the timeout
     */
    Map<String, Object> send(String sessionId, String method, Map<String, ?> params) {
        long id = ids.incrementAndGet();
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("id", id);
        message.put("method", method);
        message.put("params", params);
        if (sessionId != null) message.put("sessionId", sessionId);
        CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
        replies.put(id, reply);
        try {
            if (closedBecause != null) throw new IllegalStateException("DevTools connection " + closedBecause + "; cannot send " + method);
            synchronized (sending) {
                await(socket.sendText(Json.write(message), true), timeout, "sending " + method);
            }
            Map<String, Object> answer = await(reply, timeout, "the reply to " + method);
            if (answer.get("error") instanceof Map<?, ?> error) {
                throw new IllegalStateException(method + " failed: " + error.get("message")
                        + (error.get("data") != null ? " (" + error.get("data") + ")" : ""));
            }
            return answer.get("result") instanceof Map<?, ?> result ? cast(result) : Map.of();
        } finally {
            replies.remove(id);
        }
    }

    /**
     * Starts collecting the events named {@code method} from {@code sessionId}: subscribe before the
     * command that causes them, so none is missed.
     */
    Subscription subscribe(String sessionId, String method) {
        Subscription s = new Subscription(sessionId, method);
        subscriptions.add(s);
        return s;
    }

    /** Events of one kind, in the order they came, until closed. */
    final class Subscription implements AutoCloseable {
        private final String sessionId;
        private final String method;
        private final BlockingQueue<Map<String, Object>> events = new LinkedBlockingQueue<>();

        private Subscription(String sessionId, String method) {
            this.sessionId = sessionId;
            this.method = method;
        }

        /**
         * @return the next event's params, waiting until {@code deadline} (a {@link System#nanoTime()})
         * @throws IllegalStateException if none came by then
         */
        Map<String, Object> next(long deadline) {
            try {
                Map<String, Object> event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (event != null) return event;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("no " + method + " event in time"
                    + (closedBecause != null ? "; the DevTools connection " + closedBecause : ""));
        }

        @Override
        public void close() {
            subscriptions.remove(this);
        }
    }

    /** Waits for {@code future} at most {@code timeout}; {@code what} names it in the exception. */
    static <T> T await(CompletionStage<T> future, Duration timeout, String what) {
        try {
            return future.toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no " + what + " within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    @Override
    public void close() {
        closed("was closed");
        WebSocket s = socket;
        if (s != null) s.abort(); // Chromium is killed next: no closing handshake to wait for
        client.shutdownNow();
    }

    private void closed(String because) {
        if (closedBecause == null) closedBecause = because;
        IllegalStateException e = new IllegalStateException("DevTools connection " + closedBecause);
        replies.values().forEach(r -> r.completeExceptionally(e));
    }

    private void received(String text) {
        Map<String, Object> message = cast((Map<?, ?>) Json.parse(text));
        if (message.get("id") instanceof Number id) {
            CompletableFuture<Map<String, Object>> reply = replies.get(id.longValue());
            if (reply != null) reply.complete(message);
        } else if (message.get("method") instanceof String method) {
            Map<String, Object> params = message.get("params") instanceof Map<?, ?> p ? cast(p) : Map.of();
            Object sessionId = message.get("sessionId");
            for (Subscription s : subscriptions) {
                if (s.method.equals(method) && Objects.equals(s.sessionId, sessionId)) s.events.add(params);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    /** The socket's listener: a message may come in several frames, and each is asked for in turn. */
    private final class Frames implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                String text = message.toString();
                message.setLength(0);
                try {
                    received(text);
                } catch (RuntimeException e) { // a reply we cannot read: say so to whoever waits, rather than lose it
                    closed("sent what we cannot read: " + e.getMessage());
                    webSocket.abort();
                    return null;
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed("closed by Chromium (" + statusCode + " " + reason + ")");
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed("failed: " + error);
        }
    }
}
