#!/usr/bin/env python3
"""Broken agent: ignores `checkpoint_request`.

Breaks the checkpoint rule (protocol.md §3 `checkpoint_request`): "answer `checkpoint` with the
same id" (it even announces the `checkpoint` capability in `ready`). All else is correct.
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

from learner_agent import LearnerAgent, main  # noqa: E402


class NoCheckpoint(LearnerAgent):
    def on_checkpoint_request(self, message):
        pass  # BROKEN: never answered


if __name__ == "__main__":
    main(NoCheckpoint)
