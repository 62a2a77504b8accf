package dev.guardian.cli.checkpoints;

import picocli.CommandLine.Command;

@Command(name = "pin", mixinStandardHelpOptions = true, description = "Pin a checkpoint: retention never prunes it.")
final class PinCommand extends PinningCommand {
    @Override
    boolean pinned() {
        return true;
    }
}
