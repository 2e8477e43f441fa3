#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Read the JSON sink's output back with a real JSON parser.

Runs `test-sinks --json`, which prints every test event as JSON lines, and
checks that each line is one valid JSON object with every field present and
of the right type, and that escaped strings decode to the bytes they came
from.  Prints TAP.
"""
import json
import subprocess
import sys

FIELDS = {
    "pid": int, "tid": int, "comm": (str, type(None)), "host": (str, type(None)),
    "recording": int, "time": float, "decoded": (str, type(None)),
    "rel_time": float, "syscall": (str, type(None)), "nr": int, "args": list,
    "return": (int, type(None)), "errno": (str, type(None)),
    "duration_ns": (int, type(None)), "stack_size": int, "stack_end": str,
    "frames": list,
}
FRAME_FIELDS = {
    "address": str, "rel": (str, type(None)), "dso": (str, type(None)),
    "build_id": (str, type(None)), "build_id_mismatch": bool,
    "symbol": (str, type(None)), "offset": (int, type(None)),
    "file": (str, type(None)), "line": (int, type(None)), "inlined": bool, "guessed": bool,
    "method": str,
}
ODD_COMM = ('a"b\\c\n\t\x01\x7f\xff\xc3(\u00e9\u20ac\U0001F600'
            '\xed\xa0\x80\xc0\xaf')

n = 0


def ok(cond, what):
    global n
    n += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, what))
    return cond


def main():
    out = subprocess.run([sys.argv[1], "--json"], stdout=subprocess.PIPE,
                         check=True).stdout
    lines = out.split(b"\n")
    ok(lines[-1] == b"", "output ends with a newline")
    events = []
    bad = []
    for i, line in enumerate(lines[:-1]):
        try:
            events.append(json.loads(line))
        except ValueError as e:
            bad.append("line %d: %s" % (i + 1, e))
    if not ok(not bad and len(events) == 13, "13 lines, each valid JSON"):
        for b in bad:
            print("# " + b)
    wrong = []
    for i, ev in enumerate(events):
        for k, t in FIELDS.items():
            if k not in ev or not isinstance(ev[k], t):
                wrong.append("event %d: %s" % (i, k))
        for f in ev.get("frames", []):
            for k, t in FRAME_FIELDS.items():
                if k not in f or not isinstance(f[k], t):
                    wrong.append("event %d frame: %s" % (i, k))
            if not f["address"].startswith("0x"):
                wrong.append("event %d frame: address %s" % (i, f["address"]))
    if not ok(not wrong, "every field present with its type"):
        for w in wrong:
            print("# " + w)
    ok(len(events) > 11 and events[11]["comm"] == ODD_COMM,
       "escaped comm decodes to its bytes (invalid UTF-8 as Latin-1)")
    ok(events[0]["errno"] == "ECONNREFUSED" and events[0]["return"] == -111,
       "errno name of a failed call")
    ok(events[12]["args"][0] == 2**64 - 1 and events[12]["return"] == -2**63,
       "64-bit numbers survive")
    print("1..%d" % n)


main()
