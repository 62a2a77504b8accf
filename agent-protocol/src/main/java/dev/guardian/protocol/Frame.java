package dev.guardian.protocol;

/** What a {@link ProtocolReader} got from the stream: a message, a rejected line, or the end. */
public sealed interface Frame {

    /** A valid message. */
    record Received(Message message) implements Frame {
    }

    /** A line that could not be used; reading may go on. */
    record Rejected(ProtocolError error) implements Frame {
    }

    /** The stream ended: {@code reason} is null at a clean end of stream, else why reading failed. */
    record Closed(String reason) implements Frame {
    }
}
