#!/usr/bin/env python3
"""How late does a sleeping thread wake up, on an idle machine and on a busy one?

A sleeper asks for 1 ms sleeps for a few seconds and records how much later than asked each one ends. It runs
alone, then beside N busy loops at idle priority (SCHED_IDLE, each in its own session at autogroup nice 19, as
Guardian runs shadows), then alone again. On bare metal the busy loops can only make it later. On a VM an idle
vCPU halts, and the host may take milliseconds to run it again when the timer fires; busy loops keep the vCPUs
from halting, so the sleeper may wake *sooner* beside them. This is why bench/shadows.sh has SPINNERS.
Usage: bench/wake_latency.py [N spinners, default: the number of CPUs] [seconds per case, default 8]
"""
import os
import subprocess
import sys
import time

SPINNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spinner.py")


def late_wakeups(seconds):
    """Sleeps 1 ms at a time for `seconds`; how much later than asked each sleep ended (s), sorted."""
    late = []
    end = time.perf_counter() + seconds
    while True:
        t0 = time.perf_counter()
        if t0 > end:
            break
        time.sleep(0.001)
        late.append(time.perf_counter() - t0 - 0.001)
    late.sort()
    return late


def sleeper(seconds):
    late = late_wakeups(seconds)
    n = len(late)

    def q(p):
        return late[min(n - 1, int(p * n))] * 1000

    over5 = sum(1 for x in late if x > 0.005)
    return f"| {n} | {q(0.5):.3f} | {q(0.99):.3f} | {q(0.999):.3f} | {late[-1] * 1000:.2f} | {over5} |"


def main():
    spinners = int(sys.argv[1]) if len(sys.argv) > 1 else os.cpu_count()
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 8.0
    print(f"1 ms sleeps for {seconds:.0f} s per case; how much later than asked they end, ms\n")
    print("| case | sleeps | p50 | p99 | p99.9 | max | > 5 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print("| alone " + sleeper(seconds))
    procs = [subprocess.Popen([sys.executable, SPINNER]) for _ in range(spinners)]
    try:
        time.sleep(0.5)
        print(f"| beside {spinners} idle-priority busy loops " + sleeper(seconds))
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()
    print("| alone again " + sleeper(seconds))


if __name__ == "__main__":
    main()
