package dev.guardian.wal;

import java.util.List;

/**
 * What a log holds, from a full scan.
 *
 * @param records valid records
 * @param firstSequence sequence of the first record, 0 when empty
 * @param lastSequence sequence of the last record, 0 when empty
 * @param recordBytes bytes of the valid records as framed on disk (headers included)
 * @param corruptRecords records skipped because their checksum or format failed
 * @param cycleFiles the cycle files, oldest first
 * @param gaps every jump in sequence between first and last, in order, saying where it is
 */
public record WalStats(long records, long firstSequence, long lastSequence, long recordBytes, long corruptRecords,
                       List<CycleFile> cycleFiles, List<WalGap> gaps) {

    public WalStats {
        cycleFiles = List.copyOf(cycleFiles);
        gaps = List.copyOf(gaps);
    }

    /** How many sequences between the first and the last are missing. */
    public long missingSequences() {
        return gaps.stream().mapToLong(WalGap::count).sum();
    }

    /** Apparent size of all cycle files (they are sparse: the blocks in use are far fewer). */
    public long fileBytes() {
        return cycleFiles.stream().mapToLong(CycleFile::bytes).sum();
    }

    /** One cycle file: its name and apparent size in bytes. */
    public record CycleFile(String name, long bytes) {
    }
}
