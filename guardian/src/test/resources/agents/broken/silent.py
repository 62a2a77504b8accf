#!/usr/bin/env python3
"""Broken agent: never writes anything to stdout.

Breaks the startup rule (protocol.md §2.1, §4 `ready`): "the agent writes `ready` as soon as
it can" (and then answers nothing either). It reads and discards stdin and exits 0 on EOF
(or on `shutdown`).
"""
import os
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir))
import learner_path  # noqa: E402,F401  (puts examples/python on sys.path)

from learner_agent import LearnerAgent, main  # noqa: E402


class Silent(LearnerAgent):
    def send(self, message):
        pass  # BROKEN: nothing ever reaches stdout

    def write_raw(self, data):
        pass


if __name__ == "__main__":
    main(Silent)
