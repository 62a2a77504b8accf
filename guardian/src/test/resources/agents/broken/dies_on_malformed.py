#!/usr/bin/env python3
"""Broken agent: exits with status 1 on a malformed line.

Breaks the error rule (protocol.md §6): "Neither side ever crashes on a bad line"; a line that
is not JSON, not an object or has no string `type` must be answered with `error` `malformed`
and the agent carries on. Unknown types and missing fields are still handled correctly.
"""
import os
import sys


def _learner_agent_dir():
    """examples/python, six levels up from this directory (walks further up if this script
    was copied elsewhere in the tree, e.g. to guardian/target/test-classes/agents/broken)."""
    here = os.path.dirname(os.path.realpath(__file__))
    candidates = [os.path.join(here, *[os.pardir] * 6, "examples", "python")]
    d = here
    while os.path.dirname(d) != d:
        d = os.path.dirname(d)
        candidates.append(os.path.join(d, "examples", "python"))
    for candidate in candidates:
        if os.path.isfile(os.path.join(candidate, "learner_agent.py")):
            return os.path.normpath(candidate)
    sys.exit("%s: cannot find examples/python/learner_agent.py" % __file__)


sys.path.insert(0, _learner_agent_dir())

from learner_agent import LearnerAgent, log, main  # noqa: E402


class DiesOnMalformed(LearnerAgent):
    def on_malformed(self, raw, reason):
        log("dies_on_malformed: %s; dying (deliberately broken)" % reason)
        sys.exit(1)  # BROKEN


if __name__ == "__main__":
    main(DiesOnMalformed)
