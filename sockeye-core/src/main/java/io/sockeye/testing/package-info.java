/**
 * Testing handlers without a server, as Go's {@code httptest} does: {@link io.sockeye.testing.TestRequest}
 * makes up a request, {@link io.sockeye.testing.ResponseRecorder} runs a handler on it and records the
 * response, as a {@link io.sockeye.testing.RecordedResponse}. No socket, no thread, no port: a handler is
 * unit-tested in one line.
 *
 * <pre>{@code
 * Handler hello = (req, res) -> res.send("Hello, " + req.query().first("name").orElse("world"));
 *
 * // in a JUnit test:
 * assertEquals("Hello, Ann", ResponseRecorder.record(hello, TestRequest.get("/hello?name=Ann")).bodyText());
 * }</pre>
 *
 * <p>Both sides are the server's own code, run in memory. The request's head is read by the server's
 * parser, under a {@link io.sockeye.ServerConfig}'s limits, so a request the server would refuse cannot be
 * made up (the builder says which status it would get); its path, query, body and form are decoded as on a
 * server. The response is the server's HTTP/1.1 response writing into a byte array, and what is recorded
 * is read back from those bytes: the status, the fields (with {@code Content-Length}, {@code Date} and the
 * others the server adds) and the body as a client would receive them.
 *
 * <p>Exceptions: an {@link io.sockeye.HttpException} from the handler is recorded as the response the
 * server makes of it (its status and error page); anything else, which a server answers with a 500 and a
 * log line, is thrown to the test.
 */
package io.sockeye.testing;
