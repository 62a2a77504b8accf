#!/usr/bin/env python3
"""Broken agent: writes `ready`, then floods stdout with garbage forever.

Breaks the framing rules (protocol.md §1): maximum line size (lines of tens of MB) and "one
JSON object per line" (many short garbage lines). It never answers `init`. It floods until
killed, until stdout is closed, or until stdin reaches EOF (a watcher thread exits then).
"""
import os
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir))
import learner_path  # noqa: E402,F401  (puts examples/python on sys.path)

import json  # noqa: E402
import threading  # noqa: E402

from learner_agent import LearnerAgent  # noqa: E402

HUGE_LINE_BYTES = 40 * 1024 * 1024     # one line of 40 MiB, written in 1 MiB pieces
SHORT_LINES = 20000


def _exit_on_stdin_eof():
    try:
        while os.read(0, 65536):
            pass
    except OSError:
        pass
    os._exit(0)


def main():
    out = 1
    ready = LearnerAgent().ready_message()
    os.write(out, (json.dumps(ready, separators=(",", ":")) + "\n").encode())
    threading.Thread(target=_exit_on_stdin_eof, daemon=True).start()
    piece = b"x" * (1024 * 1024)
    shorts = b"".join(b"garbage line %d, not JSON\n" % i for i in range(1000))
    try:
        while True:
            # BROKEN: a huge line without a newline for tens of MB...
            for _ in range(HUGE_LINE_BYTES // len(piece)):
                os.write(out, piece)
            os.write(out, b"\n")
            # ... then lots of short non-JSON lines.
            for _ in range(SHORT_LINES // 1000):
                os.write(out, shorts)
    except OSError:  # stdout closed (broken pipe): the reader is gone
        os._exit(0)


if __name__ == "__main__":
    main()
