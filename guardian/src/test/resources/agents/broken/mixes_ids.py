#!/usr/bin/env python3
"""Broken agent: answers requests that are in flight together with each other's ids.

Breaks the correlation rule (protocol.md §4 `response`): `id` is "the request's id". It holds
each (non-replay) request back for up to 0.2 s; when a second one arrives meanwhile, it applies
both (in seq order, memory stays correct) and sends each answer under the OTHER request's id.
A request alone in flight (no other request arrives within 0.2 s) is answered correctly, so
the sequential part of a check still passes.
"""
import os
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir))
import learner_path  # noqa: E402,F401  (puts examples/python on sys.path)

from learner_agent import LearnerAgent, main  # noqa: E402

HOLD_SECONDS = 0.2


class MixesIds(LearnerAgent):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.held = None  # (id, ok, result) of an applied, unanswered request

    def on_request(self, message):
        if message.get("replay") is True:
            return super().on_request(message)
        ok, result = self.handle_request(message["id"], message["seq"], message["payload"], False)
        if self.held is None:
            self.held = (message["id"], ok, result)
            return
        held_id, held_ok, held_result = self.held
        self.held = None
        self.send_response(message["id"], held_ok, held_result)  # BROKEN: ids swapped
        self.send_response(held_id, ok, result)

    def flush_held(self):
        if self.held is not None:
            held_id, ok, result = self.held
            self.held = None
            self.send_response(held_id, ok, result)

    def idle_timeout(self):
        return HOLD_SECONDS if self.held is not None else None

    def on_idle(self):
        self.flush_held()

    def on_shutdown(self, message):
        self.flush_held()
        super().on_shutdown(message)

    def on_eof(self):
        self.flush_held()
        super().on_eof()


if __name__ == "__main__":
    main(MixesIds)
