package dev.guardian.wal.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/** Chronicle roll cycles by name, so that configuration stays free of Chronicle types. */
public final class RollCycleNames {
    private static final Map<String, RollCycle> BY_NAME = new LinkedHashMap<>();

    static {
        for (RollCycles rc : RollCycles.values()) {
            BY_NAME.put(rc.name(), rc);
        }
        for (TestRollCycles rc : TestRollCycles.values()) {
            BY_NAME.put(rc.name(), rc);
        }
    }

    private RollCycleNames() {
    }

    public static boolean isKnown(String name) {
        return BY_NAME.containsKey(name);
    }

    public static Set<String> known() {
        return BY_NAME.keySet();
    }

    static RollCycle resolve(String name) {
        RollCycle rc = BY_NAME.get(name);
        if (rc == null) {
            throw new IllegalArgumentException("unknown roll cycle " + name);
        }
        return rc;
    }
}
