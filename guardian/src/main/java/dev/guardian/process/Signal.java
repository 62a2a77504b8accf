package dev.guardian.process;

/** The signals Guardian sends, with their Linux numbers. */
public enum Signal {
    TERM(15), KILL(9), STOP(19), CONT(18);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }
}
