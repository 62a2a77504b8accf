#!/usr/bin/env python3
"""The learner with faults on demand, for supervision tests.

A request whose payload op is one of these triggers a fault when it is delivered live (never on
replay, so that recovery does not repeat it; a redelivery after a crash is live and repeats it):

  {"op":"crash"}              exits with status 3 before touching memory
  {"op":"signal"}             kills itself with SIGSEGV
  {"op":"hang"}               sleeps for an hour: no answers, no pongs
  {"op":"spin"}               loops forever on the CPU: no answers, no pongs
  {"op":"leak","mb":N}        answers {"leaked_mb": total}, then keeps N more MB of memory (after the
                              answer: the RSS check finds a leak, not a request still in flight)
  {"op":"garbage"}            writes a non-JSON line to stdout, then answers normally
  {"op":"oversize","bytes":N} writes a line of N bytes to stdout, then answers normally
  {"op":"slow","ms":N,"key":K} sleeps N ms (not for a duplicate), then learns K as learn would
  {"op":"big_answer","bytes":N}          answers with a payload of N bytes (a line over Guardian's limit)
  {"op":"big_answer_id_last","bytes":N}  the same, the line's "type" and "id" after the payload

Environment: FAULTY_IGNORE_EOF=1 ignores stdin EOF and shutdown (and SIGTERM) and keeps running.
FAULTY_DIE_ONCE_FILE=PATH: the first instance to get a replayed request creates PATH and exits
with status 4 (later instances, seeing PATH, replay normally).
FAULTY_START_FAILS_FILE=PATH: while PATH exists, the agent exits with status 5 at start (before ready).
FAULTY_RESTORE_FAILS_FILE=PATH: while PATH exists, init with a memory is answered restore_failed.
FAULTY_SLOW_SHUTDOWN_MS=N: on shutdown, works N ms, then sends its memory as a checkpoint of its
own and exits (an agent that saves its state before it goes).
Everything else is the reference learner.
"""
import os
import signal
import sys
import time


sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir))
import learner_path  # noqa: E402,F401  (puts examples/python on sys.path)

from learner_agent import LearnerAgent, main  # noqa: E402

_leaked = []


class FaultyLearner(LearnerAgent):
    name = "faulty-learner"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.ignore_eof = os.environ.get("FAULTY_IGNORE_EOF") == "1"
        self.leak_mb = 0  # to keep once the current request is answered
        if self.ignore_eof:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def handle_request(self, request_id, seq, payload, replay):
        marker = os.environ.get("FAULTY_DIE_ONCE_FILE")
        if replay and marker and not os.path.exists(marker):
            open(marker, "w").close()
            os._exit(4)
        op = payload.get("op") if isinstance(payload, dict) else None
        if op == "slow" and not replay and seq > self.learner.seq:
            # Slow only the first time: a duplicate delivery is answered from memory at once.
            time.sleep(int(payload.get("ms", 1000)) / 1000.0)
        if op == "slow":
            return super().handle_request(request_id, seq, {"op": "learn", "key": payload.get("key")}, replay)
        if op in ("big_answer", "big_answer_id_last") and not replay:
            self.learner.handle({"op": "ask", "key": "_"}, seq)
            return True, {"fault": op, "blob": "b" * int(payload.get("bytes", 1 << 20))}
        if replay or op not in ("crash", "signal", "hang", "spin", "leak", "garbage", "oversize"):
            return super().handle_request(request_id, seq, payload, replay)
        if op == "crash":
            sys.stderr.write("faulty: crashing on request %s\n" % request_id)
            sys.stderr.flush()
            os._exit(3)
        if op == "signal":
            os.kill(os.getpid(), signal.SIGSEGV)
        if op == "hang":
            time.sleep(3600)
        if op == "spin":
            while True:
                pass
        if op == "garbage":
            self.write_raw(b"this is not JSON\n")
        if op == "oversize":
            self.write_raw(b"x" * int(payload.get("bytes", 1 << 20)) + b"\n")
        if op == "leak":
            self.leak_mb = int(payload.get("mb", 10))
        # The learner's memory moves on as for any request (seq covered).
        self.learner.handle({"op": "ask", "key": "_"}, seq)
        return True, {"fault": op, "leaked_mb": (sum(len(b) for b in _leaked) >> 20) + self.leak_mb}

    def send_response(self, request_id, ok, result):
        if ok and isinstance(result, dict) and result.get("fault") == "big_answer_id_last":
            self.send({"payload": result, "ok": True, "type": "response", "id": request_id})
            return
        super().send_response(request_id, ok, result)

    def on_request(self, message):
        super().on_request(message)
        if self.leak_mb:
            block = bytearray(self.leak_mb << 20)
            for i in range(0, len(block), 4096):
                block[i] = 1  # touch every page, so that it is resident
            _leaked.append(block)
            self.leak_mb = 0

    def on_init(self, message):
        marker = os.environ.get("FAULTY_RESTORE_FAILS_FILE")
        if marker and os.path.exists(marker) and message.get("memory") is not None:
            self.send({"type": "error", "code": "restore_failed", "message": "faulty: refusing the memory"})
            return
        super().on_init(message)

    def on_shutdown(self, message):
        slow = int(os.environ.get("FAULTY_SLOW_SHUTDOWN_MS", "0"))
        if slow:
            time.sleep(slow / 1000.0)
            seq, memory = self.checkpoint_state()
            self.send({"type": "checkpoint", "seq": seq, "memory": memory})
            self.stop(0)
            return
        if not self.ignore_eof:
            super().on_shutdown(message)

    def on_eof(self):
        if not self.ignore_eof:
            super().on_eof()
            return
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    if os.environ.get("FAULTY_START_FAILS_FILE") and os.path.exists(os.environ["FAULTY_START_FAILS_FILE"]):
        sys.stderr.write("faulty: failing at start\n")
        sys.exit(5)
    main(FaultyLearner)
