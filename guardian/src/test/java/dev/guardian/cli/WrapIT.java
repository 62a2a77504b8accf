package dev.guardian.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.guardian.protocol.Codec;
import dev.guardian.protocol.Frame;
import dev.guardian.protocol.Message;
import dev.guardian.protocol.ProtocolReader;
import dev.guardian.protocol.ProtocolWriter;
import dev.guardian.testsupport.GuardianCli;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code guardian wrap}: Guardian between a program and its agent, on stdin/stdout. */
class WrapIT {

    private static final Codec CODEC = Codec.ofDefaults();
    private static final String LEARNER = GuardianCli.repo().resolve("examples/python/learner_agent.py").toString();

    @TempDir
    Path tmp;

    @Test
    void aProgramTalksToTheAgentThroughGuardianAndAnAgentKillLosesNothing() throws Exception {
        Process wrap = new ProcessBuilder(GuardianCli.command("wrap", "--data-dir", tmp.resolve("data").toString(), "--",
                "python3", LEARNER)).redirectError(tmp.resolve("wrap.log").toFile()).start();
        try {
            LinkedBlockingQueue<Message> fromGuardian = new LinkedBlockingQueue<>();
            ProtocolReader reader = CODEC.reader(wrap.getInputStream());
            Thread t = new Thread(() -> {
                Frame f;
                while ((f = reader.next()) instanceof Frame.Received r) {
                    fromGuardian.add(r.message());
                }
            });
            t.setDaemon(true);
            t.start();
            ProtocolWriter toGuardian = CODEC.writer(wrap.getOutputStream());
            assertThat(fromGuardian.poll(60, TimeUnit.SECONDS)).isInstanceOf(Message.Ready.class);
            toGuardian.write(new Message.Init(1, "w", Message.Role.PRIMARY, null, null, 0));
            assertThat(fromGuardian.poll(30, TimeUnit.SECONDS)).isEqualTo(new Message.Initialized(0));

            for (int i = 1; i <= 20; i++) {
                toGuardian.write(new Message.Request("r" + i, i, CODEC.mapper().readTree("{\"op\":\"learn\",\"key\":\"w\"}"), false));
            }
            List<Message.Response> answers = take(fromGuardian, 20);
            assertThat(answers).allMatch(Message.Response::ok);
            // The same id again is the same request: answered, not applied twice.
            toGuardian.write(new Message.Request("r20", 21, CODEC.mapper().readTree("{\"op\":\"learn\",\"key\":\"w\"}"), false));
            assertThat(take(fromGuardian, 1).get(0).payload().get("count").asInt()).isEqualTo(20);

            // Kill the agent under Guardian: the next requests are still answered, memory intact.
            List<ProcessHandle> agents = wrap.toHandle().descendants()
                    .filter(h -> h.info().commandLine().orElse("").contains("learner_agent.py")).toList();
            assertThat(agents).isNotEmpty();
            agents.forEach(ProcessHandle::destroyForcibly);
            toGuardian.write(new Message.Request("after-kill", 22, CODEC.mapper().readTree("{\"op\":\"learn\",\"key\":\"w\"}"), false));
            assertThat(take(fromGuardian, 1).get(0).payload().get("count").asInt()).isEqualTo(21);

            toGuardian.write(new Message.Ping(7));
            assertThat(fromGuardian.poll(10, TimeUnit.SECONDS)).isEqualTo(new Message.Pong(7));
            toGuardian.close();
            assertThat(wrap.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(wrap.exitValue()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> wrap.toHandle().descendants().findAny().isEmpty());
        } finally {
            wrap.destroyForcibly();
        }
    }

    private static List<Message.Response> take(LinkedBlockingQueue<Message> queue, int n) throws InterruptedException {
        List<Message.Response> out = new ArrayList<>();
        while (out.size() < n) {
            Message m = queue.poll(60, TimeUnit.SECONDS);
            assertThat(m).as("answer %d of %d", out.size() + 1, n).isNotNull();
            if (m instanceof Message.Response r) {
                out.add(r);
            }
        }
        return out;
    }
}
