#!/bin/bash
# Runs benchmarks.jar at high CPU priority and samples the load while it runs.
# usage (from the repository root): benchmarks/run.sh NAME JAVA [JMH arguments...]
# writes benchmarks/results/NAME.json (JMH), NAME.txt (JMH's output), NAME.load (loadavg / 20 s)
set -u
name=$1; shift; javabin=$1; shift
out=benchmarks/results/$name
( while true; do echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)"; sleep 20; done ) > "$out.load" &
sampler=$!
nice -n -20 "$javabin" -jar benchmarks/target/benchmarks.jar "$@" -rf json -rff "$out.json" \
  > "$out.txt" 2>&1
rc=$?
kill "$sampler"
echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)" >> "$out.load"
exit $rc
