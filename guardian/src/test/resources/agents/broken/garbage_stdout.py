#!/usr/bin/env python3
"""Broken agent: answers each request with a non-JSON garbage line on stdout.

Breaks the framing rule (protocol.md §1, and "stdout: protocol lines, and nothing else"):
every line on stdout must be one JSON object. `ready`, `initialized`, `pong` and
`checkpoint` are correct; memory is still updated; only the answers are garbage.
"""
import os
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir))
import learner_path  # noqa: E402,F401  (puts examples/python on sys.path)

from learner_agent import LearnerAgent, main  # noqa: E402


class GarbageStdout(LearnerAgent):
    def send_response(self, request_id, ok, result):
        # BROKEN: a line that is not JSON instead of the `response`.
        text = "garbage <<%s>> this is not JSON {" % request_id.replace("\n", " ")
        self.write_raw(text.encode("utf-8", "replace") + b"\n")


if __name__ == "__main__":
    main(GarbageStdout)
