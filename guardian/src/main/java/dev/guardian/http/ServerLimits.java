package dev.guardian.http;

import java.time.Duration;

/**
 * What one client may hold of a server: a request must arrive whole within {@code readTimeout} of its
 * first byte (else 408 and the connection is closed), a connection with no request is closed after
 * {@code idleTimeout}, a reply the client does not read is dropped after {@code writeTimeout}; at most
 * {@code maxConnections} are open at once (the next get 503 and are closed); the request line and
 * headers together are at most {@code maxHeaderBytes} (431), the body at most {@code maxBodyBytes} (413).
 */
public record ServerLimits(Duration readTimeout, Duration idleTimeout, Duration writeTimeout, int maxConnections,
        int maxHeaderBytes, int maxBodyBytes) {

    public ServerLimits {
        positive("readTimeout", readTimeout);
        positive("idleTimeout", idleTimeout);
        positive("writeTimeout", writeTimeout);
        if (maxConnections < 1 || maxHeaderBytes < 1024 || maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxConnections must be >= 1 and maxHeaderBytes >= 1024, but were "
                    + maxConnections + " and " + maxHeaderBytes);
        }
    }

    /** These limits with another body bound (the admin API takes deploys larger than a request). */
    public ServerLimits withMaxBodyBytes(int bytes) {
        return new ServerLimits(readTimeout, idleTimeout, writeTimeout, maxConnections, maxHeaderBytes, bytes);
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, but was " + d);
        }
    }
}
