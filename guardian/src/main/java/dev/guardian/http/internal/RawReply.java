package dev.guardian.http.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A whole HTTP/1.1 reply as bytes, for the two cases where there is no parsed request to answer
 * through the HTTP encoder: a connection over the bound, a request that did not arrive in time.
 * Every reply closes the connection.
 */
final class RawReply {

    private final byte[] bytes;

    RawReply(int status, String reason, String code, String message) {
        byte[] body = ("{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        bytes = new byte[h.length + body.length];
        System.arraycopy(h, 0, bytes, 0, h.length);
        System.arraycopy(body, 0, bytes, h.length, body.length);
    }

    ByteBuf buffer() {
        return Unpooled.wrappedBuffer(bytes);
    }
}
