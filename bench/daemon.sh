#!/usr/bin/env bash
# Daemon benchmarks (issue 5). Builds the product jar, the example Java agent and the guardian test
# classes, then runs dev.guardian.bench.DaemonBench; prints a Markdown table on stdout, progress on stderr.
#
#   bench/daemon.sh recovery   # SIGKILL of the agent -> next 200, vs the agent's own cold start (1 MB memory)
#                              #   env: AGENTS="python java" KILLS=25 KEYS=20000 WARMUP_KILLS=5 RESTART_MODES="cold standby"
#   bench/daemon.sh overhead   # wrk through `guardian run` vs a plain JDK-HttpServer->pipe server (needs wrk)
#                              #   SERVERS="baseline guardian guardian-keyed": guardian-keyed sends every request with a key of its own
#                              #   SERVERS="baseline guardian guardian-async guardian-f1" adds `run --durability async` and wal.group_forcers 1
#                              #   env: AGENTS="java python" ROUNDS=2 CONNS=16 DURATION=15 WARMUP=5
#   bench/daemon.sh wrap       # pipelined requests through `guardian wrap` vs a direct pipe
#                              #   env: AGENTS="java python" ROUNDS=3 N=20000; PATHS="direct wrap wrap-async" adds WAL async
#   Any of them: DATA_ROOT=/dev/shm/gb puts Guardian's data directories on tmpfs (fsync ~free): a diagnostic that
#   separates Guardian's own overhead from the disk's fsync latency.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[[ $# -ge 1 ]] || { echo "usage: bench/daemon.sh recovery|overhead|wrap" >&2; exit 2; }
if [[ "$1" == overhead ]] && ! command -v wrk >/dev/null; then
  echo "wrk is missing: apt-get install -y wrk" >&2; exit 1
fi
mvn -B -q -DskipTests package >&2
# -am: the reactor's modules resolve to their target/classes (nothing is installed)
mvn -B -q -pl guardian -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
cpf="$root/guardian/target/bench.classpath"
echo "load average before: $(cat /proc/loadavg)" >&2
exec java \
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED \
  --add-exports=java.base/jdk.internal.util=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED \
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
  --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED \
  -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true \
  -Dbench.root="$root" ${DAEMON_BENCH_OPTS:-} \
  -cp "$root/guardian/target/test-classes:$root/guardian/target/classes:$(cat "$cpf")" \
  dev.guardian.bench.DaemonBench "$@"
