#!/usr/bin/env python3
"""Prints a Markdown results table from JMH JSON files: python3 table.py jdk17.json [...]"""
import json
import sys

for path in sys.argv[1:]:
    for r in json.load(open(path)):
        p = r["primaryMetric"]
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {})
        b = alloc.get("score")
        raw = [x for fork in p["rawData"] for x in fork]
        raw.sort()
        median = raw[len(raw) // 2]
        print("| %s | %s | %.3f ± %.3f | %.3f | %s | %s | %d×%d |" % (
            path.split("/")[-1].replace(".json", ""),
            r["benchmark"].replace("io.vipha.benchmarks.", ""),
            p["score"], p["scoreError"], median, p["scoreUnit"],
            "n/a" if b is None else ("%.0f" % b if b >= 1 else "%.3f" % b),
            r["forks"], r["measurementIterations"]))
