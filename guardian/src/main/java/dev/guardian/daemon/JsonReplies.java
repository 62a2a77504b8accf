package dev.guardian.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.http.HttpApi.Reply;

/** The JSON replies every API here sends: a body, or {@code {"ok":false,"error":{code,message}}}. */
final class JsonReplies {
    private JsonReplies() {
    }

    static Reply json(ObjectMapper json, int status, JsonNode body) {
        try {
            return Reply.json(status, json.writeValueAsBytes(body));
        } catch (java.io.IOException e) {
            return Reply.text(500, "could not write the reply: " + e.getMessage());
        }
    }

    static Reply error(ObjectMapper json, int status, String code, String message) {
        ObjectNode body = json.createObjectNode().put("ok", false);
        body.putObject("error").put("code", code).put("message", message);
        return json(json, status, body);
    }
}
