package dev.guardian.protocol.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.guardian.protocol.ProtocolError;
import java.io.IOException;

/**
 * Reads the top-level {@code type} and {@code id} from the quoted start of a line that could not be
 * used (cut at {@link ProtocolError#QUOTE_BYTES}, or not JSON at all), as far as it goes.
 */
public final class LineStart {

    private static final JsonFactory JSON = new JsonFactory();

    private LineStart() {
    }

    public static ProtocolError.LineStart read(String quoted) {
        boolean object = false;
        String type = null;
        String id = null;
        try (JsonParser p = JSON.createParser(quoted)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new ProtocolError.LineStart(false, null, null);
            }
            object = true;
            while ((type == null || id == null) && p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING && name.equals("type") && type == null) {
                    type = p.getText();
                } else if (value == JsonToken.VALUE_STRING && name.equals("id") && id == null) {
                    id = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            // The quote ends (or the line goes wrong) here: what was read before it stands.
        }
        return new ProtocolError.LineStart(object, type, id);
    }
}
