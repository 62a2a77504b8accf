package dev.guardian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.protocol.Codec;
import dev.guardian.protocol.check.CheckOptions;
import dev.guardian.protocol.check.CheckReport;
import dev.guardian.protocol.check.ConformanceCheck;
import dev.guardian.protocol.check.RuleResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code guardian agent-check -- CMD ARGS...}: which protocol rules an agent binary passes. */
@Command(name = "agent-check", mixinStandardHelpOptions = true,
        description = {"Launch an agent and check each rule of the protocol (docs/protocol.md).",
                "Prints one line per rule; exits 0 only when every rule passes, 1 otherwise."})
public final class AgentCheckCommand implements Callable<Integer> {

    @Option(names = "--timeout", defaultValue = "5s", converter = DurationConverter.class,
            description = "Longest wait for any one answer or exit (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--requests", paramLabel = "FILE",
            description = "Request payloads to send, one JSON value per line (default: the learner's).")
    Path requests;

    @Option(names = "--max-line-bytes", defaultValue = "" + Codec.DEFAULT_MAX_LINE_BYTES,
            description = "Largest line accepted from the agent (default: ${DEFAULT-VALUE}).")
    int maxLineBytes;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The agent's command line, after --.")
    List<String> command;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CheckOptions options;
        try {
            options = new CheckOptions(timeout, payloads(), maxLineBytes);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        CheckReport report = ConformanceCheck.run(command, options);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(report).toPrettyString());
        } else {
            print(report, out);
        }
        out.flush();
        return report.passed() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    private List<JsonNode> payloads() {
        if (requests == null) {
            return ConformanceCheck.defaultPayloads();
        }
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(requests);
        } catch (NoSuchFileException e) {
            throw CliException.notFound("--requests: no such file " + requests);
        } catch (IOException e) {
            throw CliException.badInput("--requests: cannot read " + requests + ": " + e.getMessage());
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                out.add(mapper.readTree(lines.get(i)));
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw CliException.badInput("--requests: " + requests + " line " + (i + 1) + " is not JSON: "
                        + e.getOriginalMessage());
            }
        }
        if (out.isEmpty()) {
            throw CliException.badInput("--requests: " + requests + " holds no payloads");
        }
        return out;
    }

    private static void print(CheckReport report, PrintWriter out) {
        out.println("agent-check: " + String.join(" ", report.command()));
        for (RuleResult r : report.results()) {
            out.printf("  %-4s  %-21s %s%n", r.status(), r.rule().id(), r.detail());
        }
        out.printf("agent-check: %d of %d rules passed%s%n", report.count(RuleResult.Status.PASS), report.results().size(),
                report.passed() ? "" : " (" + report.count(RuleResult.Status.FAIL) + " failed, "
                        + report.count(RuleResult.Status.SKIP) + " not checked)");
    }

    private static ObjectNode toJson(CheckReport report) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        ArrayNode cmd = root.putArray("command");
        report.command().forEach(cmd::add);
        root.put("passed", report.passed());
        ArrayNode rules = root.putArray("rules");
        for (RuleResult r : report.results()) {
            rules.addObject().put("rule", r.rule().id()).put("status", r.status().name())
                    .put("detail", r.detail()).put("millis", r.millis())
                    .put("description", r.rule().description());
        }
        return root;
    }
}
