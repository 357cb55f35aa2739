package io.sockeye.cli.browser;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A browser tab, driven as a user would drive it (load a URL, type, click) and inspected with JavaScript.
 * Made by {@link Chromium#open}; every wait is bounded by the browser's timeout.
 */
public final class Page implements AutoCloseable {

    /** How often {@link #waitFor} asks again: often enough to add little to a test's time. */
    private static final Duration POLL = Duration.ofMillis(50);

    private final DevTools devTools;
    private final String targetId;
    private final String sessionId;
    private final Duration timeout;

    private Page(DevTools devTools, String targetId, String sessionId, Duration timeout) {
        this.devTools = devTools;
        this.targetId = targetId;
        this.sessionId = sessionId;
        this.timeout = timeout;
    }

    /** A new blank tab, with a session of its own on the browser's connection. */
    static Page create(DevTools devTools, Duration timeout) {
        String targetId = (String) devTools.send(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId");
        try {
            // flatten: the tab's commands go over this same connection, tagged with the session id
            String sessionId = (String) devTools.send(null, "Target.attachToTarget",
                    Map.of("targetId", targetId, "flatten", true)).get("sessionId");
            Page page = new Page(devTools, targetId, sessionId, timeout);
            page.send("Page.enable", Map.of());
            page.send("Page.setLifecycleEventsEnabled", Map.of("enabled", true)); // for navigate's wait
            return page;
        } catch (RuntimeException e) {
            try {
                devTools.send(null, "Target.closeTarget", Map.of("targetId", targetId));
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /**
     * Loads {@code url} in this tab and waits for its load event (the page and what it embeds, images
     * included).
     *
     * @throws IllegalStateException if the page cannot be loaded (a refused connection, a certificate
     *         Chromium does not trust: {@code net::ERR_...}), or does not finish loading in time
     */
    public void navigate(String url) {
        try (DevTools.Subscription lifecycle = devTools.subscribe(sessionId, "Page.lifecycleEvent")) {
            long deadline = System.nanoTime() + timeout.toNanos();
            Map<String, Object> started = send("Page.navigate", Map.of("url", url));
            if (started.get("errorText") instanceof String error) throw new IllegalStateException("cannot load " + url + ": " + error);
            // the load event of this navigation's document, not of the one it replaces
            Object loaderId = started.get("loaderId");
            if (loaderId == null) return; // within the same document (a #fragment): nothing to load
            while (true) {
                Map<String, Object> event = lifecycle.next(deadline);
                if ("load".equals(event.get("name")) && loaderId.equals(event.get("loaderId"))) return;
            }
        }
    }

    /**
     * Evaluates JavaScript in the page, as the console would: a promise is awaited, and the value comes
     * back as JSON does (objects as maps, arrays as lists, numbers as {@code Long} or {@code Double}).
     *
     * @return the value, or {@code null} for {@code undefined}
     * @throws IllegalStateException if the script throws (or its promise rejects), with the exception's text
     */
    public Object evaluate(String expression) {
        Map<String, Object> reply = send("Runtime.evaluate", Map.of("expression", expression, "awaitPromise", true,
                "returnByValue", true, "userGesture", true));
        if (reply.get("exceptionDetails") instanceof Map<?, ?> details) {
            Object description = details.get("exception") instanceof Map<?, ?> e ? e.get("description") : null;
            throw new IllegalStateException("the script threw " + (description != null ? description : details.get("text"))
                    + "\nscript: " + expression);
        }
        return reply.get("result") instanceof Map<?, ?> result ? result.get("value") : null;
    }

    /**
     * Waits until {@code condition}, a JavaScript expression, is {@code true}: asked again and again, in
     * whatever document the tab holds by then, so it also waits out a navigation (a form sent, a link
     * followed) during which the page has no document to ask.
     *
     * @throws IllegalStateException if it is not true within the timeout, with its last value or error
     */
    public void waitFor(String condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object last;
        while (true) {
            try {
                last = evaluate(condition);
                if (Boolean.TRUE.equals(last)) return;
            } catch (IllegalStateException e) { // e.g. the old document gone, the new one not there yet
                last = e.getMessage();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("not true within " + timeout.toMillis() + " ms: " + condition + " (last: " + last + ")");
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + condition, e);
            }
        }
    }

    /** Types {@code text} into the element {@code selector} finds, after what it holds, as a keyboard would. */
    public void type(String selector, String text) {
        // the caret at the end; fields without one (email, number) throw, and take the text where it is
        evaluate("(() => { const e = " + find(selector) + "; e.focus();"
                + " try { e.setSelectionRange(e.value.length, e.value.length); } catch { } })()");
        send("Input.insertText", Map.of("text", text)); // as an input method does: any character, emoji included
    }

    /** Clicks the middle of the element {@code selector} finds, with the mouse, scrolling it into view first. */
    public void click(String selector) {
        Object at = evaluate("(() => { const e = " + find(selector) + "; e.scrollIntoView({block: 'center'});"
                + " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()");
        List<?> xy = (List<?>) at;
        for (String type : List.of("mouseMoved", "mousePressed", "mouseReleased")) {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("type", type);
            event.put("x", xy.get(0));
            event.put("y", xy.get(1));
            if (!type.equals("mouseMoved")) {
                event.put("button", "left");
                event.put("clickCount", 1);
            }
            send("Input.dispatchMouseEvent", event);
        }
    }

    /**
     * Sends any DevTools command to this tab (for what the methods above do not cover, such as
     * {@code DOM.setFileInputFiles}).
     *
     * @return the reply's result
     */
    public Map<String, Object> send(String method, Map<String, ?> params) {
        return devTools.send(sessionId, method, params);
    }

    /** Closes the tab. */
    @Override
    public void close() {
        devTools.send(null, "Target.closeTarget", Map.of("targetId", targetId));
    }

    /** @return JavaScript that finds the element, or throws saying which was not found */
    private static String find(String selector) {
        String quoted = Json.write(selector);
        return "(document.querySelector(" + quoted + ") ?? (() => { throw new Error('no element ' + " + quoted + "); })())";
    }
}
