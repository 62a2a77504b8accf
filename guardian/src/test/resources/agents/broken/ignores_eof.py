#!/usr/bin/env python3
"""Broken agent: keeps running after stdin reaches EOF.

Breaks the lifecycle rule (protocol.md §2.5, §7): "the agent must exit when its stdin reaches
EOF (within 5 s)". It still obeys `shutdown`, and does not ignore SIGTERM.
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

import time  # noqa: E402

from learner_agent import LearnerAgent, log, main  # noqa: E402


class IgnoresEof(LearnerAgent):
    def on_eof(self):
        log("ignores_eof: stdin reached EOF; not exiting (deliberately broken)")
        while True:  # BROKEN: should stop(0)
            time.sleep(3600)


if __name__ == "__main__":
    main(IgnoresEof)
