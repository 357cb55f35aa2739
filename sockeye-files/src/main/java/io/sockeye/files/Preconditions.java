package io.sockeye.files;

import java.time.Instant;

import io.sockeye.HttpDate;
import io.sockeye.Request;

/**
 * Conditional requests (RFC 9110 §13), evaluated in the order §13.2.2 prescribes: {@code If-Match}, else
 * {@code If-Unmodified-Since}; then {@code If-None-Match}, else {@code If-Modified-Since}. {@code If-Range}
 * is separate ({@link #rangeApplies}), since it only decides whether a Range is honoured.
 */
final class Preconditions {

    /** What the conditions say to do. */
    enum Outcome { PROCEED, NOT_MODIFIED, PRECONDITION_FAILED }

    private Preconditions() {
    }

    /**
     * @param request      the request, GET or HEAD
     * @param etag         the representation's entity tag, quoted (weak ones start with {@code W/})
     * @param lastModified when it last changed, to the second
     * @return the outcome
     */
    static Outcome evaluate(Request request, String etag, Instant lastModified) {
        String ifMatch = request.header("If-Match");
        if (ifMatch != null) {
            if (!matches(ifMatch, etag, false)) return Outcome.PRECONDITION_FAILED;
        } else {
            Instant since = HttpDate.parse(request.header("If-Unmodified-Since"));
            if (since != null && lastModified.isAfter(since)) return Outcome.PRECONDITION_FAILED;
        }
        String ifNoneMatch = request.header("If-None-Match");
        if (ifNoneMatch != null) {
            if (matches(ifNoneMatch, etag, true)) return Outcome.NOT_MODIFIED; // GET and HEAD only reach here
        } else {
            Instant since = HttpDate.parse(request.header("If-Modified-Since"));
            if (since != null && !lastModified.isAfter(since)) return Outcome.NOT_MODIFIED;
        }
        return Outcome.PROCEED;
    }

    /**
     * §13.1.5: a Range is honoured only if {@code If-Range} is absent or still matches: a strong entity
     * tag, or exactly the Last-Modified date.
     */
    static boolean rangeApplies(Request request, String etag, Instant lastModified) {
        String ifRange = request.header("If-Range");
        if (ifRange == null) return true;
        String v = ifRange.strip();
        if (v.startsWith("\"")) return v.equals(etag);
        if (v.startsWith("W/")) return false; // a weak tag never matches for ranges
        Instant date = HttpDate.parse(v);
        return date != null && date.equals(lastModified);
    }

    /**
     * Compares an entity-tag list (§8.8.3) with our tag: {@code *} matches anything; weak comparison
     * ignores {@code W/}; strong comparison requires both tags strong and equal.
     */
    static boolean matches(String list, String etag, boolean weak) {
        String v = list.strip();
        if (v.equals("*")) return true;
        boolean ourWeak = etag.startsWith("W/");
        String opaque = ourWeak ? etag.substring(2) : etag;
        int i = 0;
        int n = v.length();
        while (i < n) {
            while (i < n && (v.charAt(i) == ' ' || v.charAt(i) == '\t' || v.charAt(i) == ',')) i++;
            if (i >= n) break;
            boolean isWeak = v.startsWith("W/", i);
            if (isWeak) i += 2;
            if (i >= n || v.charAt(i) != '"') return false; // malformed: no match
            int close = v.indexOf('"', i + 1);
            if (close < 0) return false;
            String tag = v.substring(i, close + 1);
            if (tag.equals(opaque) && (weak || (!isWeak && !ourWeak))) return true;
            i = close + 1;
        }
        return false;
    }
}
