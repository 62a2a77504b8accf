"""Puts examples/python (the reference learner) on sys.path for the test agents in this tree.

A test agent in agents/broken or agents/faulty starts with:

    import os, sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir))
    import learner_path  # noqa: F401
"""
import os
import sys


def _learner_agent_dir():
    """examples/python, found by walking up from this file (it may have been copied, e.g. to
    guardian/target/test-classes/agents)."""
    d = os.path.dirname(os.path.realpath(__file__))
    while os.path.dirname(d) != d:
        candidate = os.path.join(d, "examples", "python")
        if os.path.isfile(os.path.join(candidate, "learner_agent.py")):
            return os.path.normpath(candidate)
        d = os.path.dirname(d)
    sys.exit("%s: cannot find examples/python/learner_agent.py" % __file__)


sys.path.insert(0, _learner_agent_dir())
