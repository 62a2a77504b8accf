#!/usr/bin/env python3
"""A busy loop at idle priority, as Guardian runs a shadow: SCHED_IDLE, in a session of its own whose autogroup has
nice 19. It keeps a vCPU from halting without taking CPU time from anything at normal priority. Runs until killed.
Used by bench/shadows.sh (SPINNERS=N) and bench/wake_latency.py."""
import os

os.setsid()
os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
try:
    with open("/proc/self/autogroup", "w") as f:
        f.write("19")
except OSError:
    pass  # autogroups off, or not allowed: SCHED_IDLE alone
while True:
    pass
