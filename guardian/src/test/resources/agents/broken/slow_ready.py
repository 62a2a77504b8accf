#!/usr/bin/env python3
"""Broken agent: waits 30 s before writing `ready`.

Breaks the startup rule (protocol.md §2.1, §7): `ready` must come within `startup_timeout`
(default 10 s). After the wait it is the correct learner. It does not watch stdin during the
wait, so it may have to be killed.
"""
import os
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir))
import learner_path  # noqa: E402,F401  (puts examples/python on sys.path)

import time  # noqa: E402

from learner_agent import LearnerAgent, main  # noqa: E402

DELAY_SECONDS = 30


class SlowReady(LearnerAgent):
    def send_ready(self):
        time.sleep(DELAY_SECONDS)  # BROKEN
        super().send_ready()


if __name__ == "__main__":
    main(SlowReady)
