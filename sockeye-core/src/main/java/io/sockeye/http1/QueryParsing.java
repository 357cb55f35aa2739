package io.sockeye.http1;

import java.util.ArrayList;
import java.util.List;

import io.sockeye.Parameters;
import io.sockeye.form.UrlEncoded;

/** Decodes a query string as received (one char per byte) into parameters. */
final class QueryParsing {

    private static final int MAX_PARAMETERS = 10_000;

    private QueryParsing() {
    }

    static Parameters parse(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) return Parameters.empty();
        List<String> pairs = new ArrayList<>();
        UrlEncoded.parseBytes(rawQuery, MAX_PARAMETERS, (n, v) -> {
            pairs.add(n);
            pairs.add(v);
        });
        return Parameters.of(pairs);
    }
}
