package dev.guardian.process;

/**
 * Caps on one instance; 0 means no cap. Address space, CPU time and open files are enforced by the
 * kernel (prlimit); RSS is watched by the supervisor, which kills an instance that exceeds it.
 */
public record ResourceLimits(long addressSpaceBytes, long cpuSeconds, long openFiles, long rssBytes) {

    public static final ResourceLimits NONE = new ResourceLimits(0, 0, 0, 0);

    public ResourceLimits {
        check("addressSpaceBytes", addressSpaceBytes);
        check("cpuSeconds", cpuSeconds);
        check("openFiles", openFiles);
        check("rssBytes", rssBytes);
    }

    private static void check(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0 (0: no cap), but was " + value);
        }
    }
}
