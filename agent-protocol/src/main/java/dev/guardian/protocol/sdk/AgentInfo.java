package dev.guardian.protocol.sdk;

import java.util.List;
import java.util.Objects;

/** What an agent announces in its {@code ready} message. */
public record AgentInfo(String name, String version, List<String> capabilities) {
    public AgentInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        capabilities = capabilities == null ? List.of("checkpoint", "replay") : List.copyOf(capabilities);
    }

    public static AgentInfo of(String name, String version) {
        return new AgentInfo(name, version, null);
    }
}
