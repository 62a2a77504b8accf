#!/usr/bin/env python3
"""Do idle-priority wake-ups cost a normal-priority process on this VM?

50 shadow rollouts made 26-34 K context switches/s and more CPU steal than rounds without shadows, all of it at
SCHED_IDLE inside the guest (BENCHMARKS, "One ring for all followers"). This takes Guardian out of the question.
It alternates windows of two kinds, both with SPINNERS idle busy loops keeping every vCPU from halting:
  quiet:   nothing else
  wakeups: PAIRS idle process pairs that ping-pong a byte over pipes, one side sleeping SLEEP_MS before each
           send (like a shadow agent: a timer wake-up, then a pipe wake-up of the reader across the vCPUs)
In every window a normal-priority probe sleeps 1 ms at a time, the way the primary's threads wait for work, and
the lateness of its wake-ups is recorded (p50/p99/max), with the window's steal, context switches and interrupts.
MODE says how the idle processes are set apart from the probe (see below); MODE=autogroup is how Guardian ran
shadows before it put them in an idle cgroup, MODE=cgroup is how it runs them where it can (needs root, cgroup v1).
Usage: bench/idle_wakeups.py [WINDOWS=8] [SECONDS=15] [PAIRS=25] [SLEEP_MS=1] [SPINNERS=2] [MODE=autogroup]
       (key=value args; run it under flock /tmp/guardian-bench.lock, ~2 x WINDOWS x (SECONDS + 1) s)
"""
import os
import signal
import sys
import time

from wake_latency import late_wakeups  # the probe: 1 ms sleeps, how late each ends

args = dict(a.split("=", 1) for a in sys.argv[1:])
WINDOWS = int(args.get("WINDOWS", 8))
SECONDS = float(args.get("SECONDS", 15))
PAIRS = int(args.get("PAIRS", 25))
SLEEP_MS = float(args.get("SLEEP_MS", 1))
SPINNERS = int(args.get("SPINNERS", 2))
# How the idle processes (pairs and spinners) are set apart from the probe:
#   autogroup: as Guardian runs a shadow (setsid, SCHED_IDLE, autogroup nice 19)
#   session:   SCHED_IDLE only, in the probe's own session (hence its autogroup)
#   cgroup:    setsid and SCHED_IDLE, in a cpu cgroup (v1) with cpu.idle = 1
MODE = args.get("MODE", "autogroup")
CGROUP = "/sys/fs/cgroup/cpu/idle_wakeups"


def idle_child(body):
    pid = os.fork()
    if pid == 0:
        try:
            if MODE == "cgroup":
                with open(CGROUP + "/tasks", "w") as f:
                    f.write(str(os.getpid()))
            if MODE != "session":
                os.setsid()
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
            if MODE == "autogroup":
                with open("/proc/self/autogroup", "w") as f:
                    f.write("19")
            body()
        finally:
            os._exit(0)
    return pid


def pinger(w, r):
    while True:
        time.sleep(SLEEP_MS / 1000.0)
        os.write(w, b"x")
        os.read(r, 1)


def ponger(r, w):
    while True:
        os.read(r, 1)
        os.write(w, b"y")


def start_pairs():
    pids = []
    for _ in range(PAIRS):
        a_r, b_w = os.pipe()
        b_r, a_w = os.pipe()
        pids.append(idle_child(lambda: pinger(a_w, a_r)))
        pids.append(idle_child(lambda: ponger(b_r, b_w)))
        for fd in (a_r, b_w, b_r, a_w):
            os.close(fd)
    return pids


def stat():
    with open("/proc/stat") as f:
        lines = f.read().splitlines()
    cpu = [int(x) for x in lines[0].split()[1:]]
    fields = {l.split()[0]: int(l.split()[1]) for l in lines[1:] if l.split()[0] in ("ctxt", "intr")}
    return cpu, fields["ctxt"], fields["intr"]


def pct(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))] * 1e3


def main():
    if MODE == "cgroup":
        os.makedirs(CGROUP, exist_ok=True)
        with open(CGROUP + "/cpu.idle", "w") as f:
            f.write("1")
    print("mode %s, %d pairs sleeping %g ms, %d spinners" % (MODE, PAIRS, SLEEP_MS, SPINNERS))
    spinners = [idle_child(spin) for _ in range(SPINNERS)]
    print("| window | kind | steal % | ctx switches/s | interrupts/s | probe late p50 / p99 / max (ms) |")
    print("|---:|---|---:|---:|---:|---|")
    summary = {"quiet": [], "wakeups": []}
    try:
        for w in range(WINDOWS * 2):
            kind = "wakeups" if w % 2 else "quiet"
            pairs = start_pairs() if kind == "wakeups" else []
            time.sleep(1)
            cpu0, ctxt0, intr0 = stat()
            t0 = time.monotonic()
            late = late_wakeups(SECONDS)
            dt = time.monotonic() - t0
            cpu1, ctxt1, intr1 = stat()
            for p in pairs:
                os.kill(p, signal.SIGKILL)
                os.waitpid(p, 0)
            d = [b - a for a, b in zip(cpu0, cpu1)]
            steal = 100.0 * d[7] / max(1, sum(d))
            row = (steal, (ctxt1 - ctxt0) / dt, (intr1 - intr0) / dt, pct(late, .5), pct(late, .99), late[-1] * 1e3)
            summary[kind].append(row)
            print("| %d | %s | %.1f | %.0f | %.0f | %.3f / %.2f / %.1f |" % ((w + 1, kind) + row), flush=True)
    finally:
        for p in spinners:
            os.kill(p, signal.SIGKILL)
            os.waitpid(p, 0)
        if MODE == "cgroup":
            os.rmdir(CGROUP)
    print()
    print("| kind | windows | mean steal % | mean ctx switches/s | median probe p99 (ms) |")
    print("|---|---:|---:|---:|---:|")
    for kind, rows in summary.items():
        p99s = sorted(r[4] for r in rows)
        print("| %s | %d | %.1f | %.0f | %.2f |" % (kind, len(rows), sum(r[0] for r in rows) / len(rows),
                                                   sum(r[1] for r in rows) / len(rows), p99s[len(p99s) // 2]))


def spin():
    # bench/spinner.py's loop; idle_child has already made it SCHED_IDLE in a session of its own
    while True:
        pass


if __name__ == "__main__":
    main()
