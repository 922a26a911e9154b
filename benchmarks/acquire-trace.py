#!/usr/bin/env python3
"""Where a take-over's time goes inside vipd: reads the `vipha-acquire-trace` lines that vipd
prints with -Dvipha.trace.acquire=true (AcquireTrace) from node logs, keeps the episodes in
which the node added an address, and prints each step's median and max in milliseconds.

usage: benchmarks/acquire-trace.py LOG... (e.g. the harness's /tmp/failover-bench-*/*-n2.log)
"""
import re
import statistics
import sys


def parse(line):
    """The marks of a line, (name, ms from the decision); negative for what came before it."""
    marks = []
    for tok in line.split()[1:]:
        m = re.match(r"([a-z0-9]+)([+-][0-9.]+)$", tok)
        if m:
            marks.append((m.group(1), float(m.group(2)) / 1000.0))
    return marks


def after(marks, name, t):
    return next((u for m, u in marks if m == name and u >= t), None)


def before(marks, name, t):
    found = [u for m, u in marks if m == name and u <= t]
    return found[-1] if found else None


def steps(marks):
    """The instants of an episode's steps, in milliseconds from the decision."""
    s = after(marks, "assign", 0.0)
    out = {"decided": 0.0, "assign": s}
    for name in ("heard", "due"):  # marked with their own (earlier) times
        out["mark-" + name] = next((u for m, u in marks if m == name), None)
    out["listeners"] = next((u for m, u in marks if m in ("emitted", "entered") and u <= s),
                            None)
    for name in ("replan", "planned", "reconcile"):
        out[name] = before(marks, name, s)
    out["assigned"] = after(marks, "assigned", s)
    out["announce"] = after(marks, "announce", out["assigned"])
    out["frame"] = after(marks, "frame", out["announce"])
    out["announced"] = after(marks, "announced", out["announce"])
    out["announced2"] = after(marks, "announced", out["announced"] + 1e-9)
    last = out["announced2"] if out["announced2"] is not None else out["announced"]
    out["heard"] = after(marks, "emitted", last) if last is not None else None
    return out


ROWS = [
    ("last advertisement / heartbeat heard -> timer due", "mark-heard", "mark-due"),
    ("timer due -> decision (the loop's wake-up)", "mark-due", "decided"),
    ("decision -> first event's listeners done before the assign (peer down logged)",
     "decided", "listeners"),
    ("decision -> replan start", "decided", "replan"),
    ("replan (planner)", "replan", "planned"),
    ("planned -> reconcile start", "planned", "reconcile"),
    ("reconcile start -> backend.assign", "reconcile", "assign"),
    ("backend.assign (RTM_NEWADDR, ACK)", "assign", "assigned"),
    ("assign return -> backend.announce", "assigned", "announce"),
    ("backend.announce -> first frame sent (GARP request)", "announce", "frame"),
    ("backend.announce (GARP request, reply)", "announce", "announced"),
    ("**timer due -> first frame sent**", "mark-due", "frame"),
    ("**decision -> first announcement sent**", "decided", "announced"),
    ("first -> second VIP's announcement sent", "announced", "announced2"),
    ("**decision -> second announcement sent**", "decided", "announced2"),
    ("decision -> first listeners done after the announcements", "decided", "heard"),
]


def main(paths):
    episodes = []
    for p in paths:
        with open(p, errors="replace") as f:
            for line in f:
                if line.startswith("vipha-acquire-trace") and " assign+" in line:
                    episodes.append(steps(parse(line)))
    print(f"{len(episodes)} episodes with an address added")
    print("| step | median ms | max ms | n |")
    print("|---|---|---|---|")
    for label, a, b in ROWS:
        values = [e[b] - e[a] for e in episodes
                  if e.get(a) is not None and e.get(b) is not None and e[b] >= e[a]]
        if values:
            print(f"| {label} | {statistics.median(values):.2f} | {max(values):.2f} |"
                  f" {len(values)} |")


if __name__ == "__main__":
    main(sys.argv[1:])
