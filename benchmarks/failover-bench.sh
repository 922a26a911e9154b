#!/bin/bash
# Runs the end-to-end failover harness (io.vipha.benchmarks.failover.FailoverBench): vipha and
# keepalived side by side in network namespaces it makes and removes itself (needs root).
# usage (from the repository root, after `mvn -B -q -pl benchmarks -am package -DskipTests`):
#   benchmarks/failover-bench.sh NAME [REPS] [INTERVALS_MS] [JAVA]
# e.g. benchmarks/failover-bench.sh failover-final 5 10,100,1000
# (FAILOVER_JAR=a copy of benchmarks.jar lets the module be rebuilt while it runs)
# writes benchmarks/results/NAME.md (the table), NAME.md.rounds (every round), NAME.txt (the
# run's output) and NAME.load (loadavg every 20 s)
set -euo pipefail
name=$1; reps=${2:-5}; intervals=${3:-10,100,1000}; javabin=${4:-java}
out=benchmarks/results/$name
if [ "$(id -u)" != 0 ]; then echo "failover-bench.sh needs root (network namespaces)" >&2; exit 2; fi
if ! command -v keepalived >/dev/null || ! command -v nft >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq keepalived nftables >/dev/null
fi
( while true; do echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)"; sleep 20; done ) > "$out.load" &
sampler=$!
trap 'kill $sampler 2>/dev/null || true' EXIT
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $("$javabin" -version 2>&1 | head -1), kernel $(uname -r), $(nproc) cores"
  echo "# $(keepalived --version 2>&1 | head -1), $(ip -V), $(nft --version)"
  nice -n -20 "$javabin" -cp "${FAILOVER_JAR:-benchmarks/target/benchmarks.jar}" \
    io.vipha.benchmarks.failover.FailoverBench --reps "$reps" --intervals "$intervals" --out "$out.md"
} > "$out.txt" 2>&1 || { cat "$out.txt"; exit 1; }
echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)" >> "$out.load"
cat "$out.txt"
