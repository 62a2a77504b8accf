package dev.guardian.cli.wal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guardian.cli.CliException;
import dev.guardian.wal.WalCursor;
import dev.guardian.cli.DataDirMixin;
import dev.guardian.wal.WalException;
import dev.guardian.wal.WalGap;
import dev.guardian.wal.WalReader;
import dev.guardian.wal.WalRecord;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code guardian wal tail [DIR | --data-dir DIR] [--from SEQ] [--follow] [--json]}: print records, optionally following new ones. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Print the records of a write-ahead log from a sequence; with --follow, keep printing new ones.")
public final class WalTailCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final int PREVIEW = 60;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
            description = "A WAL directory, or a Guardian data directory containing wal/ (default: the data directory).")
    Path dir;

    @CommandLine.Mixin
    DataDirMixin dataDir;

    @Option(names = "--from", paramLabel = "SEQ", defaultValue = "1", description = "First sequence to print (default: ${DEFAULT-VALUE}).")
    long from;

    @Option(names = "--follow", description = "Keep running and print records as they are appended (stop with Ctrl-C).")
    boolean follow;

    @Option(names = "--json", description = "One JSON object per record per line; the payload as UTF-8 text when valid, else base64 (see payloadEncoding).")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (from < 1) {
            throw CliException.badInput("--from must be >= 1, but was " + from);
        }
        PrintWriter out = spec.commandLine().getOut();
        WalCli.Target target = WalCli.target(dir, dataDir, spec.commandLine());
        try (WalReader reader = target.openReadOnly(); WalCursor cursor = reader.read(from)) {
            if (!json) {
                out.printf("%10s  %-27s  %-12s  %-16s  %-10s  %s%n", "SEQ", "TIME", "TYPE", "INSTANCE", "VERSION", "PAYLOAD");
            }
            List<WalGap> gaps = reader.gaps();
            long previous = 0;
            long park = 50_000;
            while (true) {
                WalRecord r = cursor.next();
                if (r == null) {
                    out.flush();
                    if (!follow || out.checkError()) {
                        break;
                    }
                    LockSupport.parkNanos(park);
                    park = Math.min(park * 2, TimeUnit.MILLISECONDS.toNanos(50));
                    continue;
                }
                park = 50_000;
                if (previous > 0 && r.sequence() > previous + 1) {
                    missing(previous + 1, r.sequence() - 1, gaps, out);
                }
                previous = r.sequence();
                if (json) {
                    out.println(json(r));
                } else {
                    out.println(human(r));
                }
            }
        } catch (WalException e) {
            throw target.toCli(e);
        }
        return 0;
    }

    /**
     * A jump between two records: said where it is, in the table (one JSON object per line stays one record per
     * line: there, on stderr).
     */
    private void missing(long first, long last, List<WalGap> gaps, PrintWriter out) {
        String what = gaps.stream().filter(g -> g.from() == first && g.to() == last).map(WalGap::what).findFirst()
                .orElse("missing from the log (records skipped as damaged, or a jump the writer made on purpose)");
        String line = "seq " + (first == last ? Long.toString(first) : first + ".." + last) + " are missing: " + what;
        if (json) {
            spec.commandLine().getErr().println("guardian wal tail: " + line);
            spec.commandLine().getErr().flush();
        } else {
            out.printf("%10s  %s%n", "-", line);
        }
    }

    private String json(WalRecord r) throws Exception {
        ObjectNode o = mapper.createObjectNode();
        o.put("seq", r.sequence());
        o.put("time", TIME.format(r.time()));
        o.put("type", r.type());
        o.put("instance", r.instance());
        o.put("version", r.version());
        String text = utf8(r.payload());
        o.put("payloadEncoding", text != null ? "utf8" : "base64");
        o.put("payload", text != null ? text : Base64.getEncoder().encodeToString(r.payload()));
        return mapper.writeValueAsString(o);
    }

    private static String human(WalRecord r) {
        String text = utf8(r.payload());
        String preview;
        if (text == null) {
            String b64 = Base64.getEncoder().encodeToString(r.payload());
            preview = "base64:" + (b64.length() > PREVIEW ? b64.substring(0, PREVIEW) + "…" : b64);
        } else {
            StringBuilder sb = new StringBuilder();
            text.codePoints().limit(PREVIEW).forEach(cp -> {
                if (cp == '\n') {
                    sb.append("\\n");
                } else if (Character.isISOControl(cp)) {
                    sb.append(String.format("\\u%04x", cp));
                } else {
                    sb.appendCodePoint(cp);
                }
            });
            if (text.codePointCount(0, text.length()) > PREVIEW) {
                sb.append('…');
            }
            preview = sb.toString();
        }
        return String.format("%10d  %-27s  %-12s  %-16s  %-10s  %s", r.sequence(), TIME.format(r.time()),
                dash(r.type()), dash(r.instance()), dash(r.version()), preview);
    }

    private static String dash(String s) {
        return s.isEmpty() ? "-" : s;
    }

    /** The payload as text if it is valid UTF-8, else null. */
    static String utf8(byte[] payload) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
