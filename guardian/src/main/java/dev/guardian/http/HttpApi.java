package dev.guardian.http;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A set of HTTP endpoints, independent of the server library that hosts them. */
public interface HttpApi {

    /** An incoming request; header names are lower case. */
    record Request(String method, String path, Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    /** What to send back. */
    record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
        public static Reply json(int status, byte[] body) {
            return new Reply(status, "application/json", body, Map.of());
        }

        public static Reply text(int status, String text) {
            return new Reply(status, "text/plain; charset=utf-8", text.getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of());
        }

        public Reply withHeader(String name, String value) {
            java.util.Map<String, String> h = new java.util.HashMap<>(headers);
            h.put(name, value);
            return new Reply(status, contentType, body, Map.copyOf(h));
        }
    }

    /** Handles one request; never throws (errors are replies). */
    CompletableFuture<Reply> handle(Request request);

    /**
     * As {@link #handle(Request)}, with the server's own threads for the work that turns a late
     * answer into a reply, so that it is not done on the thread that completed the answer (a WAL
     * force thread completing a whole batch, an agent's reader). A reply completed on {@code replies}
     * is sent there without a further hand-off.
     */
    default CompletableFuture<Reply> handle(Request request, java.util.concurrent.Executor replies) {
        return handle(request);
    }
}
