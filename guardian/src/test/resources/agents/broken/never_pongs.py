#!/usr/bin/env python3
"""Broken agent: never answers `ping`.

Breaks the heartbeat rule (protocol.md §3 `ping`, §7): "answer `pong` with the same nonce".
Everything else is the reference learner.
"""
import os
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir))
import learner_path  # noqa: E402,F401  (puts examples/python on sys.path)

from learner_agent import LearnerAgent, main  # noqa: E402


class NeverPongs(LearnerAgent):
    def on_ping(self, message):
        pass  # BROKEN: no pong, ever


if __name__ == "__main__":
    main(NeverPongs)
