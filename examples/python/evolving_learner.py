#!/usr/bin/env python3
"""The learner that rewrites itself: a self-evolution example for Guardian.

It is the reference learner (same memory, same answers) with a simulated cost per request,
THINK_MS. On a live request {"op":"evolve","kind":"improve"} it proposes a version of its own
source with half the cost; with "kind":"break" it proposes a version that crashes after a few
requests. Guardian registers each proposal as a version (origin agent-proposal), rolls it out
beside the running agent and judges it; the first is promoted, the second rolled back, and the
agent's memory carries on either way. The outcome comes back as a proposal_result (logged to
stderr, i.e. to Guardian's log of this instance).

    {"op":"evolve","kind":"improve"|"break"}  -> {"proposed": "p-<seq>", "generation": N}
    {"op":"about"}                            -> {"generation": N, "think_ms": T}
Everything else is the reference learner (see learner_agent.py). Standard library only.
"""
import os
import re
import sys
import time

from learner_agent import LearnerAgent, log

GENERATION = 1
THINK_MS = 4.0
CRASH_AFTER = 0  # > 0: a broken generation that exits after this many live requests

HERE = os.path.dirname(os.path.realpath(__file__))


def rewrite(source, **constants):
    """The same source with some module constants set to new values."""
    for name, value in constants.items():
        source, n = re.subn(r"^%s = .*$" % name, "%s = %r" % (name, value), source, count=1, flags=re.M)
        if n != 1:
            raise ValueError("constant %s not found in the source" % name)
    return source


class EvolvingLearner(LearnerAgent):
    name = "evolving-learner"
    capabilities = ["checkpoint", "replay", "propose"]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.live = 0

    def handle_request(self, request_id, seq, payload, replay):
        op = payload.get("op") if isinstance(payload, dict) else None
        fresh = not replay and seq > self.learner.seq
        if fresh:
            self.live += 1
            time.sleep(THINK_MS / 1000.0)
            if CRASH_AFTER and self.live >= CRASH_AFTER:
                log("generation %d: crashing (the bug this generation was proposed with)" % GENERATION)
                os._exit(3)
        if op == "about":
            self.learner.handle({"op": "ask", "key": "_"}, seq)
            return True, {"generation": GENERATION, "think_ms": THINK_MS}
        if op == "evolve":
            self.learner.handle({"op": "ask", "key": "_"}, seq)  # memory moves on to seq
            proposal = "p-%d" % seq
            if fresh:
                self.propose(proposal, payload.get("kind"))
            return True, {"proposed": proposal, "generation": GENERATION}
        return super().handle_request(request_id, seq, payload, replay)

    def propose(self, proposal, kind):
        with open(os.path.join(HERE, "evolving_learner.py"), encoding="utf-8") as f:
            me = f.read()
        with open(os.path.join(HERE, "learner_agent.py"), encoding="utf-8") as f:
            runtime = f.read()
        if kind == "break":
            child = rewrite(me, GENERATION=GENERATION + 1, CRASH_AFTER=25)
            why = "generation %d: a rewrite with a bug (it crashes after 25 requests)" % (GENERATION + 1)
        else:
            child = rewrite(me, GENERATION=GENERATION + 1, THINK_MS=THINK_MS / 2, CRASH_AFTER=0)
            why = "generation %d: think %.1f ms instead of %.1f ms per request" % (GENERATION + 1, THINK_MS / 2, THINK_MS)
        self.send({"type": "propose", "id": proposal, "command": ["python3", "evolving_learner.py"],
                   "files": {"evolving_learner.py": child, "learner_agent.py": runtime},
                   "genome": {"generation": GENERATION + 1}, "rationale": why})
        log("proposed %s: %s" % (proposal, why))


if __name__ == "__main__":
    sys.exit(EvolvingLearner().run())
