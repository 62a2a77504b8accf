package dev.guardian.bench.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A trivial protocol-1 agent that answers each request with its own payload, so that the agent's
 * work (Python's, for the learner) is removed from the comparison. No JSON library: it relies on the
 * pipe writing {@code payload} as the last field of a request (AgentPipe does). Writes are
 * flushed only when no more input is waiting, so pipelined requests are answered in batches.
 */
public final class EchoAgent {
    public static void main(String[] args) throws IOException {
        InputStream in = new BufferedInputStream(new java.io.FileInputStream(FileDescriptor.in), 64 * 1024);
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        out.write("{\"type\":\"ready\",\"name\":\"echo\",\"version\":\"1.0.0\",\"protocol\":[1],\"capabilities\":[\"stateless\"]}\n"
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        ByteArrayOutputStream buf = new ByteArrayOutputStream(1024);
        int b;
        while ((b = in.read()) != -1) {
            if (b != '\n') {
                buf.write(b);
                continue;
            }
            // ISO-8859-1 maps bytes 1:1, so UTF-8 payload bytes are echoed unchanged
            String line = buf.toString(StandardCharsets.ISO_8859_1);
            buf.reset();
            String reply = answer(line);
            if (reply == null && line.contains("\"type\":\"shutdown\"")) break;
            if (reply != null) out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
            if (in.available() == 0) out.flush();
        }
        out.flush();
    }

    static String answer(String line) {
        if (line.contains("\"type\":\"request\"")) {
            int i = line.indexOf("\"id\":\"") + 6;
            String id = line.substring(i, line.indexOf('"', i));
            int p = line.indexOf("\"payload\":") + 10;
            String payload = line.substring(p, line.lastIndexOf('}'));
            return "{\"type\":\"response\",\"id\":\"" + id + "\",\"ok\":true,\"payload\":" + payload + "}\n";
        }
        if (line.contains("\"type\":\"init\"")) return "{\"type\":\"initialized\",\"seq\":0}\n";
        if (line.contains("\"type\":\"ping\"")) {
            int i = line.indexOf("\"nonce\":") + 8;
            int j = i;
            while (j < line.length() && (Character.isDigit(line.charAt(j)) || line.charAt(j) == '-')) j++;
            return "{\"type\":\"pong\",\"nonce\":" + line.substring(i, j) + "}\n";
        }
        return null;
    }
}
