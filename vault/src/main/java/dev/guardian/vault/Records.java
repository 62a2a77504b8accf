package dev.guardian.vault;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/** Shared validation of the generic records. */
final class Records {
    private Records() {
    }

    static void requireCommon(String kind, String id, int schemaVersion, Instant createdAt, JsonNode body) {
        if (id == null || id.isBlank() || id.length() > 200) {
            throw new IllegalArgumentException(kind + ".id must be 1..200 non-blank characters, but was "
                    + (id == null ? "null" : "'" + id + "'"));
        }
        if (schemaVersion < 1) {
            throw new IllegalArgumentException(kind + ".schemaVersion must be >= 1, but was " + schemaVersion);
        }
        Objects.requireNonNull(createdAt, kind + ".createdAt");
        Objects.requireNonNull(body, kind + ".body");
    }
}
