package dev.guardian.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The control run of a recovery test: the same requests, each once, straight into a fresh agent's
 * stdin with no Guardian, and the agent's answer to a final query.
 */
public final class ControlRun {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ControlRun() {
    }

    /** Feeds {@code payloads} in order, then {@code query}; returns the answer's payload. */
    public static JsonNode answer(List<String> command, List<String> payloads, String query) throws Exception {
        Process agent = new ProcessBuilder(command).start();
        // Fed from its own thread: the answers must be read while we write, or both pipes fill up.
        Thread feeder = new Thread(() -> {
            try (OutputStream in = agent.getOutputStream()) {
                for (int i = 0; i < payloads.size(); i++) {
                    in.write(line("c" + i, i + 1, payloads.get(i)));
                }
                in.write(line("query", payloads.size() + 1, query));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        feeder.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                JsonNode m = JSON.readTree(line);
                if ("query".equals(m.path("id").asText())) {
                    return m.path("payload");
                }
            }
            throw new AssertionError("the control agent never answered the query");
        } finally {
            agent.destroyForcibly();
            feeder.join(10_000);
        }
    }

    private static byte[] line(String id, long seq, String payload) {
        return ("{\"type\":\"request\",\"id\":\"" + id + "\",\"seq\":" + seq + ",\"payload\":" + payload + "}\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
