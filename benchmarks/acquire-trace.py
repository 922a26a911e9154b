#!/usr/bin/env python3
"""Where a take-over's time goes inside vipd: reads the `vipha-acquire-trace` lines that vipd
prints with -Dvipha.trace.acquire=true (AcquireTrace) from node logs, keeps the episodes in
which the node added an address, and prints each step's median and max in milliseconds.

usage: benchmarks/acquire-trace.py LOG... (e.g. the harness's /tmp/failover-bench-*/*-n2.log)
"""
import statistics
import sys


def parse(line):
    marks = []
    for tok in line.split()[1:]:
        name, _, t = tok.partition("+")
        marks.append((name, float(t) / 1000.0))
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
    out["listeners"] = next((u for m, u in marks if m in ("emitted", "entered") and u <= s),
                            None)
    for name in ("replan", "planned", "reconcile"):
        out[name] = before(marks, name, s)
    out["assigned"] = after(marks, "assigned", s)
    out["announce"] = after(marks, "announce", out["assigned"])
    out["announced"] = after(marks, "announced", out["announce"])
    out["announced2"] = after(marks, "announced", out["announced"] + 1e-9)
    last = out["announced2"] if out["announced2"] is not None else out["announced"]
    out["heard"] = after(marks, "emitted", last) if last is not None else None
    return out


ROWS = [
    ("decision -> first event's listeners done before the assign (peer down logged)",
     "decided", "listeners"),
    ("decision -> replan start", "decided", "replan"),
    ("replan (planner)", "replan", "planned"),
    ("planned -> reconcile start", "planned", "reconcile"),
    ("reconcile start -> backend.assign", "reconcile", "assign"),
    ("backend.assign (RTM_NEWADDR, ACK)", "assign", "assigned"),
    ("assign return -> backend.announce", "assigned", "announce"),
    ("backend.announce (GARP request, reply)", "announce", "announced"),
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
