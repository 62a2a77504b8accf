#!/usr/bin/env bash
# Codec benchmark (issue 2): encode + decode of a typical request/response pair on one thread,
# against plain Jackson trees as the baseline, measured in the same run. Prints a Markdown table.
# Usage: [JMH_OPTS='-f 3 ...'] [BENCH='regex'] bench/codec.sh [extra JMH args]
#   JMH_OPTS defaults to 3 forks, 5 x 2 s warm-up, 5 x 2 s measurement per fork (about 4 minutes);
#   BENCH='regex' picks other benchmarks (default: codecPair, codecPairPayload, jacksonTreePair,
#   readerStream; encodePair and decodePair are the breakdown). Decoding leaves payloads as raw
#   bytes until payload() is called: codecPair never calls it, codecPairPayload calls it on both
#   decoded messages.
# Run it under `flock /tmp/guardian-bench.lock` on a shared machine. Two figures per row:
#   msgs/s      JMH's wall-clock throughput (what one core gives when nothing else runs);
#   msgs/cpu-s  messages per CPU-second of the benchmark JVM, which stays comparable when other
#               work takes the cores (cpu share < 1 means the JVM did not get a whole core).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl agent-protocol -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
cp="agent-protocol/target/test-classes:agent-protocol/target/classes:$(cat agent-protocol/target/bench.classpath)"
out=$(mktemp -d)
load_before=$(cut -d' ' -f1 /proc/loadavg)
java -cp "$cp" org.openjdk.jmh.Main "dev.guardian.protocol.bench.CodecBenchmark.(${BENCH:-codecPair|codecPairPayload|jacksonTreePair|readerStream})\$" \
    ${JMH_OPTS:--f 3 -wi 5 -w 2s -i 5 -r 2s} -prof gc -prof dev.guardian.protocol.bench.CpuTimeProfiler \
    -rf json -rff "$out/codec.json" "$@" >"$out/jmh.log"
load_after=$(cut -d' ' -f1 /proc/loadavg)
echo "JMH log: $out/jmh.log; 1-min load average: $load_before before, $load_after after"
python3 - "$out/codec.json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))
rows = {r["benchmark"].rsplit(".", 1)[1]: r for r in runs}
per_op = {"codecPair": 2, "codecPairPayload": 2, "jacksonTreePair": 2, "encodePair": 2, "decodePair": 2, "readerStream": 1}
label = {
    "codecPair": "codec: request/response pair, encode + decode (payload left raw)",
    "codecPairPayload": "codec: same, and payload() read after decode",
    "jacksonTreePair": "baseline: same JSON through plain Jackson trees",
    "readerStream": "reader: decode a stream of lines (decode only)",
    "encodePair": "breakdown: encode only",
    "decodePair": "breakdown: decode only",
}
first = runs[0]
print(f"forks {first['forks']}, warm-up {first['warmupIterations']} x {first['warmupTime']}, "
      f"measurement {first['measurementIterations']} x {first['measurementTime']}, {first['jdkVersion']}")
print()
print("| benchmark | msgs/s (wall) | ± 99.9 % | msgs/cpu-s | ± 99.9 % | cpu share | B/msg |")
print("|---|---:|---:|---:|---:|---:|---:|")
def fig(name):
    r = rows[name]; k = per_op[name]; m = r["primaryMetric"]; s = r["secondaryMetrics"]
    v = lambda x: float(x)  # JMH writes "NaN" (a string) when there are too few samples for an error
    return (v(m["score"]) * k, v(m["scoreError"]) * k, v(s["cpu.ops"]["score"]) * k,
            v(s["cpu.ops"]["scoreError"]) * k, v(s["cpu.share"]["score"]), v(s["gc.alloc.rate.norm"]["score"]) / k)
for name in label:
    if name in rows:
        w, we, c, ce, share, alloc = fig(name)
        print(f"| {label[name]} | {w:,.0f} | {we:,.0f} | {c:,.0f} | {ce:,.0f} | {share:.2f} | {alloc:,.0f} |")
print()
for name in ("codecPair", "codecPairPayload"):
    if name not in rows:
        continue
    w, we, c, ce, _, _ = fig(name)
    if "jacksonTreePair" in rows:
        pw, _, pc, _, _, _ = fig("jacksonTreePair")
        print(f"{name} / plain Jackson: {w / pw:.2f} (wall), {c / pc:.2f} (per CPU-second)")
    verdict = "met" if w - we >= 500_000 else ("met on average, not at the lower error bound" if w >= 500_000 else "NOT met")
    print(f"{name}: target >= 500,000 messages/s on one core (wall clock, mean - error): {verdict}")
PY
