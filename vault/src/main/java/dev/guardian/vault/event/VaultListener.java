package dev.guardian.vault.event;

/**
 * Receives vault events. Called outside the vault's locks, on the thread that did the operation;
 * an exception thrown here is logged and ignored. Defaults to {@link #NOOP}.
 */
@FunctionalInterface
public interface VaultListener {
    VaultListener NOOP = event -> { };

    void onEvent(VaultEvent event);
}
