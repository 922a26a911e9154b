#!/bin/bash
# Runs io.vipha.benchmarks.NetlinkBench inside a network namespace of its own (needs root).
# usage (from the repository root, after `mvn -B -q -pl vip-core,vip-netlink,benchmarks -am package -DskipTests`):
#   benchmarks/netlink-bench.sh NAME JAVA [ROUNDS]
# writes benchmarks/results/NAME.txt (the harness's table) and NAME.load (loadavg every 20 s)
set -euo pipefail
name=$1; javabin=$2; rounds=${3:-3}
out=benchmarks/results/$name
if ! command -v arping >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq arping >/dev/null
fi
ns=vnl-bench-$$; peer=vnl-bench-$$-peer
cleanup() { ip netns del "$ns" 2>/dev/null || true; ip netns del "$peer" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"; ip netns add "$peer"
ip -n "$ns" link set lo up
ip -n "$ns" link add v0 type veth peer name p0 netns "$peer"
ip -n "$ns" link set v0 up; ip -n "$peer" link set p0 up
ip netns exec "$ns" sysctl -q -w net.ipv6.conf.v0.accept_dad=0
( while true; do echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)"; sleep 20; done ) > "$out.load" &
sampler=$!
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $("$javabin" -version 2>&1 | head -1), kernel $(uname -r), $(nproc) cores"
  echo "# ip: $(ip -V), arping: $(arping --help 2>&1 | head -1)"
  ip netns exec "$ns" nice -n -20 "$javabin" -cp benchmarks/target/benchmarks.jar \
    io.vipha.benchmarks.NetlinkBench "$rounds"
} > "$out.txt" 2>&1 || { kill "$sampler"; cat "$out.txt"; exit 1; }
kill "$sampler"
echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)" >> "$out.load"
cat "$out.txt"
