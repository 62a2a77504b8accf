package dev.guardian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guardian.testsupport.GuardianCli;
import org.junit.jupiter.api.Test;

class GuardianCommandIT {

    @Test
    void helpListsSubcommands() {
        GuardianCli.Result r = GuardianCli.run("--help");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.OK);
        assertThat(r.stdout()).contains("Usage: guardian").contains("Commands:");
    }

    @Test
    void unknownSubcommandIsOneClearLineAndUsageExitCode() {
        GuardianCli.Result r = GuardianCli.run("frobnicate");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.stderr()).contains("guardian: Unmatched argument at index 0: 'frobnicate'")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }
}
