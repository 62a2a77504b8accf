#!/usr/bin/env python3
"""The reference "learner" agent for Guardian, in Python (standard library only).

It speaks the Guardian agent protocol, version 1 (docs/protocol.md) on stdin/stdout.
The file has two parts, so that variants (see guardian/src/test/resources/agents/broken/)
can reuse it:

* ``AgentRunner``: the protocol, generically. Framing with a bounded line reader, parsing and
  validation of every message from Guardian, and one overridable method per message type
  (``on_init``, ``on_request``, ``on_ping``, ``on_checkpoint_request``, ``on_proposal_result``,
  ``on_shutdown``, ``on_eof``, ``on_malformed``, ``on_unknown_type``, ``on_missing_field``,
  ``on_line_too_long``). An agent plugs its logic in with ``restore``, ``handle_request``
  and ``checkpoint_state``.
* ``Learner``: the learner logic (counts of keys), and ``LearnerAgent`` which ties the two.

Run it:  python3 examples/python/learner_agent.py
"""

import json
import os
import select
import sys
import traceback

PROTOCOL_VERSION = 1
DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024
LINE_QUOTE_BYTES = 200          # how much of a bad line an `error` message quotes
MAX_NESTING = 1000              # deeper JSON is rejected as malformed (protocol.md §1)
MAX_NUMBER_DIGITS = 1000        # longer numbers are rejected as malformed (protocol.md §1)
READ_CHUNK = 64 * 1024

# json's C scanner recurses once per nesting level and counts against the recursion limit:
# raise it so that the 1000 levels the protocol allows always parse (deeper is rejected below).
if sys.getrecursionlimit() < 5000:
    sys.setrecursionlimit(5000)


def log(message):
    """Diagnostics go to stderr (Guardian captures it to a log file); never to stdout."""
    try:
        sys.stderr.write(message.rstrip("\n") + "\n")
        sys.stderr.flush()
    except Exception:  # stderr closed: nothing sensible left to do
        pass


def compact(value):
    """Compact JSON text of a value, as the protocol writes it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def shown(value, limit=200):
    """A value as JSON text for an error message, truncated if very long."""
    try:
        text = compact(value)
    except Exception:
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def max_line_bytes_from_env(environ=None):
    environ = os.environ if environ is None else environ
    raw = environ.get("GUARDIAN_MAX_LINE_BYTES")
    if raw is None or raw.strip() == "":
        return DEFAULT_MAX_LINE_BYTES
    try:
        value = int(raw.strip())
        if value >= 1:
            return value
    except ValueError:
        pass
    log("GUARDIAN_MAX_LINE_BYTES=%r is not a positive integer; using %d"
        % (raw, DEFAULT_MAX_LINE_BYTES))
    return DEFAULT_MAX_LINE_BYTES


# --------------------------------------------------------------------------------------------
# Framing
# --------------------------------------------------------------------------------------------

class LineReader:
    """Splits a byte stream into lines of at most ``max_bytes`` bytes (the `\\n` excluded).

    ``feed(chunk)`` returns a list of events: ``("line", bytes)`` for a complete line (without
    its `\\n`), or ``("too_long", first_bytes, length)`` for a line over the limit. An oversized
    line is never buffered whole: once it passes the limit, only its first ``keep`` bytes are
    kept and the rest is counted and dropped up to the next `\\n`.
    """

    def __init__(self, max_bytes, keep=LINE_QUOTE_BYTES):
        self.max_bytes = max_bytes
        self.keep = keep
        self._buf = bytearray()
        self._skipping = False
        self._skip_prefix = b""
        self._skip_len = 0

    def feed(self, chunk):
        events = []
        pos, n = 0, len(chunk)
        while pos < n:
            nl = chunk.find(b"\n", pos)
            end = nl if nl >= 0 else n
            if self._skipping:
                self._skip_len += end - pos
                if nl >= 0:
                    events.append(("too_long", self._skip_prefix, self._skip_len))
                    self._skipping = False
                    self._skip_prefix = b""
                pos = end + 1 if nl >= 0 else n
                continue
            if len(self._buf) + (end - pos) > self.max_bytes:
                prefix = bytes(self._buf[: self.keep])
                if len(prefix) < self.keep:
                    prefix += chunk[pos: pos + self.keep - len(prefix)]
                length = len(self._buf) + (end - pos)
                self._buf = bytearray()
                if nl >= 0:
                    events.append(("too_long", prefix, length))
                else:
                    self._skipping = True
                    self._skip_prefix = prefix
                    self._skip_len = length
                pos = end + 1 if nl >= 0 else n
                continue
            self._buf += chunk[pos:end]
            if nl >= 0:
                events.append(("line", bytes(self._buf)))
                self._buf = bytearray()
                pos = nl + 1
            else:
                pos = n
        return events

    def finish(self):
        """At EOF: the unterminated last line, if any."""
        events = []
        if self._skipping:
            events.append(("too_long", self._skip_prefix, self._skip_len))
        elif self._buf:
            events.append(("line", bytes(self._buf)))
        self._buf = bytearray()
        self._skipping = False
        return events


class MalformedLine(Exception):
    pass


def _reject_constant(name):
    raise ValueError("%s is not valid JSON" % name)


def _parse_int(text):
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValueError("number longer than %d digits" % MAX_NUMBER_DIGITS)
    return int(text)


def _parse_float(text):
    if sum(c.isdigit() for c in text) > MAX_NUMBER_DIGITS:
        raise ValueError("number longer than %d digits" % MAX_NUMBER_DIGITS)
    return float(text)


def _depth_exceeds(value, limit):
    """True if containers in ``value`` nest deeper than ``limit`` levels (iterative)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False


def parse_line(raw):
    """Bytes of one line (no `\\n`) -> a JSON value. Raises MalformedLine with a reason."""
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise MalformedLine("invalid UTF-8 at byte %d" % e.start)
    try:
        value = json.loads(text, parse_constant=_reject_constant,
                           parse_int=_parse_int, parse_float=_parse_float)
    except RecursionError:
        raise MalformedLine("JSON nested deeper than %d levels" % MAX_NESTING)
    except (ValueError, TypeError, OverflowError) as e:
        raise MalformedLine("not valid JSON: %s" % e)
    if _depth_exceeds(value, MAX_NESTING):
        raise MalformedLine("JSON nested deeper than %d levels" % MAX_NESTING)
    return value


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


# Required fields of each message type Guardian sends: name -> expected kind.
# "any" means present with any value (null included). Other fields are optional; unknown
# fields are ignored (protocol.md §1).
REQUIRED_FIELDS = {
    "init": {"seq": "int"},
    "request": {"id": "string", "seq": "int", "payload": "any"},
    "ping": {"nonce": "any"},
    "checkpoint_request": {"id": "any"},
    "proposal_result": {"id": "string", "outcome": "string"},
    "shutdown": {},
}

_KIND_CHECKS = {
    "any": lambda v: True,
    "int": is_int,
    "string": lambda v: isinstance(v, str),
}

_KIND_NAMES = {"int": "an integer", "string": "a string"}


# --------------------------------------------------------------------------------------------
# The protocol runner
# --------------------------------------------------------------------------------------------

class AgentRunner:
    """Implements the Guardian agent protocol; subclass it and override what you need.

    Agent logic hooks: ``restore(memory, seq)``, ``handle_request(id, seq, payload, replay)``
    -> ``(ok, payload_or_error)``, ``checkpoint_state()`` -> ``(seq, memory)``.
    Protocol hooks: ``on_<message type>(msg)`` and ``on_eof``, ``on_malformed``,
    ``on_unknown_type``, ``on_missing_field``, ``on_line_too_long``, ``on_idle``.
    """

    name = "agent"
    version = "0.0.0"
    protocols = [PROTOCOL_VERSION]
    capabilities = []

    def __init__(self, stdin_fd=None, stdout=None, max_line_bytes=None):
        self.stdin_fd = sys.stdin.fileno() if stdin_fd is None else stdin_fd
        self.out = sys.stdout.buffer if stdout is None else stdout
        self.max_line_bytes = (max_line_bytes_from_env() if max_line_bytes is None
                               else max_line_bytes)
        self.reader = LineReader(self.max_line_bytes)
        self.exit_code = None          # set by stop(); the run loop ends when it is not None
        self.initialized = False

    # ---- running -------------------------------------------------------------------------

    def run(self):
        """Runs the agent until shutdown or stdin EOF; returns the exit status."""
        # Keep stdout for protocol lines only: a stray print() goes to stderr instead.
        if sys.stdout is not None and self.out is getattr(sys.stdout, "buffer", None):
            sys.stdout = sys.stderr
        try:
            self.send_ready()
            while self.exit_code is None:
                timeout = self.idle_timeout()
                if timeout is not None:
                    readable, _, _ = select.select([self.stdin_fd], [], [], timeout)
                    if not readable:
                        self.on_idle()
                        continue
                try:
                    chunk = os.read(self.stdin_fd, READ_CHUNK)
                except InterruptedError:
                    continue
                except OSError as e:
                    log("reading stdin failed: %s; treating it as EOF" % e)
                    chunk = b""
                if not chunk:
                    for event in self.reader.finish():
                        if self.exit_code is not None:
                            break
                        self._event(event)
                    if self.exit_code is None:
                        self.on_eof()
                    break
                for event in self.reader.feed(chunk):
                    if self.exit_code is not None:
                        break
                    self._event(event)
        except KeyboardInterrupt:
            return 130
        return 0 if self.exit_code is None else self.exit_code

    def stop(self, code=0):
        """Ends the run loop after the current line; run() returns ``code``."""
        if self.exit_code is None:
            self.exit_code = code

    def idle_timeout(self):
        """Seconds to wait for input before on_idle() is called; None: wait forever."""
        return None

    def on_idle(self):
        pass

    # ---- writing -------------------------------------------------------------------------

    def send(self, message):
        """Writes one message as a compact JSON line and flushes."""
        try:
            data = compact(message).encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate (e.g. from "\ud800" in the input) cannot be UTF-8 encoded;
            # escape non-ASCII instead: same JSON value, still valid UTF-8.
            data = json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        self.write_raw(data + b"\n")

    def write_raw(self, data):
        try:
            self.out.write(data)
            self.out.flush()
        except (BrokenPipeError, ValueError, OSError) as e:
            # Guardian is gone (or stdout closed): nothing more can be said; exit quietly.
            log("stdout closed (%s); exiting" % e)
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, self.out.fileno())
            except Exception:
                pass
            self.stop(0)

    def ready_message(self):
        message = {"type": "ready", "name": self.name, "version": self.version,
                   "protocol": list(self.protocols)}
        if self.capabilities:
            message["capabilities"] = list(self.capabilities)
        return message

    def send_ready(self):
        self.send(self.ready_message())

    def send_response(self, request_id, ok, result):
        if ok:
            self.send({"type": "response", "id": request_id, "ok": True, "payload": result})
        else:
            self.send({"type": "response", "id": request_id, "ok": False, "error": result})

    def send_error(self, code, message, raw):
        self.send({"type": "error", "code": code, "message": message,
                   "line": raw[:LINE_QUOTE_BYTES].decode("utf-8", errors="replace")})

    # ---- reading and dispatch ------------------------------------------------------------

    def _event(self, event):
        try:
            if event[0] == "too_long":
                self.on_line_too_long(event[1], event[2])
            else:
                self.on_line(event[1])
        except SystemExit:
            raise
        except Exception:
            log("internal error while handling a line:\n" + traceback.format_exc())

    def on_line(self, raw):
        """One complete line from Guardian: parse, validate, dispatch."""
        try:
            message = parse_line(raw)
        except MalformedLine as e:
            return self.on_malformed(raw, str(e))
        if not isinstance(message, dict):
            return self.on_malformed(raw, "not a JSON object")
        if "type" not in message:
            return self.on_malformed(raw, "missing field 'type'")
        kind = message["type"]
        if not isinstance(kind, str):
            return self.on_malformed(raw, "field 'type' must be a string, but was %s"
                                     % shown(kind))
        if kind not in REQUIRED_FIELDS:
            return self.on_unknown_type(message, raw)
        for field, expected in REQUIRED_FIELDS[kind].items():
            if field not in message:
                return self.on_missing_field(message, field, raw)
            if not _KIND_CHECKS[expected](message[field]):
                return self.on_malformed(raw, "%s: field '%s' must be %s, but was %s"
                                         % (kind, field, _KIND_NAMES[expected],
                                            shown(message[field])))
        handler = getattr(self, "on_" + kind)
        return handler(message)

    # ---- protocol hooks ------------------------------------------------------------------

    def on_malformed(self, raw, reason):
        self.send_error("malformed", reason, raw)

    def on_unknown_type(self, message, raw):
        self.send_error("unknown_type", "unknown message type '%s'" % message["type"], raw)

    def on_missing_field(self, message, field, raw):
        self.send_error("missing_field", "%s: missing field '%s'" % (message["type"], field), raw)

    def on_line_too_long(self, first_bytes, length):
        self.send_error("line_too_long",
                        "line of %d bytes is longer than the limit of %d bytes; skipped"
                        % (length, self.max_line_bytes), first_bytes)

    def on_init(self, message):
        self.restore(message.get("memory"), message["seq"])
        self.initialized = True
        self.send({"type": "initialized", "seq": message["seq"]})

    def on_request(self, message):
        replay = message.get("replay") is True
        try:
            ok, result = self.handle_request(message["id"], message["seq"],
                                             message["payload"], replay)
        except Exception as e:
            log("request %s failed:\n%s" % (message["id"], traceback.format_exc()))
            ok, result = False, {"code": "internal_error", "message": str(e) or repr(e)}
        if not replay:
            self.send_response(message["id"], ok, result)

    def on_ping(self, message):
        self.send({"type": "pong", "nonce": message["nonce"]})

    def on_checkpoint_request(self, message):
        seq, memory = self.checkpoint_state()
        self.send({"type": "checkpoint", "id": message["id"], "seq": seq, "memory": memory})

    def on_proposal_result(self, message):
        log("proposal %s: %s" % (message["id"], message["outcome"]))

    def on_shutdown(self, message):
        self.stop(0)

    def on_eof(self):
        self.stop(0)

    # ---- agent logic hooks ---------------------------------------------------------------

    def restore(self, memory, seq):
        pass

    def handle_request(self, request_id, seq, payload, replay):
        return False, {"code": "not_implemented", "message": "this agent answers nothing"}

    def checkpoint_state(self):
        return 0, None


# --------------------------------------------------------------------------------------------
# The learner
# --------------------------------------------------------------------------------------------

class BadRequest(Exception):
    pass


OPS = ("learn", "ask", "top", "forget")


class Learner:
    """Counts keys. Memory: {"counts": {key: int}, "total": int, "seq": int}.

    ``seq`` is the last applied request sequence. A request whose seq is not above it was
    already applied (a redelivery) and is answered read-only.
    """

    def __init__(self):
        self.counts = {}
        self.total = 0
        self.seq = 0

    # ---- memory --------------------------------------------------------------------------

    def snapshot(self):
        return {"counts": dict(self.counts), "total": self.total, "seq": self.seq}

    def restore(self, memory, seq=0):
        """Restores a snapshot; null -> fresh. ``seq`` (init.seq) is used when the memory
        does not state its own."""
        self.counts, self.total, self.seq = {}, 0, seq if is_int(seq) else 0
        if memory is None:
            return
        if not isinstance(memory, dict):
            log("memory to restore is not an object (%s); starting fresh" % shown(memory, 80))
            return
        counts = memory.get("counts")
        if isinstance(counts, dict):
            for key, count in counts.items():
                if is_int(count) and count > 0:
                    self.counts[key] = count
                else:
                    log("memory: ignoring count %s for key %s" % (shown(count), shown(key)))
        total = memory.get("total")
        self.total = total if is_int(total) else sum(self.counts.values())
        if is_int(memory.get("seq")):
            self.seq = memory["seq"]

    # ---- requests ------------------------------------------------------------------------

    def is_duplicate(self, seq):
        return seq <= self.seq

    def handle(self, payload, seq, duplicate=None):
        """Applies one request; returns (True, answer) or (False, error)."""
        if duplicate is None:
            duplicate = self.is_duplicate(seq)
        try:
            op, args = self.parse(payload)
        except BadRequest as e:
            result = (False, {"code": "bad_request", "message": str(e)})
        else:
            if duplicate:
                # Already applied: change nothing, answer read-only.
                result = (True, self.top(args["n"]) if op == "top" else self.ask(args["key"]))
            else:
                result = (True, getattr(self, op)(**args))
        if not duplicate and seq > self.seq:
            self.seq = seq
        return result

    @staticmethod
    def parse(payload):
        """Validates a payload -> (op, kwargs); raises BadRequest naming field and value."""
        if not isinstance(payload, dict):
            raise BadRequest("payload must be an object, but was %s" % shown(payload))
        if "op" not in payload:
            raise BadRequest("missing field 'op'")
        op = payload["op"]
        if not isinstance(op, str):
            raise BadRequest("field 'op' must be a string, but was %s" % shown(op))
        if op not in OPS:
            raise BadRequest("unknown op '%s'" % (op if len(op) <= 200 else op[:200] + "..."))
        if op == "top":
            n = payload.get("n", 3)
            # Bounded like the Java learner's int/long, so that both agents answer alike.
            if not is_int(n) or n < 1 or n > 2**31 - 1:
                raise BadRequest("n must be an integer >= 1, but was %s" % shown(n))
            return op, {"n": n}
        if "key" not in payload:
            raise BadRequest("missing field 'key'")
        key = payload["key"]
        if not isinstance(key, str):
            raise BadRequest("field 'key' must be a string, but was %s" % shown(key))
        if op == "learn":
            weight = payload.get("weight", 1)
            if not is_int(weight) or weight < 1 or weight > 2**63 - 1:
                raise BadRequest("weight must be an integer >= 1, but was %s" % shown(weight))
            return op, {"key": key, "weight": weight}
        return op, {"key": key}

    def learn(self, key, weight):
        self.counts[key] = self.counts.get(key, 0) + weight
        self.total += weight
        return {"key": key, "count": self.counts[key], "total": self.total}

    def ask(self, key):
        return {"key": key, "count": self.counts.get(key, 0), "total": self.total}

    def top(self, n):
        ranked = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        return {"top": [[key, count] for key, count in ranked]}

    def forget(self, key):
        count = self.counts.pop(key, 0)
        self.total -= count
        return {"key": key, "forgot": count, "total": self.total}


class LearnerAgent(AgentRunner):
    name = "learner"
    version = "1.0.0"
    capabilities = ["checkpoint", "replay"]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.learner = Learner()

    def restore(self, memory, seq):
        self.learner.restore(memory, seq)

    def handle_request(self, request_id, seq, payload, replay):
        return self.learner.handle(payload, seq)

    def checkpoint_state(self):
        return self.learner.seq, self.learner.snapshot()


def main(agent_class=LearnerAgent):
    sys.exit(agent_class().run())


if __name__ == "__main__":
    main()
