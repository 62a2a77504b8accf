#!/usr/bin/env python3
"""Broken agent: exits with status 1 on a malformed line.

Breaks the error rule (protocol.md §6): "Neither side ever crashes on a bad line"; a line that
is not JSON, not an object or has no string `type` must be answered with `error` `malformed`
and the agent carries on. Unknown types and missing fields are still handled correctly.
"""
import os
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir))
import learner_path  # noqa: E402,F401  (puts examples/python on sys.path)

from learner_agent import LearnerAgent, log, main  # noqa: E402


class DiesOnMalformed(LearnerAgent):
    def on_malformed(self, raw, reason):
        log("dies_on_malformed: %s; dying (deliberately broken)" % reason)
        sys.exit(1)  # BROKEN


if __name__ == "__main__":
    main(DiesOnMalformed)
