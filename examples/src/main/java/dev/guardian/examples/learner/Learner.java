package dev.guardian.examples.learner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.protocol.sdk.Agent;
import dev.guardian.protocol.sdk.AgentRequest;
import dev.guardian.protocol.sdk.Reply;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The "learner": counts what it is taught, so that every answer depends on everything it has seen.
 * Its Python twin (examples/python/learner_agent.py) gives the same answers and memory.
 *
 * <pre>
 * {"op":"learn","key":K,"weight":W?} -> {"key":K,"count":c,"total":t}
 * {"op":"ask","key":K}               -> {"key":K,"count":c,"total":t}
 * {"op":"top","n":N?}                -> {"top":[[key,count],...]}  (count desc, then key)
 * {"op":"forget","key":K}            -> {"key":K,"forgot":c,"total":t}
 * </pre>
 * Memory: {"counts":{...},"total":t,"seq":n}, n the last request sequence applied.
 */
public final class Learner implements Agent {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Map<String, Long> counts = new LinkedHashMap<>();
    private long total;
    private long seq;

    @Override
    public Reply handle(AgentRequest request) {
        Reply reply = answer(request.payload(), request.duplicate());
        if (!request.duplicate()) {
            seq = request.seq();
        }
        return reply;
    }

    private Reply answer(JsonNode payload, boolean duplicate) {
        if (payload == null || !payload.isObject()) {
            return bad("payload must be an object, but was " + payload);
        }
        JsonNode op = payload.get("op");
        if (op == null) {
            return bad("missing field 'op'");
        }
        if (!op.isTextual()) {
            return bad("field 'op' must be a string, but was " + op);
        }
        String name = op.textValue();
        switch (name) {
            case "learn":
                return learn(payload, duplicate);
            case "ask":
                return withKey(payload, this::ask);
            case "top":
                return top(payload);
            case "forget":
                return withKey(payload, key -> duplicate ? ask(key) : forget(key));
            default:
                return bad("unknown op '" + name + "'");
        }
    }

    private Reply learn(JsonNode payload, boolean duplicate) {
        return withKey(payload, key -> {
            long weight = 1;
            JsonNode w = payload.get("weight");
            if (w != null) {
                if (!w.isIntegralNumber() || !w.canConvertToLong() || w.longValue() < 1) {
                    return bad("weight must be an integer >= 1, but was " + w);
                }
                weight = w.longValue();
            }
            if (!duplicate) {
                counts.merge(key, weight, Long::sum);
                total += weight;
            }
            return ask(key);
        });
    }

    private Reply ask(String key) {
        ObjectNode out = JSON.objectNode();
        out.put("key", key);
        out.put("count", counts.getOrDefault(key, 0L));
        out.put("total", total);
        return Reply.ok(out);
    }

    private Reply forget(String key) {
        Long c = counts.remove(key);
        long forgot = c == null ? 0 : c;
        total -= forgot;
        ObjectNode out = JSON.objectNode();
        out.put("key", key);
        out.put("forgot", forgot);
        out.put("total", total);
        return Reply.ok(out);
    }

    private Reply top(JsonNode payload) {
        int n = 3;
        JsonNode nNode = payload.get("n");
        if (nNode != null) {
            if (!nNode.isIntegralNumber() || !nNode.canConvertToInt() || nNode.intValue() < 1) {
                return bad("n must be an integer >= 1, but was " + nNode);
            }
            n = nNode.intValue();
        }
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort((a, b) -> {
            int byCount = Long.compare(b.getValue(), a.getValue());
            return byCount != 0 ? byCount : compareCodePoints(a.getKey(), b.getKey());
        });
        ObjectNode out = JSON.objectNode();
        var list = out.putArray("top");
        for (Map.Entry<String, Long> e : entries.subList(0, Math.min(n, entries.size()))) {
            list.addArray().add(e.getKey()).add(e.getValue());
        }
        return Reply.ok(out);
    }

    private static Reply withKey(JsonNode payload, java.util.function.Function<String, Reply> action) {
        JsonNode key = payload.get("key");
        if (key == null) {
            return bad("missing field 'key'");
        }
        if (!key.isTextual()) {
            return bad("field 'key' must be a string, but was " + key);
        }
        return action.apply(key.textValue());
    }

    private static Reply bad(String message) {
        return Reply.error("bad_request", message);
    }

    /** Orders by Unicode code point, as Python compares strings. */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    @Override
    public JsonNode snapshot() {
        ObjectNode memory = JSON.objectNode();
        ObjectNode c = memory.putObject("counts");
        counts.forEach(c::put);
        memory.put("total", total);
        memory.put("seq", seq);
        return memory;
    }

    @Override
    public void restore(JsonNode memory) {
        counts.clear();
        total = 0;
        seq = 0;
        if (memory == null) {
            return;
        }
        JsonNode c = memory.path("counts");
        for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            counts.put(e.getKey(), e.getValue().asLong());
        }
        total = memory.path("total").asLong();
        seq = memory.path("seq").asLong();
    }
}
