#!/usr/bin/env python3
"""Sends {"op":"learn","key":KEY} to a Guardian front door, one request at a time, until stopped
(SIGTERM/SIGINT); then prints how many were acknowledged (HTTP 200) on stdout.

    python3 traffic.py http://127.0.0.1:17070/v1/invoke demo

Used by bin/demo to keep traffic flowing while Guardian judges a candidate. Standard library only.
"""
import json
import signal
import sys
import urllib.error
import urllib.request

running = True


def stop(signum, frame):
    global running
    running = False


def main(url, key):
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    body = json.dumps({"payload": {"op": "learn", "key": key}}).encode()
    acknowledged = 0
    while running:
        try:
            request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as r:
                if r.status == 200:
                    acknowledged += 1
        except (urllib.error.URLError, OSError):
            pass  # not acknowledged: not counted
    print(acknowledged)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "demo")
