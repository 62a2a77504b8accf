package dev.guardian.vault;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a caller saves: the vault assigns the id, creation time and checksum.
 * Build with {@link #of} and the {@code with...} methods.
 */
public record NewCheckpoint(
        String lineage,
        String versionId,
        long walSeq,
        byte[] memory,
        Set<Tag> tags,
        Optional<CheckpointId> parent) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}");

    public NewCheckpoint {
        requireName("lineage", lineage);
        requireName("versionId", versionId);
        if (walSeq < 0) {
            throw new IllegalArgumentException("checkpoint walSeq must be >= 0, but was " + walSeq);
        }
        Objects.requireNonNull(memory, "memory");
        tags = tags == null || tags.isEmpty() ? Set.of() : Set.copyOf(tags);
        parent = parent == null ? Optional.empty() : parent;
    }

    public static NewCheckpoint of(String lineage, String versionId, long walSeq, byte[] memory) {
        return new NewCheckpoint(lineage, versionId, walSeq, memory, Set.of(), Optional.empty());
    }

    public NewCheckpoint withTags(Tag... more) {
        Set<Tag> t = tags.isEmpty() ? EnumSet.noneOf(Tag.class) : EnumSet.copyOf(tags);
        t.addAll(Set.of(more));
        return new NewCheckpoint(lineage, versionId, walSeq, memory, t, parent);
    }

    public NewCheckpoint withParent(CheckpointId p) {
        return new NewCheckpoint(lineage, versionId, walSeq, memory, tags, Optional.of(p));
    }

    static void requireName(String field, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("checkpoint " + field + " must match " + NAME.pattern()
                    + ", but was " + (value == null ? "null" : "'" + value + "'"));
        }
    }
}
