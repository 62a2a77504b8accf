#!/usr/bin/env python3
"""Broken agent: waits 30 s before writing `ready`.

Breaks the startup rule (protocol.md §2.1, §7): `ready` must come within `startup_timeout`
(default 10 s). After the wait it is the correct learner. It does not watch stdin during the
wait, so it may have to be killed.
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

from learner_agent import LearnerAgent, main  # noqa: E402

DELAY_SECONDS = 30


class SlowReady(LearnerAgent):
    def send_ready(self):
        time.sleep(DELAY_SECONDS)  # BROKEN
        super().send_ready()


if __name__ == "__main__":
    main(SlowReady)
