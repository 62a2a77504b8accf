#!/usr/bin/env python3
"""The learner as a candidate version, with a regression on demand, for rollout tests.

  --work-ms F          spend F ms on every live request (a stand-in for real work; default 0)
  --regression NAME    none (default) | crash | errors | wrong | leak
      crash            exits with status 3 on the --crash-at'th live request (default 40)
      errors           answers an error for every request whose seq % 10 == 3 (+10 % errors),
                       after applying it (memory stays right: only the answer is bad)
      wrong            answers a count one too high for keys starting with "k1" (memory stays right)
      leak             keeps --leak-mb MB (default 2) more memory on every live request
  --tag TEXT           ignored: makes a version that behaves exactly like another one (A/A tests)

Slower versions are the same agent with a larger --work-ms.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir))
import learner_path  # noqa: E402,F401  (puts examples/python on sys.path)

from learner_agent import LearnerAgent  # noqa: E402

_leaked = []


def options(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--work-ms", type=float, default=0.0)
    p.add_argument("--regression", default="none", choices=["none", "crash", "errors", "wrong", "leak"])
    p.add_argument("--crash-at", type=int, default=40)
    p.add_argument("--leak-mb", type=int, default=2)
    p.add_argument("--tag", default="")
    return p.parse_args(argv)


class VariantLearner(LearnerAgent):
    name = "learner-variant"

    def __init__(self, opts, **kwargs):
        super().__init__(**kwargs)
        self.opts = opts
        self.live = 0

    def handle_request(self, request_id, seq, payload, replay):
        fresh = not replay and seq > self.learner.seq
        if fresh:
            self.live += 1
            if self.opts.work_ms > 0:
                time.sleep(self.opts.work_ms / 1000.0)
            if self.opts.regression == "crash" and self.live >= self.opts.crash_at:
                sys.stderr.write("variant: crashing on request %s\n" % request_id)
                sys.stderr.flush()
                os._exit(3)
            if self.opts.regression == "leak":
                block = bytearray(self.opts.leak_mb << 20)
                for i in range(0, len(block), 4096):
                    block[i] = 1  # touch every page, so that it is resident
                _leaked.append(block)
        ok, answer = super().handle_request(request_id, seq, payload, replay)
        if replay:
            return ok, answer
        if self.opts.regression == "errors" and seq % 10 == 3:
            return False, {"code": "internal", "message": "variant: failing request %d on purpose" % seq}
        if (self.opts.regression == "wrong" and ok and isinstance(answer, dict)
                and str(answer.get("key", "")).startswith("k1") and "count" in answer):
            answer = dict(answer, count=answer["count"] + 1)
        return ok, answer


if __name__ == "__main__":
    sys.exit(VariantLearner(options(sys.argv[1:])).run())
