package dev.guardian.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryDiffTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static List<String> diff(String a, String b) throws Exception {
        return MemoryDiff.diff(MAPPER.readTree(a), MAPPER.readTree(b)).stream()
                .map(c -> c.kind() + " " + c.path() + " " + c.before() + " " + c.after()).toList();
    }

    @Test
    void reportsAddedRemovedAndChangedPaths() throws Exception {
        assertThat(diff("{\"counts\":{\"apple\":2},\"old\":true,\"total\":3}",
                "{\"counts\":{\"apple\":2,\"pear\":1},\"total\":4}"))
                .containsExactly("ADDED /counts/pear null 1", "REMOVED /old true null", "CHANGED /total 3 4");
    }

    @Test
    void comparesArraysByIndexAndEscapesPointerPaths() throws Exception {
        assertThat(diff("{\"a/b\":[1,2,3],\"t~\":1}", "{\"a/b\":[1,5],\"t~\":1.0}"))
                .containsExactly("CHANGED /a~1b/1 2 5", "REMOVED /a~1b/2 3 null");
    }

    @Test
    void identicalMemoriesHaveNoDifferences() throws Exception {
        assertThat(diff("{\"a\":[{\"b\":null}]}", "{\"a\":[{\"b\":null}]}")).isEmpty();
        assertThat(diff("1", "\"1\"")).containsExactly("CHANGED  1 \"1\"");
    }
}
