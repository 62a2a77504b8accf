"""Tests of the Python learner agent and of the deliberately broken agents.

Run:  python3 -m unittest discover -s examples/python -p 'test_*.py'

Each test starts a real agent process, talks the protocol to it over pipes (docs/protocol.md)
and kills it in tearDown. Standard library only.
"""

import json
import os
import queue
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
LEARNER = os.path.join(HERE, "learner_agent.py")
BROKEN = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir, "guardian", "src", "test",
                                       "resources", "agents", "broken"))

READY = {"type": "ready", "name": "learner", "version": "1.0.0", "protocol": [1],
         "capabilities": ["checkpoint", "replay"]}
TIMEOUT = 5.0          # for things that must happen
QUIET = 0.8            # how long to wait to conclude that something does not happen
MAX_TEST_LINE = 1 << 20  # the test's own reader keeps at most this much of one line

if sys.getrecursionlimit() < 5000:  # to decode the 1000-level nesting test's pong
    sys.setrecursionlimit(5000)


class Agent:
    """A running agent: send lines, receive parsed lines, observe its exit."""

    def __init__(self, script, env=None):
        environment = dict(os.environ)
        environment.update(env or {})
        self.proc = subprocess.Popen([sys.executable, script], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env=environment, start_new_session=True)
        self.lines = queue.Queue()
        self.stdout_bytes = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        """Splits stdout into lines, never keeping more than MAX_TEST_LINE bytes of one."""
        fd = self.proc.stdout.fileno()
        buf, dropped = bytearray(), 0
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            self.stdout_bytes += len(chunk)
            while chunk:
                nl = chunk.find(b"\n")
                part = chunk if nl < 0 else chunk[:nl]
                room = MAX_TEST_LINE - len(buf)
                buf += part[:room]
                dropped += max(0, len(part) - room)
                if nl < 0:
                    break
                self.lines.put((bytes(buf), len(buf) + dropped))
                buf, dropped = bytearray(), 0
                chunk = chunk[nl + 1:]
        if buf:
            self.lines.put((bytes(buf), len(buf) + dropped))
        self.lines.put(None)  # EOF

    # ---- talking ---------------------------------------------------------------------------

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, *messages):
        self.send_raw(b"".join(json.dumps(m).encode() + b"\n" for m in messages))

    def close_stdin(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def recv_line(self, timeout=TIMEOUT):
        """(raw bytes, full length) of the next stdout line; None at EOF; raises on timeout."""
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no line from the agent within %.1f s" % timeout)

    def recv(self, timeout=TIMEOUT):
        item = self.recv_line(timeout)
        if item is None:
            raise AssertionError("agent closed stdout (exit status %s)" % self.proc.poll())
        return json.loads(item[0].decode("utf-8"))

    def nothing_within(self, seconds=QUIET):
        try:
            item = self.lines.get(timeout=seconds)
        except queue.Empty:
            return True
        raise AssertionError("unexpected output: %r" % (item if item is None else item[0][:200],))

    def exit_status(self, timeout=TIMEOUT):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 9)
            except OSError:
                self.proc.kill()
        self.proc.wait()
        # Let the reader see EOF before closing stdout: closing its fd under it would let the
        # next agent's pipe reuse the fd number while this thread still reads from it.
        self.reader.join(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


def init(seq=0, memory=None):
    return {"type": "init", "protocol": 1, "instance_id": "primary-1", "role": "primary",
            "genome": None, "memory": memory, "seq": seq}


def request(rid, seq, payload, replay=None):
    message = {"type": "request", "id": rid, "seq": seq, "payload": payload}
    if replay is not None:
        message["replay"] = replay
    return message


def ok(rid, payload):
    return {"type": "response", "id": rid, "ok": True, "payload": payload}


def bad(rid, message):
    return {"type": "response", "id": rid, "ok": False,
            "error": {"code": "bad_request", "message": message}}


class AgentTestCase(unittest.TestCase):
    script = LEARNER

    def setUp(self):
        self.agents = []

    def tearDown(self):
        for agent in self.agents:
            agent.kill()

    def start(self, script=None, env=None, handshake=True, memory=None, seq=0):
        agent = Agent(script or self.script, env)
        self.agents.append(agent)
        if handshake:
            self.assertEqual(agent.recv(), READY)
            agent.send(init(seq, memory))
            self.assertEqual(agent.recv(), {"type": "initialized", "seq": seq})
        return agent

    def ask(self, agent, rid, seq, payload):
        agent.send(request(rid, seq, payload))
        return agent.recv()

    def checkpoint(self, agent, cid="c-1"):
        agent.send({"type": "checkpoint_request", "id": cid})
        message = agent.recv()
        self.assertEqual(message["type"], "checkpoint")
        self.assertEqual(message["id"], cid)
        return message

    def assert_error(self, agent, code, line):
        message = agent.recv()
        self.assertEqual(message["type"], "error", message)
        self.assertEqual(message["code"], code, message)
        self.assertIsInstance(message["message"], str)
        self.assertEqual(message["line"], line)
        return message

    def assert_alive(self, agent):
        nonce = int(time.time() * 1000)
        agent.send({"type": "ping", "nonce": nonce})
        self.assertEqual(agent.recv(), {"type": "pong", "nonce": nonce})


# --------------------------------------------------------------------------------------------

class LearnerAgentTest(AgentTestCase):

    def test_ready_init_and_restore(self):
        memory = {"counts": {"apple": 3, "pear": 1}, "total": 4, "seq": 42}
        agent = self.start(memory=memory, seq=42)
        self.assertEqual(self.ask(agent, "r-1", 43, {"op": "ask", "key": "apple"}),
                         ok("r-1", {"key": "apple", "count": 3, "total": 4}))
        self.assertEqual(self.checkpoint(agent),
                         {"type": "checkpoint", "id": "c-1", "seq": 43,
                          "memory": {"counts": {"apple": 3, "pear": 1}, "total": 4, "seq": 43}})

    def test_fresh_start_checkpoint(self):
        agent = self.start()
        self.assertEqual(self.checkpoint(agent)["memory"], {"counts": {}, "total": 0, "seq": 0})
        self.assertEqual(self.checkpoint(agent, "c-2")["seq"], 0)

    def test_protocol_md_complete_exchange(self):
        # docs/protocol.md §10, with this learner's memory shape
        agent = self.start(memory={"counts": {"a": 1}, "applied": ["r-1"]}, seq=1)
        agent.send(request("r-2", 2, {"op": "learn", "key": "a"}, replay=True),
                   request("r-3", 3, {"op": "learn", "key": "b"}))
        self.assertEqual(agent.recv(), ok("r-3", {"key": "b", "count": 1, "total": 3}))
        self.assertEqual(self.checkpoint(agent),
                         {"type": "checkpoint", "id": "c-1", "seq": 3,
                          "memory": {"counts": {"a": 2, "b": 1}, "total": 3, "seq": 3}})
        agent.send({"type": "shutdown", "grace_ms": 2000})
        self.assertEqual(agent.exit_status(), 0)

    def test_ops(self):
        agent = self.start()
        self.assertEqual(self.ask(agent, "r-1", 1, {"op": "learn", "key": "apple"}),
                         ok("r-1", {"key": "apple", "count": 1, "total": 1}))
        self.assertEqual(self.ask(agent, "r-2", 2, {"op": "learn", "key": "apple", "weight": 4}),
                         ok("r-2", {"key": "apple", "count": 5, "total": 5}))
        self.assertEqual(self.ask(agent, "r-3", 3, {"op": "learn", "key": "pear", "weight": 2}),
                         ok("r-3", {"key": "pear", "count": 2, "total": 7}))
        self.assertEqual(self.ask(agent, "r-4", 4, {"op": "learn", "key": "fig", "weight": 2}),
                         ok("r-4", {"key": "fig", "count": 2, "total": 9}))
        self.assertEqual(self.ask(agent, "r-5", 5, {"op": "learn", "key": "kiwi"}),
                         ok("r-5", {"key": "kiwi", "count": 1, "total": 10}))
        self.assertEqual(self.ask(agent, "r-6", 6, {"op": "ask", "key": "pear"}),
                         ok("r-6", {"key": "pear", "count": 2, "total": 10}))
        self.assertEqual(self.ask(agent, "r-7", 7, {"op": "ask", "key": "plum"}),
                         ok("r-7", {"key": "plum", "count": 0, "total": 10}))
        # top: count descending, then key ascending; default n = 3
        self.assertEqual(self.ask(agent, "r-8", 8, {"op": "top"}),
                         ok("r-8", {"top": [["apple", 5], ["fig", 2], ["pear", 2]]}))
        self.assertEqual(self.ask(agent, "r-9", 9, {"op": "top", "n": 1}),
                         ok("r-9", {"top": [["apple", 5]]}))
        self.assertEqual(self.ask(agent, "r-10", 10, {"op": "top", "n": 100}),
                         ok("r-10", {"top": [["apple", 5], ["fig", 2], ["pear", 2],
                                             ["kiwi", 1]]}))
        self.assertEqual(self.ask(agent, "r-11", 11, {"op": "forget", "key": "apple"}),
                         ok("r-11", {"key": "apple", "forgot": 5, "total": 5}))
        self.assertEqual(self.ask(agent, "r-12", 12, {"op": "forget", "key": "apple"}),
                         ok("r-12", {"key": "apple", "forgot": 0, "total": 5}))
        self.assertEqual(self.checkpoint(agent)["memory"],
                         {"counts": {"pear": 2, "fig": 2, "kiwi": 1}, "total": 5, "seq": 12})

    def test_top_orders_keys_by_code_point(self):
        agent = self.start()
        keys = ["b", "B", "\u00e9", "\U0001F600", "\uff21", "a"]
        for i, key in enumerate(keys, 1):
            self.ask(agent, "r-%d" % i, i, {"op": "learn", "key": key})
        top = self.ask(agent, "r-9", 9, {"op": "top", "n": 10})["payload"]["top"]
        self.assertEqual(top, [[k, 1] for k in ["B", "a", "b", "\u00e9", "\uff21", "\U0001F600"]])

    def test_bad_requests(self):
        agent = self.start()
        cases = [
            ({"op": "fly"}, "unknown op 'fly'"),
            ({"op": "learn"}, "missing field 'key'"),
            ({"op": "forget"}, "missing field 'key'"),
            ({"op": "ask", "key": 5}, "field 'key' must be a string, but was 5"),
            ({"op": "learn", "key": "a", "weight": 0}, "weight must be an integer >= 1, but was 0"),
            ({"op": "learn", "key": "a", "weight": 1.5},
             "weight must be an integer >= 1, but was 1.5"),
            ({"op": "learn", "key": "a", "weight": "2"},
             "weight must be an integer >= 1, but was \"2\""),
            ({"op": "learn", "key": "a", "weight": True},
             "weight must be an integer >= 1, but was true"),
            ({"op": "top", "n": 0}, "n must be an integer >= 1, but was 0"),
            ({"key": "a"}, "missing field 'op'"),
            ({"op": 3}, "field 'op' must be a string, but was 3"),
            ([1, 2], "payload must be an object, but was [1,2]"),
            ("learn", "payload must be an object, but was \"learn\""),
            (None, "payload must be an object, but was null"),
        ]
        for seq, (payload, message) in enumerate(cases, 1):
            self.assertEqual(self.ask(agent, "r-%d" % seq, seq, payload), bad("r-%d" % seq, message))
        # bad requests change nothing but advance memory.seq
        self.assertEqual(self.checkpoint(agent)["memory"],
                         {"counts": {}, "total": 0, "seq": len(cases)})

    def test_replay_is_applied_not_answered(self):
        agent = self.start(memory={"counts": {"a": 1}, "total": 1, "seq": 10}, seq=10)
        agent.send(request("r-11", 11, {"op": "learn", "key": "a"}, replay=True),
                   request("r-12", 12, {"op": "learn", "key": "b", "weight": 3}, replay=True),
                   request("r-13", 13, {"op": "fly"}, replay=True),
                   request("r-14", 14, {"op": "ask", "key": "a"}, replay=False))
        self.assertEqual(agent.recv(), ok("r-14", {"key": "a", "count": 2, "total": 5}))
        self.assertEqual(self.checkpoint(agent),
                         {"type": "checkpoint", "id": "c-1", "seq": 14,
                          "memory": {"counts": {"a": 2, "b": 3}, "total": 5, "seq": 14}})

    def test_duplicates_change_nothing_and_answer_read_only(self):
        agent = self.start()
        self.ask(agent, "r-1", 1, {"op": "learn", "key": "a", "weight": 2})
        self.ask(agent, "r-2", 2, {"op": "learn", "key": "b"})
        self.ask(agent, "r-3", 3, {"op": "forget", "key": "b"})
        self.ask(agent, "r-4", 4, {"op": "fly"})
        before = self.checkpoint(agent)
        # redeliveries
        self.assertEqual(self.ask(agent, "r-1", 1, {"op": "learn", "key": "a", "weight": 2}),
                         ok("r-1", {"key": "a", "count": 2, "total": 2}))
        self.assertEqual(self.ask(agent, "r-3", 3, {"op": "forget", "key": "b"}),
                         ok("r-3", {"key": "b", "count": 0, "total": 2}))
        self.assertEqual(self.ask(agent, "r-2", 2, {"op": "learn", "key": "b"}),
                         ok("r-2", {"key": "b", "count": 0, "total": 2}))
        self.assertEqual(self.ask(agent, "r-4", 4, {"op": "fly"}), bad("r-4", "unknown op 'fly'"))
        self.assertEqual(self.ask(agent, "r-2", 2, {"op": "top"}),
                         ok("r-2", {"top": [["a", 2]]}))
        # a replayed duplicate is not applied either
        agent.send(request("r-1", 1, {"op": "learn", "key": "a"}, replay=True))
        after = self.checkpoint(agent, "c-1")
        self.assertEqual(after, before)
        # a restored memory covers init.seq
        agent2 = self.start(memory=before["memory"], seq=4)
        self.assertEqual(self.ask(agent2, "r-2", 2, {"op": "learn", "key": "a"}),
                         ok("r-2", {"key": "a", "count": 2, "total": 2}))
        self.assertEqual(self.ask(agent2, "r-5", 5, {"op": "learn", "key": "a"}),
                         ok("r-5", {"key": "a", "count": 3, "total": 3}))

    def test_many_requests_in_flight(self):
        agent = self.start()
        n = 200
        agent.send(*[request("r-%d" % i, i, {"op": "learn", "key": "k%d" % (i % 7)})
                     for i in range(1, n + 1)])
        answers = {}
        for _ in range(n):
            message = agent.recv()
            answers[message["id"]] = message
        self.assertEqual(len(answers), n)
        for i in range(1, n + 1):
            payload = answers["r-%d" % i]["payload"]
            self.assertEqual(payload["key"], "k%d" % (i % 7))
            self.assertEqual(payload["total"], i)

    def test_ping_pong(self):
        agent = self.start()
        for nonce in (7, "n-1", {"x": [1]}, None):
            agent.send({"type": "ping", "nonce": nonce})
            self.assertEqual(agent.recv(), {"type": "pong", "nonce": nonce})

    def test_ping_before_init_and_unknown_fields(self):
        agent = self.start(handshake=False)
        self.assertEqual(agent.recv(), READY)
        agent.send({"type": "ping", "nonce": 1, "future_field": {"a": 1}})
        self.assertEqual(agent.recv(), {"type": "pong", "nonce": 1})

    def test_crlf_is_accepted(self):
        agent = self.start()
        agent.send_raw(b'{"type":"ping","nonce":3}\r\n')
        self.assertEqual(agent.recv(), {"type": "pong", "nonce": 3})

    def test_bad_lines_are_answered_and_survived(self):
        agent = self.start()
        cases = [
            (b"not json", "malformed"),
            (b"", "malformed"),
            (b"[1,2]", "malformed"),
            (b'"ping"', "malformed"),
            (b'{"nonce":1}', "malformed"),
            (b'{"type":7}', "malformed"),
            (b'{"type":"ping","nonce":NaN}', "malformed"),
            (b'{"type":"ping","nonce":' + b"1" * 1001 + b"}", "malformed"),
            (b"[" * 1001 + b"]" * 1001, "malformed"),
            (b'{"type":"fly"}', "unknown_type"),
            (b'{"type":"ready","name":"x"}', "unknown_type"),
            (b'{"type":"request","seq":1,"payload":{}}', "missing_field"),
            (b'{"type":"request","id":"r-1","payload":{}}', "missing_field"),
            (b'{"type":"request","id":"r-1","seq":1}', "missing_field"),
            (b'{"type":"ping"}', "missing_field"),
            (b'{"type":"init","memory":null}', "missing_field"),
            (b'{"type":"checkpoint_request"}', "missing_field"),
        ]
        for line, code in cases:
            agent.send_raw(line + b"\n")
            message = self.assert_error(agent, code, line[:200].decode())
            if code == "missing_field":
                self.assertIn("'", message["message"])
        self.assertEqual(self.ask(agent, "r-1", 1, {"op": "ask", "key": "a"}),
                         ok("r-1", {"key": "a", "count": 0, "total": 0}))
        # 1000 levels of nesting are fine
        agent.send_raw(b'{"type":"ping","nonce":' + b"[" * 999 + b"]" * 999 + b"}\n")
        self.assertEqual(agent.recv()["type"], "pong")

    def test_missing_field_names_the_field(self):
        agent = self.start()
        agent.send_raw(b'{"type":"ping"}\n')
        self.assertIn("'nonce'", self.assert_error(agent, "missing_field", '{"type":"ping"}')
                      ["message"])
        agent.send_raw(b'{"type":"init","memory":null}\n')
        self.assertIn("'seq'", agent.recv()["message"])

    def test_invalid_utf8(self):
        agent = self.start()
        line = b'{"type":"ping","nonce":"\xff\xfe\xc3"}'
        agent.send_raw(line + b"\n")
        self.assert_error(agent, "malformed", line.decode("utf-8", errors="replace"))
        agent.send_raw(b"\x80\x81\n")
        self.assert_error(agent, "malformed", "\ufffd\ufffd")
        self.assert_alive(agent)

    def test_lone_surrogate_key_is_survived(self):
        agent = self.start()
        agent.send_raw(b'{"type":"request","id":"r-1","seq":1,'
                       b'"payload":{"op":"learn","key":"\\ud800x"}}\n')
        self.assertEqual(agent.recv(), ok("r-1", {"key": "\ud800x", "count": 1, "total": 1}))
        self.assert_alive(agent)

    def test_error_line_is_first_200_bytes(self):
        agent = self.start()
        line = b"x" * 150 + "\u00e9".encode() * 100
        agent.send_raw(line + b"\n")
        message = self.assert_error(agent, "malformed", line[:200].decode("utf-8", "replace"))
        self.assertEqual(len(message["line"].encode()), 200)

    def test_oversized_line(self):
        agent = self.start(handshake=False, env={"GUARDIAN_MAX_LINE_BYTES": "1024"})
        self.assertEqual(agent.recv(), READY)
        agent.send(init())
        self.assertEqual(agent.recv(), {"type": "initialized", "seq": 0})
        big = b'{"type":"ping","nonce":"' + b"y" * (1 << 20) + b'"}'
        agent.send_raw(big + b"\n")
        self.assert_error(agent, "line_too_long", big[:200].decode())
        self.assert_alive(agent)
        # exactly at the limit is fine; one byte more is not
        at_limit = b'{"type":"ping","nonce":"' + b"z" * (1024 - 26) + b'"}'
        self.assertEqual(len(at_limit), 1024)
        agent.send_raw(at_limit + b"\n" + at_limit + b"0\n")
        self.assertEqual(agent.recv()["type"], "pong")
        self.assert_error(agent, "line_too_long", at_limit[:200].decode())
        # an oversized line split over many writes, then a good line
        agent.send_raw(b"q" * 3000)
        time.sleep(0.05)
        agent.send_raw(b"q" * 3000 + b'\n{"type":"ping","nonce":9}\n')
        self.assert_error(agent, "line_too_long", "q" * 200)
        self.assertEqual(agent.recv(), {"type": "pong", "nonce": 9})

    def test_checkpoint_reflects_everything_received(self):
        agent = self.start()
        agent.send(request("r-1", 5, {"op": "learn", "key": "a"}),
                   request("r-2", 9, {"op": "learn", "key": "a", "weight": 2}),
                   {"type": "checkpoint_request", "id": "c-9"})
        seen = [agent.recv(), agent.recv(), agent.recv()]
        checkpoint = [m for m in seen if m["type"] == "checkpoint"][0]
        self.assertEqual(checkpoint, {"type": "checkpoint", "id": "c-9", "seq": 9,
                                      "memory": {"counts": {"a": 3}, "total": 3, "seq": 9}})

    def test_output_is_compact_utf8(self):
        agent = self.start(handshake=False)
        raw, _ = agent.recv_line()
        self.assertEqual(raw, json.dumps(READY, separators=(",", ":")).encode())
        agent.send(init())
        agent.recv()
        agent.send(request("r-1", 1, {"op": "learn", "key": "\u00e9t\u00e9"}))
        raw, _ = agent.recv_line()
        self.assertIn("\u00e9t\u00e9".encode(), raw)
        self.assertNotIn(b" ", raw)

    def test_exit_on_eof(self):
        agent = self.start()
        agent.send(request("r-1", 1, {"op": "learn", "key": "a"}))
        agent.close_stdin()
        self.assertEqual(agent.recv()["id"], "r-1")
        self.assertEqual(agent.exit_status(), 0)

    def test_exit_on_eof_before_init(self):
        agent = self.start(handshake=False)
        agent.close_stdin()
        self.assertEqual(agent.exit_status(), 0)

    def test_unterminated_last_line_is_handled_at_eof(self):
        agent = self.start()
        agent.send_raw(b'{"type":"ping","nonce":5}')
        agent.close_stdin()
        self.assertEqual(agent.recv(), {"type": "pong", "nonce": 5})
        self.assertEqual(agent.exit_status(), 0)

    def test_exit_on_shutdown(self):
        agent = self.start()
        started = time.monotonic()
        agent.send({"type": "shutdown", "grace_ms": 5000})
        self.assertEqual(agent.exit_status(), 0)
        self.assertLess(time.monotonic() - started, 2.0)


# --------------------------------------------------------------------------------------------

def broken(name):
    return os.path.join(BROKEN, name + ".py")


class BrokenAgentsTest(AgentTestCase):
    """Each broken agent breaks its one rule, and (plausibly) only that one."""

    def test_all_are_executable_python_scripts(self):
        names = sorted(f for f in os.listdir(BROKEN) if f.endswith(".py"))
        self.assertEqual(names, sorted(n + ".py" for n in [
            "never_pongs", "garbage_stdout", "ignores_eof", "ignores_shutdown", "silent",
            "floods_stdout", "forgets_on_restore", "answers_replay", "dies_on_malformed",
            "mixes_ids", "no_checkpoint", "slow_ready"]))
        for name in names:
            path = os.path.join(BROKEN, name)
            self.assertTrue(os.access(path, os.X_OK), path)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            self.assertTrue(text.startswith('#!/usr/bin/env python3\n"""'), path)
            self.assertIn("Breaks", text, path)

    def test_never_pongs(self):
        agent = self.start(broken("never_pongs"))
        self.assertEqual(self.ask(agent, "r-1", 1, {"op": "learn", "key": "a"}),
                         ok("r-1", {"key": "a", "count": 1, "total": 1}))
        agent.send({"type": "ping", "nonce": 1})
        agent.nothing_within()
        self.assertEqual(self.checkpoint(agent)["seq"], 1)
        agent.close_stdin()
        self.assertEqual(agent.exit_status(), 0)

    def test_garbage_stdout(self):
        agent = self.start(broken("garbage_stdout"))
        agent.send(request("r-1", 1, {"op": "learn", "key": "a"}))
        raw, _ = agent.recv_line()
        with self.assertRaises(ValueError):
            json.loads(raw.decode("utf-8", "replace"))
        self.assert_alive(agent)
        self.assertEqual(self.checkpoint(agent)["memory"]["counts"], {"a": 1})
        agent.close_stdin()
        self.assertEqual(agent.exit_status(), 0)

    def test_ignores_eof(self):
        agent = self.start(broken("ignores_eof"))
        self.assert_alive(agent)
        agent.close_stdin()
        self.assertIsNone(agent.exit_status(timeout=1.5))
        # ... but it obeys shutdown
        other = self.start(broken("ignores_eof"))
        other.send({"type": "shutdown", "grace_ms": 1000})
        self.assertEqual(other.exit_status(), 0)

    def test_ignores_shutdown(self):
        agent = self.start(broken("ignores_shutdown"))
        agent.send({"type": "shutdown", "grace_ms": 500})
        self.assertIsNone(agent.exit_status(timeout=1.5))
        self.assert_alive(agent)
        agent.close_stdin()
        self.assertEqual(agent.exit_status(), 0)

    def test_silent(self):
        agent = self.start(broken("silent"), handshake=False)
        agent.nothing_within()
        agent.send(init(), {"type": "ping", "nonce": 1}, request("r-1", 1, {"op": "top"}))
        agent.nothing_within(0.5)
        agent.close_stdin()
        self.assertEqual(agent.exit_status(), 0)
        self.assertIsNone(agent.recv_line())  # stdout closed without a single byte
        self.assertEqual(agent.stdout_bytes, 0)

    def test_floods_stdout(self):
        agent = self.start(broken("floods_stdout"), handshake=False)
        self.assertEqual(agent.recv(), READY)
        agent.send(init())
        raw, length = agent.recv_line(timeout=10)
        self.assertGreater(length, 16 * 1024 * 1024)  # one line over the default limit
        garbage = [agent.recv_line(timeout=TIMEOUT) for _ in range(100)]
        for raw, _ in garbage:
            with self.assertRaises(ValueError):
                json.loads(raw.decode())
        self.assertIsNone(agent.proc.poll())

    def test_forgets_on_restore(self):
        memory = {"counts": {"apple": 3}, "total": 3, "seq": 5}
        agent = self.start(broken("forgets_on_restore"), memory=memory, seq=5)
        self.assertEqual(self.ask(agent, "r-6", 6, {"op": "ask", "key": "apple"}),
                         ok("r-6", {"key": "apple", "count": 0, "total": 0}))  # should be 3
        self.assertEqual(self.checkpoint(agent)["memory"], {"counts": {}, "total": 0, "seq": 6})
        self.assert_alive(agent)

    def test_answers_replay(self):
        agent = self.start(broken("answers_replay"))
        agent.send(request("r-1", 1, {"op": "learn", "key": "a"}, replay=True))
        self.assertEqual(agent.recv(), ok("r-1", {"key": "a", "count": 1, "total": 1}))
        self.assertEqual(self.ask(agent, "r-2", 2, {"op": "learn", "key": "a"}),
                         ok("r-2", {"key": "a", "count": 2, "total": 2}))
        agent.close_stdin()
        self.assertEqual(agent.exit_status(), 0)

    def test_dies_on_malformed(self):
        agent = self.start(broken("dies_on_malformed"))
        agent.send_raw(b'{"type":"fly"}\n{"type":"ping"}\n')
        self.assertEqual(agent.recv()["code"], "unknown_type")
        self.assertEqual(agent.recv()["code"], "missing_field")
        self.assert_alive(agent)
        agent.send_raw(b"this is not json\n")
        self.assertEqual(agent.exit_status(), 1)
        self.assertIsNone(agent.recv_line())

    def test_mixes_ids(self):
        agent = self.start(broken("mixes_ids"))
        # alone in flight: correct
        self.assertEqual(self.ask(agent, "r-1", 1, {"op": "learn", "key": "a"}),
                         ok("r-1", {"key": "a", "count": 1, "total": 1}))
        # two in flight: swapped
        agent.send(request("r-2", 2, {"op": "learn", "key": "b"}),
                   request("r-3", 3, {"op": "learn", "key": "c"}))
        answers = {m["id"]: m["payload"] for m in (agent.recv(), agent.recv())}
        self.assertEqual(answers, {"r-2": {"key": "c", "count": 1, "total": 3},
                                   "r-3": {"key": "b", "count": 1, "total": 2}})
        self.assertEqual(self.checkpoint(agent)["memory"],
                         {"counts": {"a": 1, "b": 1, "c": 1}, "total": 3, "seq": 3})
        agent.close_stdin()
        self.assertEqual(agent.exit_status(), 0)

    def test_no_checkpoint(self):
        agent = self.start(broken("no_checkpoint"))
        agent.send({"type": "checkpoint_request", "id": "c-1"})
        agent.nothing_within()
        self.assert_alive(agent)
        self.assertEqual(self.ask(agent, "r-1", 1, {"op": "learn", "key": "a"})["ok"], True)
        agent.close_stdin()
        self.assertEqual(agent.exit_status(), 0)

    def test_slow_ready(self):
        agent = self.start(broken("slow_ready"), handshake=False)
        agent.nothing_within(2.0)
        self.assertIsNone(agent.proc.poll())


if __name__ == "__main__":
    unittest.main()
