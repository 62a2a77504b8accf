package dev.guardian.bench.http;

/** One candidate HTTP server. Implementations have a public no-argument constructor. */
public interface HttpCandidate {
    /** Starts listening on 127.0.0.1:port; returns when the server accepts connections. */
    void start(FrontDoor door, int port) throws Exception;

    /** A one-line description of the setup (threads, transport) for the log. */
    String describe();
}
