package dev.guardian.daemon;

import java.util.concurrent.CompletableFuture;

/**
 * Something beside the primary that sees every new request too (a shadow or canary instance).
 * Called under the supervisor's sequencer lock, in sequence order: it must not block, nor do more
 * than note the request (the request waits in the supervisor's {@link MirrorRing}).
 */
interface RequestTap {

    /**
     * @param request a new request, offered before it is published in the ring the tap takes its requests from
     * @return the answer the client should get instead of the primary's (a canary's share), or null
     */
    CompletableFuture<Outcome> offer(MirrorRing.Entry request);

    /** The request offered last is in the ring now, where the tap's own thread may take it. */
    void published(MirrorRing.Entry request);

    /** Taken off the traffic: requests after ring index {@code lastIndex} are not for the tap, though others may still take them. */
    void detached(long lastIndex);
}
