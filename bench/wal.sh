#!/usr/bin/env bash
# WAL benchmark (issue 3): builds the wal module's test classes and runs dev.guardian.wal.bench.WalBench.
# Prints a Markdown table and a summary on stdout. Usage: bench/wal.sh [work dir on the disk to measure]
#   WAL_BENCH_OPTS="-Dwal.bench.only=open"   only the open-loop group cases (issue 3 target), between two 1-thread
#                                            sync runs (the baseline of "added p99"); ~40 s
#   WAL_BENCH_OPTS="-Dwal.bench.rates=50000,75000 -Dwal.bench.groupConfigs=1:0,4:200"
#                                            offered rates; group configs as forcers:maxDelayMicros[:maxBatch]
#   WAL_CLASSES=/path/to/wal/target/classes  measure another build of the wal module (before/after comparisons)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q -pl wal -am -DskipTests test-compile >&2
cp="$root/wal/target/bench.classpath"
mvn -B -q -pl wal dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp" >&2
work="${1:-$root/wal/target/bench-work}"
# Chronicle Queue needs these on JDK 17 (shared/STACK.md; same as the chronicle.jvm.flags Maven property).
exec java \
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
  --add-exports=java.base/jdk.internal.util=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED \
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
  --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED \
  -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true \
  -Xms512m -Xmx1g -XX:+AlwaysPreTouch ${WAL_BENCH_OPTS:-} \
  -cp "${WAL_CLASSES:-$root/wal/target/classes}:$root/wal/target/test-classes:$(cat "$cp")" \
  dev.guardian.wal.bench.WalBench "$work"
