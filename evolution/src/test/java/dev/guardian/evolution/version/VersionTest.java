package dev.guardian.evolution.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guardian.vault.VersionRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VersionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void theIdIsTheContentAndNotTheHistory() throws Exception {
        Version a = Version.of(List.of("python3", "agent.py"), Map.of("A", "1", "B", "2"), Map.of("agent.py", "ab12"),
                JSON.readTree("{\"x\":1,\"y\":{\"b\":2,\"a\":1}}"), Optional.empty(), Origin.MANUAL, "", T);
        Version sameContentOtherHistory = Version.of(List.of("python3", "agent.py"), Map.of("B", "2", "A", "1"),
                Map.of("agent.py", "ab12"), JSON.readTree("{\"y\":{\"a\":1,\"b\":2},\"x\":1}"), Optional.of("v-000000000000"),
                Origin.AGENT_PROPOSAL, "because", T.plusSeconds(5));
        assertThat(a.id()).matches("v-[0-9a-f]{12}").isEqualTo(sameContentOtherHistory.id());

        assertThat(Version.of(List.of("python3", "agent.py"), Map.of("A", "1", "B", "2"), Map.of("agent.py", "ab13"),
                a.genome(), Optional.empty(), Origin.MANUAL, "", T).id()).as("one file changed").isNotEqualTo(a.id());
        assertThat(Version.of(List.of("python3", "agent.py", "--fast"), a.env(), a.files(), a.genome(), Optional.empty(),
                Origin.MANUAL, "", T).id()).as("an argument added").isNotEqualTo(a.id());
        assertThat(Version.of(a.command(), a.env(), a.files(), JSON.readTree("{\"x\":2,\"y\":{\"b\":2,\"a\":1}}"),
                Optional.empty(), Origin.MANUAL, "", T).id()).as("the genome changed").isNotEqualTo(a.id());
    }

    @Test
    void aRecordRoundTripsAndATamperedOneIsRefused() throws Exception {
        Version v = Version.of(List.of("java", "-jar", "agent.jar"), Map.of("MODE", "fast"), Map.of(), null,
                Optional.of("v-aaaaaaaaaaaa"), Origin.LLM, "faster lookups", T);
        VersionRecord r = v.toRecord("primary");
        assertThat(r.origin()).isEqualTo("llm");
        assertThat(Version.fromRecord(r)).isEqualTo(v);

        var body = r.body().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).putArray("command").add("rm").add("-rf");
        VersionRecord tampered = new VersionRecord(r.id(), r.schemaVersion(), r.createdAt(), r.lineage(), r.parentVersionId(),
                r.origin(), body);
        assertThatThrownBy(() -> Version.fromRecord(tampered)).hasMessageContaining("does not match its content");
    }

    @Test
    void modesArePartOfTheContentAndOnlyRecordsWithModesNeedTheNewSchema() throws Exception {
        Version plain = Version.of(List.of("./run.sh"), Map.of(), Map.of("run.sh", "ab12"), null, Optional.empty(),
                Origin.MANUAL, "", T);
        Version executable = Version.of(List.of("./run.sh"), Map.of(), Map.of("run.sh", "ab12"), Map.of("run.sh", "0755"), null,
                Optional.empty(), Origin.MANUAL, "", T);
        assertThat(executable.id()).as("the same bytes, made executable").isNotEqualTo(plain.id());
        assertThat(Version.of(plain.command(), plain.env(), plain.files(), Map.of(), null, Optional.empty(), Origin.MANUAL, "", T).id())
                .as("no modes: the id versions had before modes existed").isEqualTo(plain.id());

        assertThat(plain.toRecord("primary").schemaVersion()).isEqualTo(1);
        assertThat(plain.toRecord("primary").body().has("modes")).isFalse();
        VersionRecord r = executable.toRecord("primary");
        assertThat(r.schemaVersion()).isEqualTo(2);
        assertThat(Version.fromRecord(r)).isEqualTo(executable);

        var body = r.body().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).putObject("modes").put("run.sh", "0777");
        assertThatThrownBy(() -> Version.fromRecord(new VersionRecord(r.id(), r.schemaVersion(), r.createdAt(), r.lineage(),
                r.parentVersionId(), r.origin(), body))).hasMessageContaining("does not match its content");
        assertThatThrownBy(() -> Version.of(List.of("./run.sh"), Map.of(), Map.of("run.sh", "ab12"), Map.of("other", "0644"), null,
                Optional.empty(), Origin.MANUAL, "", T)).hasMessageContaining("modes.other names no file");
    }

    @Test
    void badInputIsNamed() {
        assertThatThrownBy(() -> Version.of(List.of(), Map.of(), Map.of(), null, Optional.empty(), Origin.MANUAL, "", T))
                .hasMessageContaining("command was empty");
        assertThatThrownBy(() -> Origin.parse("divine")).hasMessageContaining("'divine'").hasMessageContaining("agent-proposal");
        assertThat(Origin.parse("agent-proposal")).isEqualTo(Origin.AGENT_PROPOSAL);
    }
}
