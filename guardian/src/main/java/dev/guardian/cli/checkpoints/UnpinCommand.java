package dev.guardian.cli.checkpoints;

import picocli.CommandLine.Command;

@Command(name = "unpin", mixinStandardHelpOptions = true, description = "Unpin a checkpoint: retention may prune it again.")
final class UnpinCommand extends PinningCommand {
    @Override
    boolean pinned() {
        return false;
    }
}
