package dev.guardian.daemon;

import java.nio.charset.StandardCharsets;

/** What an idempotency key may be, for every front door (HTTP and wrap): one rule, one message. */
final class IdempotencyKeys {

    /** The longest key taken (payment APIs bound theirs alike): keys are kept for a day, in memory. */
    static final int MAX_BYTES = 255;

    private IdempotencyKeys() {
    }

    /** Why {@code key} cannot be an idempotency key ("must …, but was …"), or null when it can. */
    static String problem(String key) {
        if (key.isBlank()) {
            return "must not be empty or blank, but was '" + key + "'";
        }
        if (Unicode.broken(key)) {
            return "must be valid Unicode, but holds a lone UTF-16 surrogate";
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            return "must be at most " + MAX_BYTES + " bytes of UTF-8, but was " + bytes + " bytes (starting '"
                    + key.substring(0, 32) + "')";
        }
        return null;
    }
}
