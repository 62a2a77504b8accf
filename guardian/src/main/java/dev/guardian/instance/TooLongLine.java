package dev.guardian.instance;

import dev.guardian.protocol.ProtocolError;
import java.util.List;
import java.util.Set;

/**
 * What a line from the agent over {@code protocol.max_line_bytes} was the answer to, so that the
 * request (or checkpoint) waiting for it fails at once instead of at its timeout. The line itself
 * is gone: only its quoted start is known ({@link ProtocolError#lineStart()}).
 *
 * <ul>
 *   <li>Its start names a {@code type} and an {@code id}: the request ({@code response}) or the
 *       checkpoint ({@code checkpoint}) of that id, if one waits.</li>
 *   <li>Its start is a JSON object that shows no id: the only request (or checkpoint) waiting, if
 *       exactly one does and nothing else could have been answered. With several waiting, none is
 *       guessed: they time out.</li>
 *   <li>Its start is not a JSON object (a stray print): nothing.</li>
 *   <li>Any other type (a {@code propose}, a {@code pong}): nothing waits for it here.</li>
 * </ul>
 * A late answer to a request that already timed out may, if exactly one other waits and the line
 * shows no id, be taken for that one's: agents that write {@code type} and {@code id} first (the SDK
 * and the Python learner do) are never mistaken.
 */
final class TooLongLine {

    enum Waiting { REQUEST, CHECKPOINT }

    /** The waiting request or checkpoint that the line answered. */
    record Answered(Waiting kind, String id) {
    }

    private TooLongLine() {
    }

    /** What {@code error} answered among the waiting {@code requests} and {@code checkpoints}, or null. */
    static Answered answered(ProtocolError error, Set<String> requests, Set<String> checkpoints) {
        if (error.kind() != ProtocolError.Kind.LINE_TOO_LONG) {
            return null;
        }
        ProtocolError.LineStart start = error.lineStart();
        if (!start.object()) {
            // Not a message at all (a stray print): it answered nothing.
            return null;
        }
        String type = start.type();
        if (type == null) {
            // Could be either: only one thing waiting at all is unambiguous.
            if (requests.size() + checkpoints.size() != 1) {
                return null;
            }
            type = requests.isEmpty() ? "checkpoint" : "response";
        }
        return switch (type) {
            case "response" -> pick(Waiting.REQUEST, start.id(), requests);
            case "checkpoint" -> pick(Waiting.CHECKPOINT, start.id(), checkpoints);
            default -> null;
        };
    }

    private static Answered pick(Waiting kind, String id, Set<String> waiting) {
        if (id != null) {
            return waiting.contains(id) ? new Answered(kind, id) : null;
        }
        List<String> ids = List.copyOf(waiting);
        return ids.size() == 1 ? new Answered(kind, ids.get(0)) : null;
    }
}
