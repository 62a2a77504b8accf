#!/usr/bin/env python3
"""Broken agent: answers each request with a non-JSON garbage line on stdout.

Breaks the framing rule (protocol.md §1, and "stdout: protocol lines, and nothing else"):
every line on stdout must be one JSON object. `ready`, `initialized`, `pong` and
`checkpoint` are correct; memory is still updated; only the answers are garbage.
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


class GarbageStdout(LearnerAgent):
    def send_response(self, request_id, ok, result):
        # BROKEN: a line that is not JSON instead of the `response`.
        text = "garbage <<%s>> this is not JSON {" % request_id.replace("\n", " ")
        self.write_raw(text.encode("utf-8", "replace") + b"\n")


if __name__ == "__main__":
    main(GarbageStdout)
