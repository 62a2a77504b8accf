package dev.guardian.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultExportImportTest {
    @TempDir
    Path tmp;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Vault open(String name) {
        return Vault.open(tmp.resolve(name), VaultConfig.ofDefaults(), TestClock.at("2026-03-04T05:06:07Z"), e -> { });
    }

    private static void assertSameCheckpoint(Checkpoint imported, Checkpoint original) {
        assertThat(imported.lineage()).isEqualTo(original.lineage());
        assertThat(imported.versionId()).isEqualTo(original.versionId());
        assertThat(imported.walSeq()).isEqualTo(original.walSeq());
        assertThat(imported.createdAt()).isEqualTo(original.createdAt());
        assertThat(imported.size()).isEqualTo(original.size());
        assertThat(imported.checksum()).isEqualTo(original.checksum());
        assertThat(imported.tags()).isEqualTo(original.tags());
        assertThat(imported.pinned()).isEqualTo(original.pinned());
        assertThat(imported.parent()).isEqualTo(original.parent());
    }

    @Test
    void exportThenImportIntoAnotherVaultGivesAnEqualCheckpoint() throws Exception {
        byte[] memory = Memories.json(500_000, 3);
        Checkpoint original;
        byte[] doc;
        try (Vault a = open("a")) {
            Checkpoint parent = a.save(NewCheckpoint.of("primary", "v1", 1, new byte[] {1}));
            original = a.save(NewCheckpoint.of("primary", "v3", 77, memory).withTags(Tag.KNOWN_GOOD, Tag.MANUAL)
                    .withParent(parent.id()));
            doc = a.exportCheckpoint(original.id());
        }
        JsonNode tree = MAPPER.readTree(doc);
        assertThat(tree.path("format").asText()).isEqualTo("guardian-checkpoint");
        assertThat(tree.path("formatVersion").asInt()).isEqualTo(1);
        assertThat(tree.path("memoryEncoding").asText()).isEqualTo("json");
        assertThat(tree.path("memory").path("agent").asText()).isEqualTo("summarizer");
        assertThat(tree.path("checkpoint").path("checksum").asText()).isEqualTo(original.checksum());

        try (Vault b = open("b")) {
            b.save(NewCheckpoint.of("other", "v9", 1, new byte[] {1}));
            Checkpoint imported = b.importCheckpoint(doc);
            assertThat(imported.id()).isEqualTo(CheckpointId.of(2));
            assertSameCheckpoint(imported, original);
            assertThat(b.read(imported.id()).memory()).isEqualTo(memory);
        }
    }

    @Test
    void nonCanonicalJsonTextAndBinaryMemoriesRoundTripExactly() {
        byte[] pythonStyle = Memories.utf8("{\"a\": 1, \"b\": [1.50, 2e3]}\n");
        byte[] text = Memories.utf8("plain text memory, ünïcode ✓");
        byte[] binary = Memories.random(4096, 5);
        try (Vault v = open("a")) {
            for (byte[] memory : new byte[][] {pythonStyle, text, binary, new byte[0]}) {
                Checkpoint c = v.save(NewCheckpoint.of("primary", "v1", 1, memory));
                Checkpoint back = v.importCheckpoint(v.exportCheckpoint(c.id()));
                assertSameCheckpoint(back, c);
                assertThat(v.read(back.id()).memory()).isEqualTo(memory);
            }
        }
    }

    @Test
    void importRefusesATamperedFile() throws Exception {
        try (Vault v = open("a")) {
            Checkpoint c = v.save(NewCheckpoint.of("primary", "v1", 1, Memories.utf8("{\"balance\":100}")));
            ObjectNode doc = (ObjectNode) MAPPER.readTree(v.exportCheckpoint(c.id()));
            ((ObjectNode) doc.path("memory")).put("balance", 900);
            byte[] tampered = MAPPER.writeValueAsBytes(doc);
            assertThatThrownBy(() -> v.importCheckpoint(tampered))
                    .isInstanceOf(VaultException.class)
                    .hasMessageStartingWith("checksum mismatch: the file says " + c.checksum())
                    .extracting(e -> ((VaultException) e).reason()).isEqualTo(VaultException.Reason.BAD_INPUT);
            assertThat(v.list()).hasSize(1);
            assertThatThrownBy(() -> Vault.verifyExport(tampered)).hasMessageStartingWith("checksum mismatch");
            Vault.verifyExport(v.exportCheckpoint(c.id()));
        }
    }

    @Test
    void importRefusesWhatIsNotAnExportOrIsFromANewerFormat() throws Exception {
        try (Vault v = open("a")) {
            assertThatThrownBy(() -> v.importCheckpoint("hello".getBytes(StandardCharsets.UTF_8)))
                    .hasMessageStartingWith("not a JSON document");
            assertThatThrownBy(() -> v.importCheckpoint("{\"format\":\"other\"}".getBytes(StandardCharsets.UTF_8)))
                    .hasMessage("not a guardian checkpoint export (\"format\" is not \"guardian-checkpoint\")");
            Checkpoint c = v.save(NewCheckpoint.of("primary", "v1", 1, Memories.utf8("{}")));
            ObjectNode doc = (ObjectNode) MAPPER.readTree(v.exportCheckpoint(c.id()));
            doc.put("formatVersion", 2);
            assertThatThrownBy(() -> v.importCheckpoint(MAPPER.writeValueAsBytes(doc)))
                    .hasMessage("export format version 2 is not supported (this release reads 1..1)");
        }
    }
}
