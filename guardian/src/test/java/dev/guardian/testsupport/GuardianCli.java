package dev.guardian.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real packaged {@code guardian} command (the shaded jar built by {@code package}) as a
 * child process, the way a user runs {@code bin/guardian}. For *IT tests run by failsafe.
 */
public final class GuardianCli {

    /** What a finished command printed and returned. */
    public record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    private GuardianCli() {
    }

    public static Path jar() {
        String jar = System.getProperty("guardian.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("guardian.jar not built (run through `mvn verify`): " + jar);
        }
        return Path.of(jar);
    }

    /** The repository root, for example agents and scripts. */
    public static Path repo() {
        return Path.of(System.getProperty("guardian.repo", "..")).toAbsolutePath().normalize();
    }

    /** The java command line that starts the guardian jar; {@code args} follow. */
    public static List<String> command(String... args) {
        return command(List.of(), args);
    }

    /** The same, with extra JVM options such as {@code -Xmx64m}. */
    public static List<String> command(List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-Dchronicle.analytics.disable=true");
        cmd.add("-Dchronicle.announcer.disable=true");
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs {@code guardian args...} to completion (at most {@code timeout}) and captures its output. */
    public static Result run(Duration timeout, String... args) {
        return run(List.of(), timeout, args);
    }

    /** The same, with extra JVM options for the guardian process. */
    public static Result run(List<String> jvmOptions, Duration timeout, String... args) {
        try {
            Path out = Files.createTempFile("guardian-out", ".txt");
            Path err = Files.createTempFile("guardian-err", ".txt");
            try {
                Process p = new ProcessBuilder(command(jvmOptions, args))
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor();
                    throw new AssertionError("guardian " + String.join(" ", args) + " did not finish within " + timeout
                            + "\n" + Files.readString(out) + "\n" + Files.readString(err));
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public static Result run(String... args) {
        return run(Duration.ofMinutes(2), args);
    }
}
