#!/usr/bin/env bash
# Guardian's own restart (issue 15, item 12): SIGKILL of the Guardian JVM -> exec of `bin/guardian run` on the same
# data directory (default config) -> first 200 of a keyed POST /v1/invoke retried at once, with 0 and 100 000
# requests in the retained log, beside `java -version` and `guardian --version`, interleaved in one run.
# Builds the jar, the AppCDS archive and the test classes, then runs dev.guardian.bench.RestartBench;
# prints a Markdown table on stdout, progress on stderr.
#
#   bench/restart.sh           # the restarts
#   bench/restart.sh phases    # the restarts only, each with -Xlog:class+load: where the time goes, step by step
#   bench/restart.sh scan      # the log read for idempotency keys alone, in fresh JVMs (LogScanProbe), on RECORDS requests
#   env: REPS=15 WARMUP=2 RECORDS="0 100000" (requests logged before the rounds)
#        VARIANTS="cds nocds": cds = bin/guardian with its AppCDS archive, nocds = GUARDIAN_CDS=off,
#          NAME=JAVA_OPTS (commas for spaces) = with the archive and these JVM options,
#          NAME@DIR = the bin/guardian of another built checkout (e.g. a `git worktree` of main: a "before")
#        BASE_VARIANT (default nocds) is what the ratio column divides by
#        PYTHON=python3 (the agent's interpreter) SETTLE_MS=500 (pause between cases)
#        HOLD_MS=300 (the daemon runs this long after its first 200, then SIGKILL)
#        RETRY_PAUSE_US=1000 (pause between tries; 0: a busy loop) FILL_CONNS=16
#        DATA_ROOT=/tmp/guardian-restart-bench KEEP_DATA=1 keeps the data directories
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q -DskipTests package -pl guardian -am >&2
mvn -B -q -pl guardian -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
cpf="$root/guardian/target/bench.classpath"
echo "load average before: $(cat /proc/loadavg)" >&2
exec java -Dbench.root="$root" ${RESTART_BENCH_OPTS:-} \
  -cp "$root/guardian/target/test-classes:$root/guardian/target/classes:$(cat "$cpf")" \
  dev.guardian.bench.RestartBench "$@"
