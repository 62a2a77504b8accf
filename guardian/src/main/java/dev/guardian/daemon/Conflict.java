package dev.guardian.daemon;

/**
 * An operator's request that the daemon's state does not allow now (a deploy while a canary runs, a
 * rollback with no rollout): the admin API answers 409 with this message. Any other
 * {@link IllegalStateException} is a bug and answers 500, so a bug never reads "conflict".
 */
final class Conflict extends IllegalStateException {

    Conflict(String message) {
        super(message);
    }
}
