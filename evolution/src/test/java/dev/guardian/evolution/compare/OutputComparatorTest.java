package dev.guardian.evolution.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class OutputComparatorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(String s) {
        try {
            return MAPPER.readTree(s.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    private static Optional<String> diff(OutputComparator c, String a, String b) {
        return c.firstDifference(json(a), json(b));
    }

    private final OutputComparator structural = OutputComparator.structural(ComparisonConfig.ofDefaults());

    @Nested
    class Exact {

        private final OutputComparator exact = OutputComparator.exact();

        @Test
        void equalAnswersMatchWhateverTheKeyOrder() {
            assertThat(diff(exact, "{'ok':true,'payload':{'a':1,'b':[1,2]}}", "{'payload':{'b':[1,2],'a':1},'ok':true}")).isEmpty();
        }

        @Test
        void oneAndOnePointZeroDifferWhenExact() {
            assertThat(diff(exact, "{'ok':true,'payload':{'n':1}}", "{'ok':true,'payload':{'n':1.0}}")).contains("/payload/n");
        }

        @Test
        void anOkAgainstAnErrorDiffersAtOk() {
            assertThat(diff(exact, "{'ok':true,'payload':1}", "{'ok':false,'error':'boom'}")).contains("/ok");
        }
    }

    @Nested
    class Structural {

        @Test
        void numbersCompareByValue() {
            assertThat(diff(structural, "{'n':1,'m':[2.50]}", "{'n':1.0,'m':[2.5]}")).isEmpty();
            assertThat(diff(structural, "{'n':12345678901234567890}", "{'n':12345678901234567890.0}")).isEmpty();
            assertThat(diff(structural, "{'n':1}", "{'n':'1'}")).contains("/n");
        }

        @Test
        void arraysAreOrdered() {
            assertThat(diff(structural, "{'payload':{'items':[1,2,3]}}", "{'payload':{'items':[1,3,2]}}")).contains("/payload/items/1");
        }

        @Test
        void aShorterArrayDiffersAtTheFirstMissingIndex() {
            assertThat(diff(structural, "{'a':[1,2,3]}", "{'a':[1,2]}")).contains("/a/2");
        }

        @Test
        void aMissingKeyDiffersAtThatKey() {
            assertThat(diff(structural, "{'a':1,'b':2}", "{'a':1}")).contains("/b");
            assertThat(diff(structural, "{'a':1}", "{'a':1,'c':null}")).contains("/c");
        }

        @Test
        void theFirstDifferenceFollowsTheBaselinesKeyOrder() {
            assertThat(diff(structural, "{'z':1,'a':1}", "{'a':2,'z':2}")).contains("/z");
        }

        @Test
        void keysWithSlashesAndTildesAreEscapedInPaths() {
            assertThat(diff(structural, "{'a/b':{'c~d':1}}", "{'a/b':{'c~d':2}}")).contains("/a~1b/c~0d");
        }

        @Test
        void aTypeChangeDiffersAtTheRoot() {
            assertThat(diff(structural, "[1]", "{'0':1}")).contains("");
        }
    }

    @Nested
    class IgnoredPaths {

        @Test
        void anIgnoredPathDropsItsWholeSubtree() {
            OutputComparator c = OutputComparator.structural(ComparisonConfig.ofDefaults().withIgnoredPaths("/payload/timestamp"));
            assertThat(diff(c, "{'payload':{'timestamp':1,'v':1}}", "{'payload':{'timestamp':{'s':2},'v':1}}")).isEmpty();
            assertThat(diff(c, "{'payload':{'timestamp':1,'v':1}}", "{'payload':{'v':1}}")).as("absent on one side").isEmpty();
            assertThat(diff(c, "{'payload':{'timestamp':1,'v':1}}", "{'payload':{'timestamp':1,'v':2}}")).contains("/payload/v");
        }

        @Test
        void aWildcardMatchesOneSegment() {
            OutputComparator c = OutputComparator.structural(ComparisonConfig.ofDefaults().withIgnoredPaths("/payload/items/*/id"));
            assertThat(diff(c, "{'payload':{'items':[{'id':1,'v':'a'},{'id':2,'v':'b'}]}}",
                    "{'payload':{'items':[{'id':7,'v':'a'},{'id':9,'v':'b'}]}}")).isEmpty();
            assertThat(diff(c, "{'payload':{'items':[{'id':1,'v':'a'}]}}", "{'payload':{'items':[{'id':1,'v':'x'}]}}"))
                    .contains("/payload/items/0/v");
            // one segment only: a deeper id is still compared
            assertThat(diff(c, "{'payload':{'items':[{'sub':{'id':1}}]}}", "{'payload':{'items':[{'sub':{'id':2}}]}}"))
                    .contains("/payload/items/0/sub/id");
        }

        @Test
        void anEscapedPointerMatchesTheKeyItNames() {
            OutputComparator c = OutputComparator.structural(ComparisonConfig.ofDefaults().withIgnoredPaths("/a~1b"));
            assertThat(diff(c, "{'a/b':1,'x':1}", "{'a/b':2,'x':1}")).isEmpty();
        }
    }

    @Nested
    class Tolerance {

        @Test
        void absoluteToleranceAcceptsSmallDrift() {
            OutputComparator c = OutputComparator.structural(ComparisonConfig.ofDefaults().withTolerance(0.01, 0));
            assertThat(diff(c, "{'x':1.000}", "{'x':1.009}")).isEmpty();
            assertThat(diff(c, "{'x':1.000}", "{'x':1.02}")).contains("/x");
        }

        @Test
        void relativeToleranceScalesWithTheNumber() {
            OutputComparator c = OutputComparator.structural(ComparisonConfig.ofDefaults().withTolerance(0, 0.001));
            assertThat(diff(c, "{'x':1000000}", "{'x':1000900}")).isEmpty();
            assertThat(diff(c, "{'x':1.0}", "{'x':1.002}")).contains("/x");
        }

        @Test
        void withoutToleranceTinyDifferencesCount() {
            assertThat(diff(structural, "{'x':0.1}", "{'x':0.10000000001}")).contains("/x");
        }
    }

    @Nested
    class Config {

        @Test
        void aPathThatIsNotAPointerIsRefusedWithItsIndex() {
            assertThatThrownBy(() -> new ComparisonConfig(List.of("/ok", "payload/x"), 0, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("ignoredPaths[1] must be a JSON pointer starting with '/', but was 'payload/x'");
            assertThatThrownBy(() -> new ComparisonConfig(List.of(""), 0, 0))
                    .hasMessage("ignoredPaths[0] must be a JSON pointer starting with '/', but was ''");
            assertThatThrownBy(() -> new ComparisonConfig(List.of("/a~2"), 0, 0))
                    .hasMessage("ignoredPaths[0] has an invalid escape ('~' must be followed by 0 or 1), but was '/a~2'");
        }

        @Test
        void tolerancesAreRefusedWhenNegativeOrNonsense() {
            assertThatThrownBy(() -> new ComparisonConfig(List.of(), -0.5, 0))
                    .hasMessage("absoluteTolerance must be finite and >= 0, but was -0.5");
            assertThatThrownBy(() -> new ComparisonConfig(List.of(), Double.NaN, 0))
                    .hasMessage("absoluteTolerance must be finite and >= 0, but was NaN");
            assertThatThrownBy(() -> new ComparisonConfig(List.of(), 0, 1.0))
                    .hasMessage("relativeTolerance must be in [0, 1), but was 1.0");
        }
    }
}
