package dev.guardian.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class MirrorRingTest {

    private static MirrorRing.Entry publish(MirrorRing ring, long seq) {
        MirrorRing.Entry e = ring.next(seq, "g" + seq, IntNode.valueOf((int) seq), new CompletableFuture<>());
        ring.publish(e);
        return e;
    }

    @Test
    void holdsAtLeastTheAskedCapacityAsAPowerOfTwo() {
        assertThat(new MirrorRing(1000).capacity()).isEqualTo(1024);
        assertThat(new MirrorRing(1024).capacity()).isEqualTo(1024);
        assertThat(new MirrorRing(1).capacity()).isEqualTo(2);
    }

    @Test
    void entriesAreNumberedInOrderWhateverTheirSequences() {
        MirrorRing ring = new MirrorRing(4);
        assertThat(ring.newest()).isZero();
        // Request sequences have gaps (responses share the log's numbering); indexes do not.
        MirrorRing.Entry a = publish(ring, 7);
        MirrorRing.Entry b = publish(ring, 9);
        assertThat(a.index()).isEqualTo(1);
        assertThat(b.index()).isEqualTo(2);
        assertThat(ring.newest()).isEqualTo(2);
        assertThat(ring.get(1)).isSameAs(a);
        assertThat(ring.get(2).seq()).isEqualTo(9);
        assertThat(ring.get(3)).as("not published yet").isNull();
    }

    @Test
    void anEntryIsNotVisibleUntilPublished() {
        MirrorRing ring = new MirrorRing(4);
        MirrorRing.Entry e = ring.next(3, "g3", IntNode.valueOf(3), new CompletableFuture<>());
        assertThat(ring.newest()).isZero();
        assertThat(ring.get(1)).isNull();
        ring.publish(e);
        assertThat(ring.get(1)).isSameAs(e);
        assertThatThrownBy(() -> ring.publish(e)).isInstanceOf(IllegalStateException.class)
                .hasMessage("entry 1 published after 1");
    }

    @Test
    void anOverwrittenEntryIsGone() {
        MirrorRing ring = new MirrorRing(4);
        for (long seq = 1; seq <= 6; seq++) {
            publish(ring, seq * 10);
        }
        assertThat(ring.get(1)).as("slot reused by entry 5").isNull();
        assertThat(ring.get(2)).as("slot reused by entry 6").isNull();
        assertThat(ring.get(3).seq()).isEqualTo(30);
        assertThat(ring.get(6).seq()).isEqualTo(60);
    }

    @Test
    void clearingLetsGoOfEveryEntryAndIndexesGoOn() {
        MirrorRing ring = new MirrorRing(4);
        publish(ring, 5);
        publish(ring, 6);
        ring.clear();
        assertThat(ring.get(1)).isNull();
        assertThat(ring.get(2)).isNull();
        assertThat(publish(ring, 7).index()).isEqualTo(3);
        assertThat(ring.get(3).seq()).isEqualTo(7);
    }
}
