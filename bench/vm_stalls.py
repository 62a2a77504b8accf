#!/usr/bin/env python3
"""Does this machine stall a busy CPU while another process flushes a file to disk?

A spinner reads the clock in a tight loop for a few seconds and records every gap longer than 2 ms (time it
was not running). It runs alone, then beside a second process doing pwrite + fdatasync at a fixed rate.
On a microVM whose host caps the VM's CPU per 100 ms period, the host's work for the flushes counts
against that cap: the gaps then end at one fixed phase of a 100 ms period (the throttle lifting).
It first prints what one pwrite + fdatasync costs the guest in wall time and in CPU time of the
calling process (a force that burns CPU inside the VM competes with everything else on it).
Usage: bench/vm_stalls.py [DIR on the disk to test]   (~40 s; needs nothing but python3)
"""
import os
import sys
import tempfile
import time
from multiprocessing import Process

SPIN_SECONDS = 4.0


def spin(seconds=SPIN_SECONDS):
    gaps = []
    last = time.perf_counter()
    end = last + seconds
    while True:
        t = time.perf_counter()
        if t - last > 0.002:
            gaps.append((t, t - last))
        last = t
        if t > end:
            return gaps


def flush_loop(path, rate, seconds):
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    record = b"x" * 3500
    start = time.monotonic()
    n = 0
    pos = 0
    while time.monotonic() - start < seconds:
        os.pwrite(fd, record, pos)
        pos = (pos + len(record)) % (64 << 20)
        os.fdatasync(fd)
        n += 1
        ahead = start + n / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
    os.close(fd)


def flush_cost(path, n=2000):
    """Wall, user and system microseconds per pwrite (200 B) + fdatasync, back to back in this process."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        t0, c0 = time.perf_counter(), os.times()
        for i in range(n):
            os.pwrite(fd, b"x" * 200, i * 200)
            os.fdatasync(fd)
        t1, c1 = time.perf_counter(), os.times()
    finally:
        os.close(fd)
        os.remove(path)
    return (t1 - t0) / n * 1e6, (c1.user - c0.user) / n * 1e6, (c1.system - c0.system) / n * 1e6


def report(label, gaps):
    total = sum(g for _, g in gaps) * 1000
    phases = sorted({round((t % 0.1) * 1000) for t, _ in gaps})
    longest = max((g for _, g in gaps), default=0) * 1000
    print(f"| {label} | {len(gaps)} | {total:.0f} ({total / (SPIN_SECONDS * 10):.1f} %) | {longest:.1f} "
          f"| {', '.join(map(str, phases[:8]))}{' …' if len(phases) > 8 else ''} |", flush=True)


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else tempfile.gettempdir()
    path = os.path.join(directory, f"vm-stalls-{os.getpid()}.dat")
    wall, user, system = flush_cost(path)
    print(f"One pwrite (200 B) + fdatasync in {directory}, 2 000 back to back: {wall:.0f} µs wall, "
          f"{user:.0f} µs user + {system:.0f} µs system CPU each\n")
    print(f"Spinner gaps > 2 ms in {SPIN_SECONDS:.0f} s; flushes: pwrite 3.5 kB + fdatasync in {directory}\n")
    print("| case | gaps | stalled ms (share) | longest ms | gap ends, ms mod 100 |")
    print("|---|---:|---:|---:|---|")
    report("spinner alone", spin())
    try:
        for rate in (500, 1000, 2000, 3000):
            flusher = Process(target=flush_loop, args=(path, rate, SPIN_SECONDS + 1.0))
            flusher.start()
            time.sleep(0.5)
            report(f"spinner + {rate} flushes/s in another process", spin())
            flusher.join()
    finally:
        if os.path.exists(path):
            os.remove(path)


if __name__ == "__main__":
    main()
