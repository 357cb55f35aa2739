package io.sockeye.form;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.sockeye.Form;
import io.sockeye.FormLimits;
import io.sockeye.HttpException;
import io.sockeye.Parameters;
import io.sockeye.Request;
import io.sockeye.Status;

/** Reads a request's body as a form, by its content type. */
public final class FormReader {

    private FormReader() {
    }

    /**
     * @param request the request
     * @param limits  the limits
     * @return the form; empty for a request without a body
     * @throws HttpException 415 for a body that is not a form, 400 if malformed, 413 past a limit
     * @throws IOException   if the body cannot be read
     */
    public static Form read(Request request, FormLimits limits) throws IOException {
        String type = request.header("Content-Type");
        if (type == null) {
            if (request.contentLength() == 0) return Form.empty();
            throw new HttpException(Status.UNSUPPORTED_MEDIA_TYPE, "a form needs a Content-Type");
        }
        String mediaType = HeaderParameters.type(type);
        if (mediaType.equalsIgnoreCase("application/x-www-form-urlencoded")) {
            String body = new String(request.body().readAllBytes(), StandardCharsets.ISO_8859_1);
            List<String> pairs = new ArrayList<>();
            UrlEncoded.parseBytes(body, limits.maxFields(), (name, value) -> {
                if (value.length() > limits.maxFieldBytes()) {
                    throw new HttpException(Status.CONTENT_TOO_LARGE, "form field longer than " + limits.maxFieldBytes() + " bytes");
                }
                pairs.add(name);
                pairs.add(value);
            });
            return Form.of(Parameters.of(pairs), List.of());
        }
        if (mediaType.equalsIgnoreCase("multipart/form-data")) {
            String boundary = HeaderParameters.get(type, "boundary");
            if (boundary == null) throw new HttpException(Status.BAD_REQUEST, "multipart/form-data without a boundary");
            return new MultipartParser(request.body(), boundary, limits).parse();
        }
        throw new HttpException(Status.UNSUPPORTED_MEDIA_TYPE, "not a form: " + mediaType);
    }
}
