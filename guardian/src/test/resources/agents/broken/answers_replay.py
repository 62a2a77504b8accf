#!/usr/bin/env python3
"""Broken agent: answers replayed requests.

Breaks the replay rule (protocol.md §3 `request`, §5): a request with `replay: true` is applied
and must NOT be answered. It applies them correctly; it just also sends a `response`.
"""
import os
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir))
import learner_path  # noqa: E402,F401  (puts examples/python on sys.path)

from learner_agent import LearnerAgent, main  # noqa: E402


class AnswersReplay(LearnerAgent):
    def on_request(self, message):
        ok, result = self.handle_request(message["id"], message["seq"], message["payload"],
                                         message.get("replay") is True)
        self.send_response(message["id"], ok, result)  # BROKEN: even when replay is true


if __name__ == "__main__":
    main(AnswersReplay)
