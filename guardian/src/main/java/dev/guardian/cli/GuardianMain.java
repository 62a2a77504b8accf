package dev.guardian.cli;

/** Entry point of the {@code guardian} command. */
public final class GuardianMain {

    private GuardianMain() {
    }

    public static void main(String[] args) {
        // Chronicle reads these once, at class-load time; they cannot go in a jar manifest.
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        // Chronicle loads its POSIX binding (jnr-ffi) when it starts; jnr-ffi's default generates each native stub as a
        // class with ASM (~70 ms of a daemon start, and classes made at run time cannot be in the AppCDS archive). Its
        // reflection loader binds the same functions without that; Chronicle calls them rarely (not on the WAL's
        // append or force path). BENCHMARKS.md, "Guardian restart".
        if (System.getProperty("jnr.ffi.asm.enabled") == null) {
            System.setProperty("jnr.ffi.asm.enabled", "false");
        }
        System.exit(GuardianCommand.commandLine(args).execute(args));
    }
}
