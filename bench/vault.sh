#!/usr/bin/env bash
# Vault benchmark (issue 4): checkpoint write+commit and read latency for 1 KB, 1 MB, 64 MB memories.
# Usage: bench/vault.sh [quick]     Prints a Markdown table; takes ~2-3 minutes on 2 vCPUs (quick: ~30 s).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scratch="$root/bench-results/vault-scratch"
mkdir -p "$scratch/tmp"
mvn -B -q test-compile -pl vault >&2
# exec:exec forks a JVM with the vault's test classpath; its own tmpdir for lz4-java's .so.
mvn -B -q exec:exec -pl vault -Dexec.executable=java -Dexec.classpathScope=test \
  -Dexec.args="-Xmx3g -XX:+UseParallelGC -Djava.io.tmpdir=$scratch/tmp -cp %classpath dev.guardian.vault.bench.VaultBench $scratch ${1:-full}"
rm -rf "$scratch"
