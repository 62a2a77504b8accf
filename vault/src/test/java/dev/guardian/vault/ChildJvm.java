package dev.guardian.vault;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A child JVM running a main class of these tests, with the test classpath and its own tmpdir
 * (lz4-java extracts a .so there and removes it only on a clean exit). Its stdout lines are
 * collected by a reader thread.
 */
final class ChildJvm {
    final Process process;
    final Queue<String> lines = new ConcurrentLinkedQueue<>();
    private final Thread reader;

    private ChildJvm(Process process) {
        this.process = process;
        this.reader = new Thread(this::readLines, "child-stdout-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    static ChildJvm start(Path tmpDir, Class<?> main, String... args) throws IOException {
        Files.createDirectories(tmpDir);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Djava.io.tmpdir=" + tmpDir);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectError(tmpDir.resolve("stderr.txt").toFile())
                .start();
        return new ChildJvm(p);
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the child died: what was read is what it printed
        }
    }

    /** Waits for the child to be gone and for every line it printed to be read. */
    void awaitEnd() throws InterruptedException {
        process.waitFor();
        reader.join(10_000);
    }

    long count(String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).count();
    }
}
