#!/usr/bin/env python3
"""Broken agent: keeps running after stdin reaches EOF.

Breaks the lifecycle rule (protocol.md §2.5, §7): "the agent must exit when its stdin reaches
EOF (within 5 s)". It still obeys `shutdown`, and does not ignore SIGTERM.
"""
import os
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir))
import learner_path  # noqa: E402,F401  (puts examples/python on sys.path)

import time  # noqa: E402

from learner_agent import LearnerAgent, log, main  # noqa: E402


class IgnoresEof(LearnerAgent):
    def on_eof(self):
        log("ignores_eof: stdin reached EOF; not exiting (deliberately broken)")
        while True:  # BROKEN: should stop(0)
            time.sleep(3600)


if __name__ == "__main__":
    main(IgnoresEof)
