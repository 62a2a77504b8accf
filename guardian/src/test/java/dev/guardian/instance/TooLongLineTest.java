package dev.guardian.instance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guardian.protocol.ProtocolError;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which waiting request or checkpoint a line over the limit answered, from its quoted start. */
class TooLongLineTest {

    private static ProtocolError tooLong(String start) {
        return new ProtocolError(ProtocolError.Kind.LINE_TOO_LONG, "line of 99999 bytes exceeds the maximum of 4096", start, 99999);
    }

    @Test
    void theIdAtTheStartNamesTheRequest() {
        assertThat(TooLongLine.answered(tooLong("{\"type\":\"response\",\"id\":\"r-2\",\"ok\":true,\"payload\":{\"b\":\"bbb"),
                Set.of("r-1", "r-2"), Set.of("ck-1")))
                .isEqualTo(new TooLongLine.Answered(TooLongLine.Waiting.REQUEST, "r-2"));
    }

    @Test
    void theIdOfACheckpointNamesTheCheckpointNotARequestOfTheSameId() {
        assertThat(TooLongLine.answered(tooLong("{\"type\":\"checkpoint\",\"id\":\"ck-1\",\"seq\":4,\"memory\":{\"a\":"),
                Set.of("ck-1"), Set.of("ck-1")))
                .isEqualTo(new TooLongLine.Answered(TooLongLine.Waiting.CHECKPOINT, "ck-1"));
    }

    @Test
    void anIdThatNothingWaitsForFailsNothing() {
        assertThat(TooLongLine.answered(tooLong("{\"type\":\"response\",\"id\":\"r-9\",\"ok\":true"), Set.of("r-1"), Set.of()))
                .isNull();
    }

    @Test
    void withoutAnIdTheOnlyThingWaitingIsTheOneAnswered() {
        assertThat(TooLongLine.answered(tooLong("{\"payload\":{\"b\":\"bbbbbbbb"), Set.of("r-1"), Set.of()))
                .isEqualTo(new TooLongLine.Answered(TooLongLine.Waiting.REQUEST, "r-1"));
        assertThat(TooLongLine.answered(tooLong("{\"type\":\"response\",\"payload\":{\"b\":\"bbbbbbbb"), Set.of("r-1"), Set.of("ck-3")))
                .as("a response: the checkpoint is not a candidate").isEqualTo(new TooLongLine.Answered(TooLongLine.Waiting.REQUEST, "r-1"));
    }

    @Test
    void withoutAnIdAndSeveralWaitingNoneIsGuessed() {
        assertThat(TooLongLine.answered(tooLong("{\"type\":\"response\",\"payload\":{\"b\":\"bbbb"), Set.of("r-1", "r-2"), Set.of()))
                .isNull();
        assertThat(TooLongLine.answered(tooLong("{\"payload\":{\"b\":\"bbbb"), Set.of("r-1"), Set.of("ck-1"))).isNull();
    }

    @Test
    void aStrayPrintOrAnotherTypeAnsweredNothing() {
        assertThat(TooLongLine.answered(tooLong("xxxxxxxxxxxxxxxxxxxxxxxxx"), Set.of("r-1"), Set.of())).isNull();
        assertThat(TooLongLine.answered(tooLong("{\"type\":\"propose\",\"id\":\"r-1\",\"command\":[\"a"), Set.of("r-1"), Set.of()))
                .isNull();
    }

    @Test
    void otherProtocolErrorsAnsweredNothing() {
        ProtocolError malformed = new ProtocolError(ProtocolError.Kind.MALFORMED, "not JSON", "{\"type\":\"response\",\"id\":\"r-1\"", 30);
        assertThat(TooLongLine.answered(malformed, Set.of("r-1"), Set.of())).isNull();
    }
}
