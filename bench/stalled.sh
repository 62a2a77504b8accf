#!/usr/bin/env bash
# Stalled clients (issue 16, item 7): a normal client's latency through `guardian run` (learner agent, one
# POST /v1/invoke at a time) alone, and while 500 connections stall on the front door and the admin API
# (half a head, half a body, or nothing), in alternating phases of one run. Prints a Markdown table.
#
#   bench/stalled.sh
#   env: ROUNDS=5 REQUESTS=2000 (per phase) STALLED=500 PYTHON=python3
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q -DskipTests package -pl guardian -am >&2
mvn -B -q -pl guardian -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
cpf="$root/guardian/target/bench.classpath"
echo "load average before: $(cat /proc/loadavg)" >&2
exec java -Dbench.root="$root" -Dguardian.jar="$root/guardian/target/guardian.jar" -Dguardian.repo="$root" \
  -cp "$root/guardian/target/test-classes:$root/guardian/target/classes:$(cat "$cpf")" \
  dev.guardian.bench.StalledClientsBench "$@"
