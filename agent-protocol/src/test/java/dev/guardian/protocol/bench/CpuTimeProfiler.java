package dev.guardian.protocol.bench;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Operations per second of CPU time used by the benchmark JVM (all its threads: the benchmark
 * thread, GC, JIT), per iteration. The machine is shared: when other work takes the cores,
 * JMH's wall-clock throughput falls with it, but the work done per CPU-second does not, so this is
 * the figure to compare across runs at different loads. Also reports {@code cpu.share}: CPU
 * seconds per wall second, 1.0 when the benchmark thread had a core to itself and nothing else ran.
 * Use with {@code -prof dev.guardian.protocol.bench.CpuTimeProfiler}.
 */
public final class CpuTimeProfiler implements InternalProfiler {

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long cpuStart;
    private long wallStart;

    @Override
    public String getDescription() {
        return "operations per CPU-second of the benchmark JVM";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        cpuStart = os.getProcessCpuTime();
        wallStart = System.nanoTime();
    }

    @Override
    public List<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
            IterationResult result) {
        double cpuSeconds = (os.getProcessCpuTime() - cpuStart) / 1e9;
        double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
        long ops = result.getMetadata().getAllOps();
        return List.of(
                new ScalarResult("cpu.ops", ops / cpuSeconds, "ops/cpu-s", AggregationPolicy.AVG),
                new ScalarResult("cpu.share", cpuSeconds / wallSeconds, "cpu-s/s", AggregationPolicy.AVG));
    }
}
