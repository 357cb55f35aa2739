package io.sockeye;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import io.sockeye.form.PercentDecoder;

/**
 * Sends each request to the handler registered for its method and path; a handler itself.
 *
 * <pre>{@code
 * Router router = Router.create()
 *         .get("/", (req, res) -> res.send("text/html", "<h1>Home</h1>"))
 *         .get("/users/{id}", (req, res) -> res.send("user " + req.pathParameter("id")))
 *         .post("/users", createUser)
 *         .mount("/static/", fileHandler);   // everything under /static/, any method
 * }</pre>
 *
 * <h2>Patterns</h2>
 * A pattern is a path whose segments are literal ({@code users}), a parameter ({@code {id}}, one
 * segment) or, last, a rest parameter ({@code {path...}}, the rest of the path after its slash, possibly
 * empty). Segments
 * are compared percent-decoded, and parameters are decoded, one segment at a time, so {@code %2F} inside
 * a segment stays inside it. A mount is a prefix ({@code /static/}, or {@code /static}: the same); the mounted handler sees the prefix
 * as {@link Request#mountPath()}. A router mounted in another routes the path below its mount point, so
 * routers nest.
 *
 * <h2>Canonical paths</h2>
 * A path with empty, {@code .} or {@code ..} segments ({@code //a}, {@code /a/./b}, {@code /a/../b}) is
 * not routed but redirected to its canonical form (301, or 308 for methods other than GET and HEAD), so
 * that no handler can be reached by a path that only resolves to its prefix later.
 *
 * <h2>Which handler answers</h2>
 * Among the routes whose path matches, an exact path beats a pattern, a pattern beats a mount, and a
 * longer mount beats a shorter one; the first of these whose method matches answers (a {@code GET} route
 * also answers {@code HEAD}; a mount answers every method). If paths matched but no method did, the reply
 * is 405 with {@code Allow} ({@code OPTIONS} gets 204 with {@code Allow}). A mount's prefix without its
 * slash ({@code /static}) that no route matched gets a 301 to the prefix, even where a shorter mount
 * ({@code /}) would match it; anything else, the
 * {@linkplain #notFound(Handler) not-found handler} (a 404 by default).
 *
 * <p>Configure the router before the server starts; it is then safe for concurrent use.
 */
public final class Router implements Handler {

    private record Route(String method, Pattern pattern, Handler handler) {
    }

    private record Mount(String prefix, String mountPath, Handler handler) {
    }

    private final Map<String, List<Route>> exact = new HashMap<>();
    private final List<Route> patterns = new ArrayList<>();
    private final List<Mount> mounts = new ArrayList<>();
    private Handler notFound = (req, res) -> res.sendError(Status.NOT_FOUND, null);

    private Router() {
    }

    /** @return a router with no routes */
    public static Router create() {
        return new Router();
    }

    /** Routes {@code GET} (and so {@code HEAD}) requests for a pattern. @param pattern the path pattern @param handler the handler @return this */
    public Router get(String pattern, Handler handler) {
        return route("GET", pattern, handler);
    }

    /** Routes {@code POST} requests for a pattern. @param pattern the path pattern @param handler the handler @return this */
    public Router post(String pattern, Handler handler) {
        return route("POST", pattern, handler);
    }

    /** Routes {@code PUT} requests for a pattern. @param pattern the path pattern @param handler the handler @return this */
    public Router put(String pattern, Handler handler) {
        return route("PUT", pattern, handler);
    }

    /** Routes {@code DELETE} requests for a pattern. @param pattern the path pattern @param handler the handler @return this */
    public Router delete(String pattern, Handler handler) {
        return route("DELETE", pattern, handler);
    }

    /** Routes {@code PATCH} requests for a pattern. @param pattern the path pattern @param handler the handler @return this */
    public Router patch(String pattern, Handler handler) {
        return route("PATCH", pattern, handler);
    }

    /**
     * Routes requests with a method, or with any method if {@code method} is {@code "*"}, for a pattern.
     *
     * @param method  a method token, or {@code "*"}
     * @param pattern the path pattern
     * @param handler the handler
     * @return this
     * @throws IllegalArgumentException if the pattern is malformed
     */
    public Router route(String method, String pattern, Handler handler) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(handler, "handler");
        Pattern p = Pattern.compile(pattern);
        Route route = new Route(method, p, handler);
        if (p.isLiteral()) exact.computeIfAbsent(p.literal(), k -> new ArrayList<>()).add(route);
        else patterns.add(route);
        return this;
    }

    /**
     * Sends every request whose path starts with {@code prefix} to {@code handler}, whatever its method.
     *
     * @param prefix  a path, as {@code /static/} or {@code /static} (the same mount: it covers
     *                {@code /static/...}, and {@code /static} itself is redirected to {@code /static/});
     *                {@code /} mounts everything
     * @param handler the handler; it sees the prefix (without its slash) as {@link Request#mountPath()}
     * @return this
     * @throws IllegalArgumentException if the prefix does not start with {@code /}
     */
    public Router mount(String prefix, Handler handler) {
        Objects.requireNonNull(handler, "handler");
        if (!prefix.startsWith("/")) {
            throw new IllegalArgumentException("a mount prefix starts with '/': " + prefix);
        }
        if (!prefix.endsWith("/")) prefix += "/";
        mounts.add(new Mount(prefix, prefix.substring(0, prefix.length() - 1), handler));
        mounts.sort(Comparator.comparingInt((Mount m) -> m.prefix.length()).reversed());
        return this;
    }

    /**
     * @param handler what answers requests no route matches
     * @return this
     */
    public Router notFound(Handler handler) {
        this.notFound = Objects.requireNonNull(handler, "handler");
        return this;
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        String method = request.method();
        String raw = request.rawPath();
        if (!raw.equals("*")) {
            String canonical = RequestPaths.canonical(raw);
            if (!canonical.equals(raw)) {
                // Route only canonical paths, as Go's ServeMux does: "/x/../cgi-bin/a" must not reach the
                // handler mounted at "/" (which would see "cgi-bin/a" once it resolves the dots itself).
                String query = request.rawQuery();
                boolean safe = method.equals("GET") || method.equals("HEAD");
                response.redirect(safe ? Status.MOVED_PERMANENTLY : Status.PERMANENT_REDIRECT,
                        canonical + (query == null ? "" : "?" + query));
                return;
            }
        }
        if (raw.equals("*")) {
            serverWide(method, response);
            return;
        }
        // A router mounted under another routes what is below its mount point
        String path = request.pathWithinMount();
        String mountPath = request.mountPath();
        TreeSet<String> allowed = null;

        List<Route> candidates = exact.get(path);
        if (candidates != null) {
            for (Route r : candidates) {
                if (methodMatches(r.method, method)) {
                    r.handler.handle(request, response);
                    return;
                }
            }
            allowed = addMethods(allowed, candidates);
        }
        if (!patterns.isEmpty()) {
            String[] segments = segmentsBelow(raw, mountPath);
            for (Route r : patterns) {
                Map<String, String> params = r.pattern.match(segments);
                if (params == null) continue;
                if (methodMatches(r.method, method)) {
                    r.handler.handle(new RoutedRequest(request, mountPath, params), response);
                    return;
                }
                allowed = addMethods(allowed, List.of(r));
            }
        }
        for (Mount m : mounts) { // longest first
            if (path.startsWith(m.prefix)) {
                m.handler.handle(new RoutedRequest(request, mountPath + m.mountPath, Map.of()), response);
                return;
            }
            if (allowed == null && path.equals(m.mountPath) && !m.mountPath.isEmpty()) {
                // "/static" belongs to the "/static/" mount, not to a shorter one ("/") that also matches
                String query = request.rawQuery();
                response.redirect(Status.MOVED_PERMANENTLY, raw + "/" + (query == null ? "" : "?" + query));
                return;
            }
        }
        if (allowed != null) {
            if (allowed.contains("GET")) allowed.add("HEAD");
            allowed.add("OPTIONS");
            response.header("Allow", String.join(", ", allowed));
            if (method.equals("OPTIONS")) {
                response.status(Status.NO_CONTENT).send(new byte[0]);
            } else {
                response.sendError(Status.METHOD_NOT_ALLOWED, method + " is not allowed here");
            }
            return;
        }
        notFound.handle(request, response);
    }

    /**
     * {@code OPTIONS *} asks about the server as a whole (RFC 9110 §9.3.7): 204 with {@code Allow}, every
     * method a route here takes (a mounted router's routes included); a mounted handler of another kind is
     * taken to accept GET, HEAD and POST (as the file and CGI handlers do). Any other method with {@code *}
     * is 400: it names no resource.
     */
    private void serverWide(String method, Response response) throws java.io.IOException {
        if (!method.equals("OPTIONS")) {
            response.sendError(Status.BAD_REQUEST, "the request-target * is only for OPTIONS");
            return;
        }
        TreeSet<String> allowed = methods(new TreeSet<>());
        if (allowed.contains("GET")) allowed.add("HEAD");
        allowed.add("OPTIONS");
        response.header("Allow", String.join(", ", allowed));
        response.status(Status.NO_CONTENT).send(new byte[0]);
    }

    private TreeSet<String> methods(TreeSet<String> into) {
        for (List<Route> routes : exact.values()) addMethods(into, routes);
        addMethods(into, patterns);
        for (Mount m : mounts) {
            if (m.handler instanceof Router r) r.methods(into);
            else into.addAll(List.of("GET", "HEAD", "POST"));
        }
        return into;
    }

    private static boolean methodMatches(String routeMethod, String method) {
        return routeMethod.equals(method) || routeMethod.equals("*") || (routeMethod.equals("GET") && method.equals("HEAD"));
    }

    private static TreeSet<String> addMethods(TreeSet<String> allowed, List<Route> routes) {
        TreeSet<String> set = allowed == null ? new TreeSet<>() : allowed;
        for (Route r : routes) {
            if (!r.method.equals("*")) set.add(r.method);
        }
        return set;
    }

    /** The raw path's segments below the mount point (mount prefixes are whole segments). */
    private static String[] segmentsBelow(String rawPath, String mountPath) {
        if (!rawPath.startsWith("/")) return new String[0];
        String[] all = rawPath.substring(1).split("/", -1);
        if (mountPath.isEmpty()) return all;
        int skip = 0;
        for (int i = 0; i < mountPath.length(); i++) {
            if (mountPath.charAt(i) == '/') skip++;
        }
        return skip >= all.length ? new String[] {""} : java.util.Arrays.copyOfRange(all, skip, all.length);
    }

    /** A compiled path pattern. */
    private record Pattern(String source, String[] parts, boolean rest) {

        static Pattern compile(String source) {
            if (!source.startsWith("/")) throw new IllegalArgumentException("a pattern starts with '/': " + source);
            String[] parts = source.substring(1).split("/", -1);
            boolean rest = false;
            java.util.Set<String> names = new java.util.HashSet<>();
            for (int i = 0; i < parts.length; i++) {
                String p = parts[i];
                if (p.startsWith("{") && p.endsWith("}")) {
                    String name = p.substring(1, p.length() - 1);
                    if (name.endsWith("...")) {
                        if (i != parts.length - 1) throw new IllegalArgumentException("{name...} must be last: " + source);
                        rest = true;
                        name = name.substring(0, name.length() - 3);
                    }
                    if (name.isEmpty()) throw new IllegalArgumentException("unnamed parameter in " + source);
                    if (name.contains("{") || name.contains("}")) throw new IllegalArgumentException("brace inside a parameter name: " + source);
                    if (!names.add(name)) throw new IllegalArgumentException("parameter named twice: " + source);
                } else if (p.contains("{") || p.contains("}")) {
                    throw new IllegalArgumentException("a parameter must be a whole segment: " + source);
                }
            }
            return new Pattern(source, parts, rest);
        }

        boolean isLiteral() {
            for (String p : parts) {
                if (p.startsWith("{")) return false;
            }
            return true;
        }

        String literal() {
            return source;
        }

        /** @return the parameters if the raw segments match, else {@code null} */
        Map<String, String> match(String[] segments) {
            int fixed = rest ? parts.length - 1 : parts.length;
            // a rest parameter needs its slash: /files/{p...} matches /files/ but not /files
            if (rest ? segments.length < parts.length : segments.length != fixed) return null;
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < fixed; i++) {
                String p = parts[i];
                String decoded = PercentDecoder.decode(segments[i], false, "path");
                if (p.startsWith("{")) {
                    if (decoded.isEmpty()) return null;
                    params.put(p.substring(1, p.length() - 1), decoded);
                } else if (!p.equals(decoded)) {
                    return null;
                }
            }
            if (rest) {
                String name = parts[parts.length - 1];
                StringBuilder sb = new StringBuilder();
                for (int i = fixed; i < segments.length; i++) {
                    if (i > fixed) sb.append('/');
                    sb.append(PercentDecoder.decode(segments[i], false, "path"));
                }
                params.put(name.substring(1, name.length() - 4), sb.toString());
            }
            return params;
        }
    }
}
