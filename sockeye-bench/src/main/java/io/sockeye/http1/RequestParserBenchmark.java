package io.sockeye.http1;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The request head's cost: finding its end and parsing it, as a connection does for every request.
 *
 * <pre>java -jar sockeye-bench/target/benchmarks.jar RequestParserBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RequestParserBenchmark {

    /** wrk's request, and what a browser sends for a page. */
    @Param({"wrk", "browser"})
    public String request;

    private byte[] bytes;
    private HeadScanner scanner;
    private RequestParser parser;

    @Setup
    public void setUp() {
        String head = switch (request) {
            case "wrk" -> "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
            case "browser" -> "GET /static/css/site.css?v=42 HTTP/1.1\r\n"
                    + "Host: localhost:8000\r\n"
                    + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
                    + "Accept: text/css,*/*;q=0.1\r\n"
                    + "Accept-Language: en-US,en;q=0.5\r\n"
                    + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
                    + "Connection: keep-alive\r\n"
                    + "Referer: http://localhost:8000/\r\n"
                    + "Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark\r\n"
                    + "Sec-Fetch-Dest: style\r\n"
                    + "Sec-Fetch-Mode: no-cors\r\n"
                    + "Sec-Fetch-Site: same-origin\r\n"
                    + "If-None-Match: \"1a2b3c-4d5e\"\r\n"
                    + "Priority: u=2\r\n\r\n";
            default -> throw new IllegalArgumentException(request);
        };
        bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        scanner = new HeadScanner(8192, 32768, 100);
        parser = new RequestParser(10 << 20);
    }

    @Benchmark
    public RequestHead scanAndParse() {
        scanner.reset();
        int end = scanner.scan(bytes, 0, bytes.length);
        return parser.parse(bytes, scanner.headStart(), end);
    }
}
