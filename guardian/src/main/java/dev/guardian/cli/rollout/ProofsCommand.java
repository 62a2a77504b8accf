package dev.guardian.cli.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.guardian.cli.CliException;
import dev.guardian.cli.DataDirMixin;
import dev.guardian.cli.ExitCodes;
import dev.guardian.evolution.proof.Decision;
import dev.guardian.evolution.proof.Proof;
import dev.guardian.evolution.proof.ProofJson;
import dev.guardian.evolution.proof.ProofMarkdown;
import dev.guardian.evolution.proof.ProofRecords;
import dev.guardian.vault.VersionRecord;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code guardian proofs ls|show}: the experience database — every rollout's proof, with the
 * candidate's origin — read from the vault (beside a daemon or offline).
 */
@Command(name = "proofs", mixinStandardHelpOptions = true, description = "List and show the proofs of rollouts.",
        subcommands = {ProofsCommand.Ls.class, ProofsCommand.Show.class, picocli.CommandLine.HelpCommand.class})
public final class ProofsCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A proof and the origin of its candidate version. */
    record Entry(Proof proof, String origin) {
        String outcome() {
            return outcomeOf(proof.decision());
        }
    }

    /** The outcome a decision leads to, as deployment records name it. */
    static String outcomeOf(Decision d) {
        return switch (d) {
            case PROMOTE -> "promoted";
            case ROLLBACK -> "rolled-back";
            case ABORT -> "aborted";
        };
    }

    static List<Entry> entries(Path dataDir) {
        return VaultReading.read(dataDir, vault -> {
            Map<String, String> origins = vault.versions().stream()
                    .collect(Collectors.toMap(VersionRecord::id, VersionRecord::origin, (a, b) -> a));
            return vault.proofs().stream().map(ProofRecords::fromRecord)
                    .sorted(java.util.Comparator.comparing(Proof::createdAt).thenComparing(Proof::id))
                    .map(p -> new Entry(p, origins.getOrDefault(p.candidateVersionId(), "?"))).toList();
        });
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "Every rollout's proof, oldest first: outcome, strategy, candidate, origin, why.")
    static final class Ls implements Callable<Integer> {
        @Mixin
        DataDirMixin dataDir;

        @Option(names = "--outcome", paramLabel = "O", description = "Only promoted, rolled-back or aborted (or promote, rollback, abort).")
        String outcome;

        @Option(names = "--origin", paramLabel = "O", description = "Only candidates of this origin: manual, agent-proposal, mutation, llm.")
        String origin;

        @Option(names = "--json", description = "One JSON array of the proofs.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String wanted = outcome == null ? null : normalized(outcome);
            List<Entry> shown = entries(dataDir.resolve()).stream()
                    .filter(e -> wanted == null || e.outcome().equals(wanted))
                    .filter(e -> origin == null || e.origin().equals(origin)).toList();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ArrayNode a = JSON.createArrayNode();
                shown.forEach(e -> a.add(ProofJson.toJson(e.proof()).put("origin", e.origin()).put("outcome", e.outcome())));
                out.println(a.toPrettyString());
            } else {
                out.printf("%-28s %-12s %-7s %-15s %-15s %s%n", "PROOF", "OUTCOME", "HOW", "CANDIDATE", "ORIGIN", "WHY");
                for (Entry e : shown) {
                    Proof p = e.proof();
                    String why = p.reasons().isEmpty() ? "" : p.reasons().get(0);
                    out.printf("%-28s %-12s %-7s %-15s %-15s %s%n", p.id(), e.outcome(),
                            p.strategy().name().toLowerCase(Locale.ROOT), p.candidateVersionId(), e.origin(),
                            why.length() > 100 ? why.substring(0, 97) + "..." : why);
                }
            }
            out.flush();
            return ExitCodes.OK;
        }

        private static String normalized(String o) {
            String s = o.toLowerCase(Locale.ROOT).replace('_', '-');
            for (Decision d : Decision.values()) {
                if (d.label().equals(s)) {
                    return outcomeOf(d);
                }
            }
            if (List.of("promoted", "rolled-back", "aborted").contains(s)) {
                return s;
            }
            throw CliException.badInput("--outcome must be promoted, rolled-back or aborted, but was '" + o + "'");
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One proof: a readable report (default) or JSON.")
    static final class Show implements Callable<Integer> {
        @Mixin
        DataDirMixin dataDir;

        @Parameters(paramLabel = "ID", description = "A proof id (proof-...) or its deployment's (d-...).")
        String id;

        @Option(names = "--json", description = "The proof as JSON.")
        boolean json;

        @Option(names = "--md", description = "The proof as Markdown (the default).")
        boolean md;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (json && md) {
                throw new CliException(ExitCodes.USAGE, "--json and --md exclude each other");
            }
            Path dir = dataDir.resolve();
            String proofId = id.startsWith("d-") ? Rollouts.proofIdOf(id) : id;
            Proof p = VaultReading.read(dir, v -> v.proof(proofId)).map(ProofRecords::fromRecord)
                    .orElseThrow(() -> CliException.notFound("no proof " + proofId + " in " + dir));
            PrintWriter out = spec.commandLine().getOut();
            out.println(json ? ProofJson.toJson(p).toPrettyString() : ProofMarkdown.render(p));
            out.flush();
            return ExitCodes.OK;
        }
    }
}
