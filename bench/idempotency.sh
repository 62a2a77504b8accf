#!/usr/bin/env bash
# What idempotency.window costs (issue 15, item 2): heap and journal bytes per key, and the journal's load time at a
# start, for 100 000 and 1 000 000 keys, beside a plain HashMap<String,Long> of the same keys measured in the same run.
# Usage: bench/idempotency.sh      Prints a Markdown table; ~1 minute on 2 vCPUs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# -am: the reactor's modules resolve to their target/classes (nothing is installed)
mvn -B -q -pl guardian -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
scratch="$(mktemp -d /tmp/idempotency-bench.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
java -Xmx2g -XX:+UseSerialGC -cp "$root/guardian/target/test-classes:$root/guardian/target/classes:$(cat "$root/guardian/target/bench.classpath")" \
  dev.guardian.bench.IdempotencyBench "$scratch"
