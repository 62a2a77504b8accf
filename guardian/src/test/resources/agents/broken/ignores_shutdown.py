#!/usr/bin/env python3
"""Broken agent: ignores `shutdown`.

Breaks the lifecycle rule (protocol.md §2.5, §3 `shutdown`): "exit within grace_ms" after
`shutdown`. It still exits promptly when stdin reaches EOF.
"""
import os
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir))
import learner_path  # noqa: E402,F401  (puts examples/python on sys.path)

from learner_agent import LearnerAgent, log, main  # noqa: E402


class IgnoresShutdown(LearnerAgent):
    def on_shutdown(self, message):
        log("ignores_shutdown: got shutdown; carrying on (deliberately broken)")  # BROKEN


if __name__ == "__main__":
    main(IgnoresShutdown)
