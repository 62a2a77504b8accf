#!/usr/bin/env python3
"""Broken agent: ignores `checkpoint_request`.

Breaks the checkpoint rule (protocol.md §3 `checkpoint_request`): "answer `checkpoint` with the
same id" (it even announces the `checkpoint` capability in `ready`). All else is correct.
"""
import os
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir))
import learner_path  # noqa: E402,F401  (puts examples/python on sys.path)

from learner_agent import LearnerAgent, main  # noqa: E402


class NoCheckpoint(LearnerAgent):
    def on_checkpoint_request(self, message):
        pass  # BROKEN: never answered


if __name__ == "__main__":
    main(NoCheckpoint)
