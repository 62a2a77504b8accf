#!/usr/bin/env python3
"""Broken agent: ignores the memory given in `init` and starts fresh.

Breaks the restore rule (protocol.md §2.3, §3 `init`, §5): "the agent restores that memory".
It still answers `initialized` with init.seq, so the loss only shows in later answers and
checkpoints.
"""
import os
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir))
import learner_path  # noqa: E402,F401  (puts examples/python on sys.path)

from learner_agent import LearnerAgent, main  # noqa: E402


class ForgetsOnRestore(LearnerAgent):
    def restore(self, memory, seq):
        self.learner.restore(None, 0)  # BROKEN: memory (and the seq it covers) thrown away


if __name__ == "__main__":
    main(ForgetsOnRestore)
