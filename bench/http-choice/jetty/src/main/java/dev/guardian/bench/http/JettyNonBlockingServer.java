package dev.guardian.bench.http;

/** Jetty 12 with the handler declared non-blocking (it never blocks: body read and reply are async). */
public final class JettyNonBlockingServer extends JettyServer {
    @Override
    protected boolean nonBlocking() {
        return true;
    }
}
