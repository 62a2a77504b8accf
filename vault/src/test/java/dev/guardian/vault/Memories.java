package dev.guardian.vault;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Realistic agent memories for tests and the benchmark: JSON with varied keys and numbers. */
public final class Memories {
    private Memories() {
    }

    /** A compact JSON object of about {@code targetBytes} bytes. */
    public static byte[] json(int targetBytes, long seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder(targetBytes + 256);
        sb.append("{\"agent\":\"summarizer\",\"turn\":").append(r.nextInt(100000)).append(",\"facts\":[");
        String[] words = {"pear", "apple", "invoice", "customer", "latency", "refund", "shipment", "alpha",
                "omega", "memory", "context", "token", "answer", "graph", "vector", "policy"};
        int i = 0;
        while (sb.length() < targetBytes - 64) {
            if (i++ > 0) {
                sb.append(',');
            }
            sb.append("{\"id\":").append(r.nextInt(1_000_000))
                    .append(",\"topic\":\"").append(words[r.nextInt(words.length)]).append('-').append(r.nextInt(5000))
                    .append("\",\"score\":").append(r.nextInt(10000) / 100.0)
                    .append(",\"note\":\"").append(words[r.nextInt(words.length)]).append(' ')
                    .append(words[r.nextInt(words.length)]).append(' ').append(Long.toHexString(r.nextLong()))
                    .append("\"}");
        }
        sb.append("]}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
