package dev.guardian.instance;

import java.time.Duration;
import java.util.Objects;

/**
 * How an instance's session behaves.
 *
 * @param startupTimeout     for {@code ready}, and again for {@code initialized}
 * @param requestTimeout     for each response
 * @param heartbeatInterval  a ping this often
 * @param heartbeatMisses    this many unanswered pings in a row: hung
 * @param rssCapBytes        resident memory above this: leaking (0: no cap)
 * @param maxProtocolErrors  more bad lines than this: protocol violation (0: no limit)
 * @param stdinQueue         messages waiting for the agent's stdin; beyond it, requests are refused
 * @param maxLineBytes       the largest line read from the agent
 */
public record InstanceOptions(Duration startupTimeout, Duration requestTimeout, Duration heartbeatInterval,
        int heartbeatMisses, long rssCapBytes, int maxProtocolErrors, int stdinQueue, int maxLineBytes) {

    public InstanceOptions {
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        if (heartbeatMisses < 1) {
            throw new IllegalArgumentException("heartbeatMisses must be >= 1, but was " + heartbeatMisses);
        }
        if (stdinQueue < 1) {
            throw new IllegalArgumentException("stdinQueue must be >= 1, but was " + stdinQueue);
        }
    }

    public static InstanceOptions ofDefaults() {
        return new InstanceOptions(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(1), 3, 0, 100,
                10_000, dev.guardian.protocol.Codec.DEFAULT_MAX_LINE_BYTES);
    }

    public InstanceOptions withHeartbeat(Duration interval, int misses) {
        return new InstanceOptions(startupTimeout, requestTimeout, interval, misses, rssCapBytes, maxProtocolErrors,
                stdinQueue, maxLineBytes);
    }

    public InstanceOptions withRequestTimeout(Duration timeout) {
        return new InstanceOptions(startupTimeout, timeout, heartbeatInterval, heartbeatMisses, rssCapBytes,
                maxProtocolErrors, stdinQueue, maxLineBytes);
    }

    public InstanceOptions withRssCap(long bytes) {
        return new InstanceOptions(startupTimeout, requestTimeout, heartbeatInterval, heartbeatMisses, bytes,
                maxProtocolErrors, stdinQueue, maxLineBytes);
    }

    public InstanceOptions withMaxProtocolErrors(int max) {
        return new InstanceOptions(startupTimeout, requestTimeout, heartbeatInterval, heartbeatMisses, rssCapBytes, max,
                stdinQueue, maxLineBytes);
    }

    public InstanceOptions withStartupTimeout(Duration timeout) {
        return new InstanceOptions(timeout, requestTimeout, heartbeatInterval, heartbeatMisses, rssCapBytes,
                maxProtocolErrors, stdinQueue, maxLineBytes);
    }
}
