#!/usr/bin/env bash
# Front door HTTP server choice (issue 5): builds bench/http-choice, runs every candidate (and the
# no-HTTP baseline) interleaved over ROUNDS rounds, prints a Markdown table of medians.
#
#   bench/http-choice/run.sh
#   AGENT=learner ROUNDS=1 CONNS="16" bench/http-choice/run.sh     # through the Python learner
#
# Settings (environment): CANDIDATES, CONNS, DURATION (s per measured run), WARMUP (s, c=16, once per
# server start), ROUNDS, AGENT (echo|learner), PORT, JVM_OPTS. Needs wrk (apt-get install -y wrk),
# curl, python3 (table only). Everything binds to 127.0.0.1.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CANDIDATES=${CANDIDATES:-"none jdk jdk-block jetty netty vertx"}
CONNS=${CONNS:-"1 16 64"}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
ROUNDS=${ROUNDS:-2}
AGENT=${AGENT:-echo}
PORT=${PORT:-18080}
JVM_OPTS=${JVM_OPTS:-"-Xmx256m"}
URL="http://127.0.0.1:$PORT/v1/invoke"
BODY='{"payload":{"op":"learn","key":"k42"},"idempotency_key":"bench-0001"}'

command -v wrk >/dev/null || { echo "run.sh: wrk is missing: apt-get install -y wrk" >&2; exit 4; }
OUT="$HERE/target/results/$(date -u +%Y%m%dT%H%M%SZ)-$AGENT"
mkdir -p "$OUT"
echo "run.sh: building" >&2
mvn -B -q -f "$HERE/pom.xml" package -DskipTests >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }

module() { echo "${1%%-*}"; }   # jdk-block -> jdk
classpath() { local m; m=$(module "$1"); [ "$m" = none ] && m=common
  echo "$HERE/$m/target/http-choice-$m-0.1.0-SNAPSHOT.jar:$HERE/$m/target/lib/*"; }
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || echo -1; }
to_us() { awk -v v="$1" 'BEGIN{ n=v+0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n*1000; else if (v ~ /s$/) print n*1000000; else print n }'; }

# load average sampler for the whole measurement
( while :; do echo "$(date -u +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 5; done ) >"$OUT/load.txt" &
SAMPLER=$!
SERVER=
cleanup() { kill "$SAMPLER" 2>/dev/null || true; [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true; }
trap cleanup EXIT

RAW="$OUT/raw.tsv"
printf 'round\tcandidate\tconns\trps\tp50_us\tp99_us\terrors\trss_kb\tstartup_ms\trss_idle_kb\n' >"$RAW"
echo "run.sh: results in $OUT" >&2
START=$(date +%s)
for round in $(seq 1 "$ROUNDS"); do
  for cand in $CANDIDATES; do
    log="$OUT/r$round-$cand"
    if [ "$cand" = none ]; then
      echo "run.sh: round $round: none (no HTTP)" >&2
      java $JVM_OPTS -cp "$(classpath none)" dev.guardian.bench.http.Main none --agent "$AGENT" --repo "$REPO" \
        --conns "$(echo $CONNS | tr ' ' ,)" --duration "$DURATION" --warmup "$WARMUP" >"$log.out" 2>"$log.err"
      grep '^RESULT' "$log.out" | sed -E 's/RESULT conns=([0-9]+) rps=([0-9.]+) p50_us=([0-9.]+) p99_us=([0-9.]+) rss_kb=([0-9-]+)/\1 \2 \3 \4 \5/' |
        while read -r c rps p50 p99 rss; do printf '%s\tnone\t%s\t%s\t%s\t%s\t0\t%s\t\t\n' "$round" "$c" "$rps" "$p50" "$p99" "$rss" >>"$RAW"; done
      continue
    fi
    echo "run.sh: round $round: $cand" >&2
    t0=$(date +%s%N)
    java $JVM_OPTS -cp "$(classpath "$cand")" dev.guardian.bench.http.Main "$cand" --port "$PORT" --agent "$AGENT" --repo "$REPO" \
      >"$log.out" 2>"$log.err" &
    SERVER=$!
    code=000
    for _ in $(seq 1 1000); do
      code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data "$BODY" "$URL" || true)
      [ "$code" = 200 ] && break
      kill -0 "$SERVER" 2>/dev/null || break
      sleep 0.01
    done
    startup_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    if [ "$code" != 200 ]; then
      echo "run.sh: $cand never answered 200 (see $log.err)" >&2
      kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=
      continue
    fi
    rss_idle=$(rss_kb "$SERVER")   # right after the first 200: footprint before load
    wrk -t2 -c16 -d"${WARMUP}s" -s "$HERE/post.lua" "$URL" >"$log.warmup" 2>&1 || true
    for c in $CONNS; do
      threads=2; [ "$c" -lt 2 ] && threads=1    # wrk needs connections >= threads
      wrk -t"$threads" -c"$c" -d"${DURATION}s" --latency -s "$HERE/post.lua" "$URL" >"$log.c$c" 2>&1 || true
      rps=$(awk '/^Requests\/sec:/{print $2}' "$log.c$c")
      p50=$(to_us "$(awk '/^ +50%/{print $2}' "$log.c$c")")
      p99=$(to_us "$(awk '/^ +99%/{print $2}' "$log.c$c")")
      errs=$(awk '/Non-2xx/{n+=$NF} /Socket errors/{gsub(",","");n+=$4+$6+$8+$10} END{print n+0}' "$log.c$c")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t\t%s\t%s\n' "$round" "$cand" "$c" "${rps:-0}" "$p50" "$p99" "$errs" "$startup_ms" "$rss_idle" >>"$RAW"
    done
    rss=$(rss_kb "$SERVER")
    sed -i -E "s/^($round\t$cand\t[0-9]+\t[^\t]*\t[^\t]*\t[^\t]*\t[^\t]*)\t\t/\1\t$rss\t/" "$RAW"
    kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=
  done
done
ELAPSED=$(( $(date +%s) - START ))

# added jar size per candidate: jars in its lib that `common` does not have (our own jars excluded)
SIZES="$OUT/deps.tsv"
for m in jdk jetty netty vertx; do
  comm -23 <(ls "$HERE/$m/target/lib" | grep -v '^http-choice-' | sort) <(ls "$HERE/common/target/lib" | sort) >"$OUT/deps-$m.txt"
  kb=0; n=0
  while read -r j; do [ -n "$j" ] || continue; kb=$(( kb + $(stat -c %s "$HERE/$m/target/lib/$j") )); n=$((n+1)); done <"$OUT/deps-$m.txt"
  printf '%s\t%s\t%s\n' "$m" "$n" "$kb" >>"$SIZES"
done

python3 - "$RAW" "$SIZES" "$OUT/load.txt" "$AGENT" "$ROUNDS" "$DURATION" "$ELAPSED" <<'PY' | tee "$OUT/table.md"
import csv, statistics, sys
raw, sizes, loadf, agent, rounds, duration, elapsed = sys.argv[1:]
rows = list(csv.DictReader(open(raw), delimiter='\t'))
deps = {l.split('\t')[0]: (int(l.split('\t')[1]), int(l.split('\t')[2])) for l in open(sizes) if l.strip()}
def med(vals):
    vals = [float(v) for v in vals if v not in ('', None)]
    return statistics.median(vals) if vals else float('nan')
cands, conns = [], []
for r in rows:
    if r['candidate'] not in cands: cands.append(r['candidate'])
    if int(r['conns']) not in conns: conns.append(int(r['conns']))
base = {c: (med(r['rps'] for r in rows if r['candidate'] == 'none' and int(r['conns']) == c),
            med(r['p99_us'] for r in rows if r['candidate'] == 'none' and int(r['conns']) == c)) for c in conns}
print(f"Agent: {agent}; {rounds} round(s) interleaved, {duration} s per run; medians over rounds; "
      f"ratios vs the no-HTTP baseline (`none`) at the same concurrency; {elapsed} s in all.\n")
print("| candidate | conns | req/s | p50 µs | p99 µs | req/s vs none | p99 vs none | errors | RSS MB idle / after load | first 200 ms | added jars |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for cand in cands:
    mod = cand.split('-')[0]
    for c in conns:
        rs = [r for r in rows if r['candidate'] == cand and int(r['conns']) == c]
        if not rs: continue
        rps, p50, p99 = med(r['rps'] for r in rs), med(r['p50_us'] for r in rs), med(r['p99_us'] for r in rs)
        errs = sum(int(r['errors'] or 0) for r in rs)
        rss = med(r['rss_kb'] for r in rs if r['rss_kb'] not in ('', '-1')) / 1024
        st = med(r['startup_ms'] for r in rs)
        idle = med(r['rss_idle_kb'] for r in rs if r['rss_idle_kb'] not in ('', '-1')) / 1024
        rss_s = f"{rss:.0f}" if cand == 'none' else f"{idle:.0f} / {rss:.0f}"
        b_rps, b_p99 = base.get(c, (float('nan'), float('nan')))
        have_base = b_rps == b_rps  # not NaN: `none` was measured at this concurrency
        ratio = "1×" if cand == 'none' else (f"{rps / b_rps:.2f}×" if have_base else "—")
        pratio = "1×" if cand == 'none' else (f"{p99 / b_p99:.1f}×" if have_base else "—")
        dep = "0 (JDK)" if mod == 'jdk' else ("—" if mod == 'none' else f"{deps[mod][1] / 1e6:.2f} MB in {deps[mod][0]} jars")
        st_s = "—" if cand == 'none' else f"{st:.0f}"
        print(f"| {cand} | {c} | {rps:,.0f} | {p50:.0f} | {p99:.0f} | {ratio} | {pratio} | {errs} | {rss_s} | {st_s} | {dep} |".replace(',', ' '))
loads = [float(l.split()[1]) for l in open(loadf) if len(l.split()) >= 2]
if loads:
    print(f"\nLoad average (1 min) during the runs, sampled every 5 s: min {min(loads):.2f}, "
          f"median {statistics.median(loads):.2f}, max {max(loads):.2f} (2 vCPU).")
PY
