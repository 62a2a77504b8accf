package dev.guardian.vault;

import java.io.IOException;
import java.nio.file.Path;

/** Child process that holds a vault open until its stdin closes. */
public final class LockHolderMain {
    private LockHolderMain() {
    }

    public static void main(String[] args) throws IOException {
        try (Vault vault = Vault.open(Path.of(args[0]), VaultConfig.ofDefaults())) {
            System.out.println("READY " + vault.list().size());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock until stdin closes
            }
        }
    }
}
