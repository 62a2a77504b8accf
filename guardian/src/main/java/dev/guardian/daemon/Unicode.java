package dev.guardian.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Finds strings that are not valid Unicode in a JSON payload. JSON's {@code \\uD800} escapes can
 * spell half of a surrogate pair, which no UTF-8 encoder can write: an agent that took one into its
 * memory could then not encode its checkpoints (seen: every checkpoint after such a request was a
 * protocol error, and checkpointing was off for good). So the front door refuses such a payload.
 */
final class Unicode {

    private Unicode() {
    }

    /** The JSON pointer of the first string (or field name) in {@code node} with a lone surrogate, or null. */
    static String loneSurrogateAt(JsonNode node) {
        return find(node, "");
    }

    private static String find(JsonNode node, String path) {
        if (node.isTextual()) {
            return broken(node.textValue()) ? (path.isEmpty() ? "/" : path) : null;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String at = find(node.get(i), path + "/" + i);
                if (at != null) {
                    return at;
                }
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String field = path + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
                if (broken(e.getKey())) {
                    return field + " (the field name)";
                }
                String at = find(e.getValue(), field);
                if (at != null) {
                    return at;
                }
            }
        }
        return null;
    }

    /** True when {@code s} holds a high surrogate not followed by a low one, or a low one not after a high one. */
    static boolean broken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
