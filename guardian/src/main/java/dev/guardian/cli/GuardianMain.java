package dev.guardian.cli;

/** Entry point of the {@code guardian} command. */
public final class GuardianMain {

    private GuardianMain() {
    }

    public static void main(String[] args) {
        // Chronicle reads these once, at class-load time; they cannot go in a jar manifest.
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        System.exit(GuardianCommand.commandLine().execute(args));
    }
}
