#!/usr/bin/env bash
# Shadow and rollback benchmarks (issue 6). Builds the guardian test classes, then runs
# dev.guardian.daemon.ShadowBench in-process (real WAL, vault and Python agent processes);
# prints Markdown tables on stdout, progress on stderr. Run it under the shared bench lock:
#
#   flock /tmp/guardian-bench.lock bench/shadows.sh [shadows|rollback|all]    # default: all
#
#   shadows:  primary p99 with 0, 10, 50 shadow rollouts (each = a candidate + a control process)
#             env: SHADOWS="0 10 50" ROUNDS=2 RATE=200 (open-loop req/s) WARMUP=5 DURATION=20 WORK_MS=1
#                  SCHEDULING=idle (rollout.shadow_scheduling: idle = SCHED_IDLE, or nice)
#                  FOLLOWER_QUEUE=1000 (rollout.follower_queue) DURABILITY=group (wal.durability; async leaves out the
#                  fdatasync per answer, whose tail on a VM can hide what the shadows cost) SPINNERS=0 (see below)
#                  STEAL_MAX=5: a second summary merges only the rounds with less CPU steal than this (%)
#                  GUARDIAN_IDLE_CGROUP=off: shadows without their idle CPU cgroup (as before it existed)
#   rollback: a 50 % canary that fails on purpose, under load: FAIL verdict -> candidate detached
#             env: REGRESSIONS="errors crash" REPS=20 ROLLBACK_RATE=200 WORK_MS=1
#   LOG=INFO shows Guardian's own log (default WARN).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# -am: the reactor's modules resolve to their target/classes (nothing is installed)
mvn -B -q -pl guardian -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
cpf="$root/guardian/target/bench.classpath"
# The Chronicle JVM flags, from the parent pom's chronicle.jvm.flags property (one place for them).
flags="$(sed -n 's:.*<chronicle.jvm.flags>\(.*\)</chronicle.jvm.flags>.*:\1:p' pom.xml)"
[[ "$flags" == *add-exports* ]] || { echo "chronicle.jvm.flags not found in pom.xml" >&2; exit 1; }
echo "load average before: $(cat /proc/loadavg); $(nproc) vCPU" >&2
# SPINNERS=N: N busy loops at idle priority (SCHED_IDLE, own session at autogroup nice 19) through every round.
# Why: on a VM an idle vCPU halts, and the host takes up to milliseconds to run it again when a timer or a
# pipe wakes a thread on it; rounds with busy shadows never let a vCPU halt, so without spinners they get
# faster wake-ups than the 0-shadow round they are compared with. Spinners keep every round's vCPUs busy.
spinners=()
trap '[ ${#spinners[@]} -eq 0 ] || kill "${spinners[@]}" 2>/dev/null || true' EXIT
for ((i = 0; i < ${SPINNERS:-0}; i++)); do
  python3 "$root/bench/spinner.py" &
  spinners+=($!)
done
# shellcheck disable=SC2086
java $flags -Dbench.root="$root" ${SHADOW_BENCH_OPTS:-} \
  -cp "$root/guardian/target/test-classes:$root/guardian/target/classes:$(cat "$cpf")" \
  dev.guardian.daemon.ShadowBench "${1:-all}"
