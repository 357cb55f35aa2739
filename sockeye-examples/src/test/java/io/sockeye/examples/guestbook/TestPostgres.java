package io.sockeye.examples.guestbook;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL server the guestbook's tests may use, given as {@code SOCKEYE_TEST_POSTGRES_URL} (a
 * {@code jdbc:postgresql:} URL; {@code .ci/run} starts a throwaway server and sets it). Without one their
 * PostgreSQL tests are skipped on a developer's machine, but fail where {@code SOCKEYE_REQUIRE_POSTGRES=1}
 * (CI): a broken set-up there must not pass as a skip.
 */
final class TestPostgres {

    private TestPostgres() {
    }

    /** @return the server's JDBC URL; aborts (skips) or fails the calling test if there is none */
    static String url() {
        String url = System.getenv("SOCKEYE_TEST_POSTGRES_URL");
        if (url == null || url.isBlank()) {
            String how = "set SOCKEYE_TEST_POSTGRES_URL (a jdbc:postgresql URL) to run this";
            if ("1".equals(System.getenv("SOCKEYE_REQUIRE_POSTGRES"))) {
                fail("SOCKEYE_REQUIRE_POSTGRES=1 (CI) but there is no PostgreSQL to test against: " + how);
            }
            Assumptions.abort(how);
        }
        return url;
    }
}
