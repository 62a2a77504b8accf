package dev.guardian.wal;

/**
 * Sequences missing from a log between two records it still holds. Every sequence the writer assigns is a
 * record, so a jump is either damage (a deleted or cut cycle file, a record skipped as corrupt) or a jump the
 * writer made on purpose ({@link Wal#appendAt}); the log cannot tell which, its user can.
 *
 * @param from the first missing sequence
 * @param to the last missing sequence (inclusive)
 * @param what where the log lost them, naming the cycle files on either side
 */
public record WalGap(long from, long to, String what) {

    public long count() {
        return to - from + 1;
    }
}
