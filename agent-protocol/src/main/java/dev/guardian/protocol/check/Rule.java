package dev.guardian.protocol.check;

/** The protocol rules that {@link ConformanceCheck} checks, in the order it reports them. */
public enum Rule {
    READY("ready", "writes a valid ready message within the timeout"),
    INIT("init", "accepts init and answers initialized with its seq"),
    REQUESTS_IN_FLIGHT("requests-in-flight", "answers several requests in flight, each id exactly once"),
    PING_PONG("ping-pong", "answers ping with pong and the same nonce"),
    CHECKPOINT("checkpoint", "answers checkpoint_request with a checkpoint of the same id covering the last seq"),
    MALFORMED_LINE("malformed-line", "answers a malformed line with an error message and keeps working"),
    RESTORE("restore", "a fresh process restored from the checkpoint answers like the original"),
    REPLAY_SILENT("replay-silent", "applies a replayed request without answering it"),
    STDOUT_PROTOCOL_ONLY("stdout-protocol-only", "writes only valid protocol lines to stdout"),
    EXIT_ON_SHUTDOWN("exit-on-shutdown", "exits after shutdown within the grace period"),
    EXIT_ON_STDIN_EOF("exit-on-stdin-eof", "exits when its stdin closes");

    private final String id;
    private final String description;

    Rule(String id, String description) {
        this.id = id;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }
}
