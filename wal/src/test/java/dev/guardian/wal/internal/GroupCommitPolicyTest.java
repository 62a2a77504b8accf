package dev.guardian.wal.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GroupCommitPolicyTest {
    private final GroupCommitPolicy policy = new GroupCommitPolicy(4, 1_000_000);

    @Test
    void nothingWaitingMeansNoForce() {
        assertThat(policy.nanosToWait(0, 0, 5, 0)).isEqualTo(-1);
        assertThat(policy.nanosToWait(0, 0, 5, 2)).isEqualTo(-1);
    }

    @Test
    void anIdleDiskIsForcedAtOnceWithoutWaitingForMaxDelay() {
        assertThat(policy.nanosToWait(1, 1_000, 1_000, 0)).isZero();
        assertThat(policy.nanosToWait(3, 1_000, 2_000, 0)).isZero();
    }

    @Test
    void aFullBatchForcesAtOnceEvenBesideARunningForce() {
        assertThat(policy.nanosToWait(4, 100, 100, 1)).isZero();
        assertThat(policy.nanosToWait(9, 100, 100, 3)).isZero();
    }

    @Test
    void besideARunningForceAPartialBatchWaitsUntilTheOldestRecordHasWaitedMaxDelay() {
        assertThat(policy.nanosToWait(1, 1_000, 1_000, 1)).isEqualTo(1_000_000);
        assertThat(policy.nanosToWait(3, 1_000, 401_000, 1)).isEqualTo(600_000);
        assertThat(policy.nanosToWait(3, 1_000, 1_001_000, 2)).isZero();
        assertThat(policy.nanosToWait(3, 1_000, 9_000_000, 1)).isZero();
    }

    @Test
    void zeroDelayForcesWheneverAnythingWaits() {
        assertThat(new GroupCommitPolicy(100, 0).nanosToWait(1, 5, 5, 1)).isZero();
    }
}
