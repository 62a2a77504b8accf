package dev.guardian.cli.checkpoints;

import dev.guardian.vault.CheckpointId;
import picocli.CommandLine;

/** Parses {@code ckpt-000042} / {@code ckpt-42}; a bad id is a usage error naming the value. */
public final class CheckpointIdConverter implements CommandLine.ITypeConverter<CheckpointId> {
    @Override
    public CheckpointId convert(String value) {
        try {
            return CheckpointId.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
