package dev.guardian.wal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The result of an append: the record's sequence, known at once, and a future that completes (with
 * the same sequence) when the record is durable under the log's {@link Durability}. Answer a client
 * only once {@link #durable()} has completed.
 *
 * <ul>
 *   <li>{@code SYNC}: already complete when returned.</li>
 *   <li>{@code GROUP}: completes when the batch holding the record has been forced; completes
 *       exceptionally with a {@link WalException} if that force failed or the log was closed first.</li>
 *   <li>{@code ASYNC}: already complete when returned: this mode promises no more than its loss
 *       window (see {@link Durability#ASYNC}).</li>
 * </ul>
 *
 * <p>Callbacks registered without an executor ({@code durable().thenRun(...)}) run on a WAL force
 * thread when the ticket completes there: keep them short, or pass an executor.
 */
public final class AppendTicket {
    private final long sequence;
    private final CompletableFuture<Long> durable;

    public AppendTicket(long sequence, CompletableFuture<Long> durable) {
        this.sequence = sequence;
        this.durable = durable;
    }

    /** An already durable ticket. */
    public static AppendTicket completed(long sequence) {
        return new AppendTicket(sequence, CompletableFuture.completedFuture(sequence));
    }

    public long sequence() {
        return sequence;
    }

    /** Completes with {@link #sequence()} once the record is durable; do not complete it yourself. */
    public CompletableFuture<Long> durable() {
        return durable;
    }

    public boolean isDurable() {
        return durable.isDone() && !durable.isCompletedExceptionally();
    }

    /** Blocks until durable and returns the sequence; throws the {@link WalException} that prevented it. */
    public long await() {
        try {
            return durable.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WalException(WalException.Reason.IO, "interrupted while waiting for record " + sequence + " to be durable", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WalException w) {
                throw w;
            }
            throw new WalException(WalException.Reason.IO, "record " + sequence + " could not be made durable: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public String toString() {
        return "AppendTicket[seq=" + sequence + ", durable=" + isDurable() + "]";
    }
}
