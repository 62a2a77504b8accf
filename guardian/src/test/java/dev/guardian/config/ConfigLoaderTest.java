package dev.guardian.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guardian.supervision.RestartType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    @Test
    void aFullConfigMapsOntoTheRecords() {
        GuardianConfig c = ConfigLoader.parse("""
                agent:
                  command: [python3, examples/python/learner_agent.py]
                  env: {LOG_LEVEL: debug}
                  working_dir: /tmp
                data_dir: /var/lib/guardian
                wal: {durability: sync, group_max_batch: 64, group_max_delay: 5ms, group_forcers: 2}
                checkpoint: {every_requests: 500, every: 10s, on_agent_request: false, keep_last: 4, known_good_after: 1m}
                heartbeat: {interval: 250ms, misses: 5}
                request_timeout: 2s
                startup_timeout: 20s
                restart:
                  type: transient
                  backoff: {initial: 50ms, max: 2s, multiplier: 3, reset_after: 1m}
                  intensity: {max_restarts: 10, window: 30s}
                  standby: true
                shutdown: {grace: 2s, term_grace: 1s}
                limits: {memory: 256MB, address_space: 2GB, cpu_time: 1h, open_files: 512}
                front_door: 127.0.0.1:8080
                admin: localhost:8081
                protocol: {max_line_bytes: 1048576}
                """, "test.yaml");
        assertThat(c.agent().command()).containsExactly("python3", "examples/python/learner_agent.py");
        assertThat(c.agent().env()).containsEntry("LOG_LEVEL", "debug");
        assertThat(c.agent().workingDir()).isEqualTo(Path.of("/tmp"));
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/guardian"));
        assertThat(c.wal()).isEqualTo(new GuardianConfig.Wal("sync", 64, Duration.ofMillis(5), 2, ByteSize.ofBytes(64L << 20)));
        assertThat(c.checkpoint()).isEqualTo(new GuardianConfig.Checkpoint(500L, Duration.ofSeconds(10), false, 4, Duration.ofMinutes(1), 3));
        assertThat(c.heartbeat()).isEqualTo(new GuardianConfig.Heartbeat(Duration.ofMillis(250), 5));
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.restart().policy().restart()).isEqualTo(RestartType.TRANSIENT);
        assertThat(c.restart().policy().backoffMultiplier()).isEqualTo(3.0);
        assertThat(c.restart().policy().maxRestarts()).isEqualTo(10);
        assertThat(c.restart().standby()).isTrue();
        assertThat(c.limits().toResourceLimits().rssBytes()).isEqualTo(256L << 20);
        assertThat(c.limits().toResourceLimits().addressSpaceBytes()).isEqualTo(2L << 30);
        assertThat(c.limits().toResourceLimits().cpuSeconds()).isEqualTo(3600);
        assertThat(c.frontDoor()).isEqualTo(new Endpoint("127.0.0.1", 8080));
        assertThat(c.protocol().maxLineBytes()).isEqualTo(1 << 20);
    }

    @Test
    void onlyTheAgentCommandIsRequiredAndTheRestDefaults() {
        GuardianConfig c = ConfigLoader.parse("agent: {command: [./agent]}", "min.yaml");
        assertThat(c).isEqualTo(GuardianConfig.forCommand(List.of("./agent")));
        assertThat(c.wal().durability()).isEqualTo("group");
        assertThat(c.heartbeat().interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.frontDoor().toString()).isEqualTo("127.0.0.1:7070");
        assertThat(c.restart().standby()).isFalse();
    }

    @Test
    void httpBoundsDefaultAndAreCheckedNamingTheKeyAndTheValue() {
        GuardianConfig c = ConfigLoader.parse("agent: {command: [a]}\nhttp: {read_timeout: 3s, max_connections: 50, max_header_bytes: 8KB}", "g.yaml");
        assertThat(c.http()).isEqualTo(new GuardianConfig.Http(Duration.ofSeconds(3), Duration.ofSeconds(60), Duration.ofSeconds(30), 50,
                ByteSize.ofBytes(8192)));
        assertThat(c.http().limits(1024).maxHeaderBytes()).isEqualTo(8192);
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nhttp: {read_timeout: 0s}", "g.yaml"))
                .hasMessageContaining("http.read_timeout must be > 0, but was 0s");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nhttp: {max_connections: 0}", "g.yaml"))
                .hasMessageContaining("http.max_connections must be between 1 and 1000000, but was 0");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nhttp: {max_header_bytes: 100}", "g.yaml"))
                .hasMessageContaining("http.max_header_bytes must be between 1KB and 1MB, but was 100");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nhttp: {header_timeout: 3s}", "g.yaml"))
                .hasMessageContaining("unknown key 'http.header_timeout'");
    }

    @Test
    void aStandbyThatIsNotABooleanNamesTheKeyAndTheValue() {
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nrestart: {standby: sometimes}", "g.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("restart.standby").hasMessageContaining("sometimes");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nrestart: {standby: 3}", "g.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("restart.standby").hasMessageContaining("3");
    }

    @Test
    void aFractionWhereACountIsExpectedIsRefusedNotTruncated() {
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\ncheckpoint: {keep_last: 2.7}", "g.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("checkpoint.keep_last").hasMessageContaining("2.7");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\ncheckpoint: {every_requests: 5.9}", "g.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("checkpoint.every_requests").hasMessageContaining("5.9");
    }

    @Test
    void aKeyGivenTwiceIsRefusedNamingIt() {
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nrequest_timeout: 5s\nrequest_timeout: 9s\n", "g.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("request_timeout");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nheartbeat: {misses: 2}\nheartbeat: {misses: 9}\n", "g.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("heartbeat");
    }

    @Test
    void anEmptyDataDirIsRefused() {
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\ndata_dir: ''\n", "g.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("data_dir");
    }

    @Test
    void anUnknownKeyIsNamedWithItsPath() {
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nheartbeat: {intervall: 1s}", "g.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("g.yaml: unknown key 'heartbeat.intervall' (known here: interval, misses)");
    }

    @Test
    void aBadDurationNamesTheKeyAndTheValue() {
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nheartbeat: {interval: soon}", "g.yaml"))
                .hasMessage("g.yaml: heartbeat.interval: 'soon' is not a duration (use e.g. 500ms, 5s, 2m, 1h) (value: soon)");
    }

    @Test
    void aValueARecordRefusesNamesTheKeyAndTheValue() {
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nheartbeat: {interval: 0s}", "g.yaml"))
                .hasMessage("g.yaml: heartbeat.interval must be > 0, but was 0s");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nwal: {durability: sometimes}", "g.yaml"))
                .hasMessage("g.yaml: wal.durability must be sync, group or async, but was 'sometimes'");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nwal: {group_forcers: 0}", "g.yaml"))
                .hasMessage("g.yaml: wal.group_forcers must be between 1 and 16, but was 0");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nrestart: {backoff: {initial: 5s, max: 1s}}", "g.yaml"))
                .hasMessage("g.yaml: restart.backoff.max must be >= restart.backoff.initial (5s), but was 1s");
    }

    @Test
    void aBadSizeOrAddressNamesTheKeyAndTheValue() {
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nlimits: {memory: lots}", "g.yaml"))
                .hasMessageContaining("limits.memory").hasMessageContaining("'lots' is not a size");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nfront_door: nowhere", "g.yaml"))
                .hasMessageContaining("front_door").hasMessageContaining("'nowhere' is not host:port");
    }

    @Test
    void maxLineBytesIsASizeLikeTheMemoryLimit() {
        assertThat(ConfigLoader.parse("agent: {command: [a]}\nprotocol: {max_line_bytes: 1MB}", "g.yaml").protocol().maxLineBytes())
                .isEqualTo(1 << 20);
        assertThat(ConfigLoader.parse("agent: {command: [a]}\nprotocol: {max_line_bytes: 64KiB}", "g.yaml").protocol().maxLineBytes())
                .isEqualTo(64 << 10);
        assertThat(ConfigLoader.parse("agent: {command: [a]}\nprotocol: {max_line_bytes: 65536}", "g.yaml").protocol().maxLineBytes())
                .isEqualTo(65536);
        assertThat(ConfigLoader.parse("agent: {command: [a]}\nprotocol: {max_line_bytes: 1GB}", "g.yaml").protocol().maxLineBytes())
                .as("the cap itself").isEqualTo(1 << 30);
        assertThat(ConfigLoader.parse("agent: {command: [a]}\nprotocol: {}", "g.yaml").protocol().maxLineBytes())
                .isEqualTo(16 << 20);
    }

    @Test
    void aMaxLineBytesTooLargeForTheCodecOrTooSmallNamesTheKeyAndTheValue() {
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nprotocol: {max_line_bytes: 2147483647}", "g.yaml"))
                .hasMessage("g.yaml: protocol.max_line_bytes must be at most 1GB (1073741824 bytes), but was 2147483647");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nprotocol: {max_line_bytes: 2GB}", "g.yaml"))
                .hasMessage("g.yaml: protocol.max_line_bytes must be at most 1GB (1073741824 bytes), but was 2GB");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nprotocol: {max_line_bytes: 5000000000}", "g.yaml"))
                .hasMessage("g.yaml: protocol.max_line_bytes must be at most 1GB (1073741824 bytes), but was 5000000000");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nprotocol: {max_line_bytes: 512}", "g.yaml"))
                .hasMessage("g.yaml: protocol.max_line_bytes must be >= 1024, but was 512");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nprotocol: {max_line_bytes: 1.5MB}", "g.yaml"))
                .hasMessage("g.yaml: protocol.max_line_bytes: '1.5MB' is not a size (use e.g. 512MB, 2GB, 64KB or bytes)");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nprotocol: {max_line_byte: 1MB}", "g.yaml"))
                .hasMessageContaining("unknown key 'protocol.max_line_byte'").hasMessageContaining("max_line_bytes");
    }

    @Test
    void aSizeThatOverflowsIsRefusedNotWrappedAround() {
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nlimits: {memory: 99999999999T}", "g.yaml"))
                .hasMessage("g.yaml: limits.memory: '99999999999T' is too large a size (at most 9223372036854775807 bytes)");
    }

    @Test
    void theRolloutSectionMapsOntoThePlanAndTheJudge() throws Exception {
        GuardianConfig c = ConfigLoader.parse("agent: {command: [a]}\n"
                + "rollout: {strategy: shadow, stages: [5, 50, 100], stage: {min_samples: 50, min_duration: 2s},\n"
                + "  shadow: {min_samples: 300}, drill: allow, sticky_key: /user, proposals: canary,\n"
                + "  compare: {mode: structural, ignore: [/payload/at], rel_tolerance: 0.01},\n"
                + "  judge: {max_latency_multiplier: 1.3, max_memory_growth: 32MB, min_samples: 100}}", "g.yaml");
        var plan = c.rollout().plan(c.rollout().defaultStrategy());
        assertThat(plan.strategy()).isEqualTo(dev.guardian.evolution.rollout.Strategy.SHADOW);
        assertThat(plan.canaryStages()).containsExactly(5, 50, 100);
        assertThat(plan.canaryStage().minSamples()).isEqualTo(50);
        assertThat(plan.canaryStage().minDuration()).isEqualTo(Duration.ofSeconds(2));
        assertThat(plan.shadowWindow().minSamples()).isEqualTo(300);
        assertThat(plan.drillPolicy()).isEqualTo(dev.guardian.evolution.rollout.RolloutPlan.DrillPolicy.ALLOW);
        assertThat(plan.stickyKey()).isEqualTo("/user");
        assertThat(c.rollout().proposalStrategy()).isEqualTo(dev.guardian.evolution.rollout.Strategy.CANARY);
        var judge = c.rollout().judgeConfig();
        assertThat(judge.maxLatencyMultiplierP50()).isEqualTo(1.3);
        assertThat(judge.maxLatencyMultiplierP95()).isEqualTo(1.3);
        assertThat(judge.maxMemoryGrowthBytes()).isEqualTo(32L << 20);
        assertThat(judge.minSamples()).isEqualTo(100);
        var compare = c.rollout().comparator();
        assertThat(compare.matches(JSON.readTree("{\"payload\":{\"x\":100,\"at\":1}}"),
                JSON.readTree("{\"payload\":{\"x\":100.5,\"at\":2}}"))).isTrue();
    }

    @Test
    void aBadRolloutValueNamesTheYamlKey() {
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nrollout: {strategy: yolo}", "g.yaml"))
                .hasMessage("g.yaml: rollout.strategy must be one of shadow, canary, direct, but was 'yolo'");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nrollout: {stages: [10, 50]}", "g.yaml"))
                .hasMessage("g.yaml: rollout.canary.stages must end at 100, but was [10, 50]");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nrollout: {judge: {max_error_rate_increase: 2}}", "g.yaml"))
                .hasMessageStartingWith("g.yaml: rollout.judge.max_error_rate_increase").hasMessageContaining("but was 2");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nrollout: {compare: {ignore: [/x]}}", "g.yaml"))
                .hasMessageContaining("rollout.compare: ignore and tolerances need mode: structural");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nrollout: {judge: {min_agreemnt: 1}}", "g.yaml"))
                .hasMessageContaining("unknown key 'rollout.judge.min_agreemnt'");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nrollout: {shadow_scheduling: batch}", "g.yaml"))
                .hasMessage("g.yaml: rollout.shadow_scheduling must be one of idle, nice, but was 'batch'");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nrollout: {follower_queue: 0}", "g.yaml"))
                .hasMessage("g.yaml: rollout.follower_queue must be 1..1000000, but was 0");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nrollout: {follower_queue: 1000001}", "g.yaml"))
                .hasMessage("g.yaml: rollout.follower_queue must be 1..1000000, but was 1000001");
        assertThat(ConfigLoader.parse("agent: {command: [a]}", "g.yaml").rollout().followerQueue()).isEqualTo(1000);
    }

    @Test
    void shadowsRunUnderSchedIdleUnlessTheConfigSaysNice() throws Exception {
        assertThat(ConfigLoader.parse("agent: {command: [a]}", "g.yaml").rollout().shadowPriority())
                .isEqualTo(new dev.guardian.process.CpuPriority(10, true));
        assertThat(ConfigLoader.parse("agent: {command: [a]}\nrollout: {shadow_scheduling: nice, shadow_niceness: 15}", "g.yaml")
                .rollout().shadowPriority()).isEqualTo(dev.guardian.process.CpuPriority.nice(15));
    }

    @Test
    void anAdminAddressOffLoopbackIsRefused() {
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nadmin: 0.0.0.0:7071", "g.yaml"))
                .hasMessage("g.yaml: admin must listen on a loopback address, but was 0.0.0.0:7071");
    }

    @Test
    void aWrongRestartTypeListsTheChoices() {
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nrestart: {type: sometimes}", "g.yaml"))
                .hasMessage("g.yaml: restart.type: must be permanent, transient or temporary (value: sometimes)");
    }

    @Test
    void aMissingCommandAnEmptyFileAndBrokenYamlAreClear() {
        assertThatThrownBy(() -> ConfigLoader.parse("data_dir: /x", "g.yaml")).hasMessage("g.yaml: agent.command is required");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: []}", "g.yaml"))
                .hasMessage("g.yaml: agent.command must name a program, but was []");
        assertThatThrownBy(() -> ConfigLoader.parse("", "g.yaml")).hasMessageContaining("agent.command is required");
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]\n  oops: [", "g.yaml"))
                .hasMessageStartingWith("g.yaml: not valid YAML");
        assertThatThrownBy(() -> ConfigLoader.load(Path.of("/nonexistent/guardian.yaml")))
                .hasMessage("config file /nonexistent/guardian.yaml does not exist");
    }

    @Test
    void aValueOfTheWrongKindNamesTheKey() {
        assertThatThrownBy(() -> ConfigLoader.parse("agent: {command: [a]}\nheartbeat: {misses: many}", "g.yaml"))
                .hasMessageContaining("heartbeat.misses").hasMessageContaining("many");
    }
}
