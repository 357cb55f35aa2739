package io.sockeye.http1;

import java.nio.charset.StandardCharsets;

import io.sockeye.Html;
import io.sockeye.Status;

/** The small HTML page sent with errors and redirects, the same whether a handler or the server sends it. */
final class ErrorPage {

    static final String CONTENT_TYPE = "text/html; charset=utf-8";

    private ErrorPage() {
    }

    static byte[] render(int status, String message) {
        String title = status + " " + Status.reason(status);
        StringBuilder sb = new StringBuilder(256)
                .append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(title)
                .append("</title></head>\n<body><h1>").append(title).append("</h1>\n");
        if (message != null && !message.isEmpty()) sb.append("<p>").append(Html.escape(message)).append("</p>\n");
        return sb.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] redirect(int status, String location) {
        String title = status + " " + Status.reason(status);
        String link = Html.escape(location);
        return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title + "</title></head>\n"
                + "<body><h1>" + title + "</h1>\n<p><a href=\"" + link + "\">" + link + "</a></p>\n</body></html>\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
