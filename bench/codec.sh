#!/usr/bin/env bash
# Codec benchmark (issue 2): encode + decode of a typical request/response pair on one thread,
# against plain Jackson trees as the baseline, measured in the same run. Prints a Markdown table.
# Usage: bench/codec.sh [extra JMH args]   (defaults: 1 fork, 3 x 2 s warm-up, 5 x 3 s measurement)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl agent-protocol -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
cp="agent-protocol/target/test-classes:agent-protocol/target/classes:$(cat agent-protocol/target/bench.classpath)"
out=$(mktemp -d)
java -cp "$cp" org.openjdk.jmh.Main 'dev.guardian.protocol.bench.CodecBenchmark' \
    -f 1 -wi 3 -w 2s -i 5 -r 3s -rf json -rff "$out/codec.json" "$@" >"$out/jmh.log"
python3 - "$out/codec.json" <<'PY'
import json, sys
rows = {r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"] for r in json.load(open(sys.argv[1]))}
def mps(name, per_op):
    m = rows[name]; return m["score"] * per_op, m["scoreError"] * per_op
codec, codec_err = mps("codecPair", 2)
plain, plain_err = mps("jacksonTreePair", 2)
reader, reader_err = mps("readerStream", 1)
print("| benchmark | messages/s (encode+decode) | ± (99.9%) |")
print("|---|---:|---:|")
print(f"| codec: request/response pair (typed messages) | {codec:,.0f} | {codec_err:,.0f} |")
print(f"| baseline: same JSON through plain Jackson trees | {plain:,.0f} | {plain_err:,.0f} |")
print(f"| reader: decode a stream of lines (decode only) | {reader:,.0f} | {reader_err:,.0f} |")
print()
print(f"codec / plain Jackson = {codec / plain:.2f}; target >= 500,000 messages/s: {'met' if codec >= 500_000 else 'NOT met'}")
PY
