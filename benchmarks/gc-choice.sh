#!/bin/bash
# The GC choice for vipd, by measurement: a steady three-node vipd group (the failover harness's
# soak, no allocation pressure: vipd's own allocation only) at one heartbeat interval, once per
# collector, each JVM logging its GC pauses and safepoints. Prints per collector and node the GC
# pauses and safepoints per minute, the longest, and the event loop stalls and peers declared
# dead from vipd's log; the soak's whole reports are benchmarks/results/NAME-GC.md.
# usage (from the repository root, as root):
#   benchmarks/gc-choice.sh NAME [MINUTES] [INTERVAL_MS] [JAVA] [COLLECTORS]
# e.g. benchmarks/gc-choice.sh gc-jdk17 2 5
#      benchmarks/gc-choice.sh gc-jdk25 2 5 /usr/lib/jvm/temurin-25-jdk-amd64/bin/java
# COLLECTORS: any of serial,parallel,g1,zgc,epsilon (default all). Every JVM runs with
# -Xms64m -Xmx64m -XX:+AlwaysPreTouch and the collector (ZGC generational where the JDK has it;
# Epsilon, which never collects, with a 1 GB heap: a bounded control run showing the stalls
# that are not the collector's). Re-run it after changing vipd's steady-state allocation.
set -euo pipefail
name=$1; minutes=${2:-2}; interval=${3:-5}; javabin=${4:-java}
collectors=${5:-serial,parallel,g1,zgc,epsilon}
feature=$("$javabin" -XshowSettings:properties -version 2>&1 \
  | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
for gc in ${collectors//,/ }; do
  heap="-Xms64m -Xmx64m"
  case $gc in
    serial) flag=-XX:+UseSerialGC ;;
    parallel) flag=-XX:+UseParallelGC ;;
    g1) flag=-XX:+UseG1GC ;;
    zgc) flag=-XX:+UseZGC
      if [ "$feature" -ge 21 ] && [ "$feature" -lt 23 ]; then flag="$flag -XX:+ZGenerational"; fi ;;
    epsilon) flag="-XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC"; heap="-Xms1g -Xmx1g" ;;
    *) echo "unknown collector $gc" >&2; exit 2 ;;
  esac
  VIPD_OPTS="$heap -XX:+AlwaysPreTouch $flag" \
    benchmarks/failover-bench.sh --soak "$minutes" "$name-$gc" "$javabin" "$interval" 0 > /dev/null \
    || echo "$gc: the soak failed; see benchmarks/results/$name-$gc.txt" >&2
done
python3 - "$name" "$minutes" "$collectors" <<'EOF'
import re, sys
name, minutes, collectors = sys.argv[1], float(sys.argv[2]), sys.argv[3].split(',')
print(f"| collector | node | GC pauses / min | longest GC pause ms | safepoints / min |"
      f" longest safepoint ms | loop stalls | peers declared dead | lost probes | load |")
print("|---|---|---|---|---|---|---|---|---|---|")
for gc in collectors:
    try:
        md = open(f"benchmarks/results/{name}-{gc}.md").read()
    except FileNotFoundError:
        print(f"| {gc} | — | no report | | | | | | | |")
        continue
    seconds = float(re.search(r"Measured for ([0-9.]+) s", md).group(1))
    lost = re.search(r"\| runs of lost probes \| (\d+) \| (\d+) \|", md).groups()
    loads = [float(l.split()[1]) for l in open(f"benchmarks/results/{name}-{gc}.load")]
    load = f"{min(loads):.1f}–{max(loads):.1f}"
    stalled = re.search(r"\| stalled \| (\d+) \| (\d+) \| (\d+) \|", md).groups()
    down = re.search(r"\| peer down \| (\d+) \| (\d+) \| (\d+) \|", md).groups()
    rows = re.findall(r"^\| (n\d) \| [^|]* \| (\d+) \| [^|]* \| [^|]* \| [^|]* \| ([0-9.]+) \|"
                      r" [^|]* \| (\d+) \| \d+ \| ([0-9.]+) \|$", md, re.M)
    for i, (node, pauses, maxp, safepoints, maxsp) in enumerate(rows):
        per_min = lambda n: f"{int(n) * 60 / seconds:.0f}"
        print(f"| {gc} | {node} | {per_min(pauses)} | {maxp} | {per_min(safepoints)} | {maxsp} |"
              f" {stalled[i]} | {down[i]} | {lost[0]}+{lost[1]} runs | {load} |")
EOF
