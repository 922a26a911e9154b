#!/bin/bash
# Runs the end-to-end failover harness (io.vipha.benchmarks.failover.FailoverBench) in network
# namespaces it makes and removes itself (needs root): vipd and keepalived side by side, the
# reload scenario alone (20 SIGHUPs to each of two nodes, both implementations), or the soak
# (three vipd nodes under allocation pressure, false failovers and GC pauses).
# usage (from the repository root):
#   benchmarks/failover-bench.sh NAME [REPS] [INTERVALS_MS] [JAVA]
#   benchmarks/failover-bench.sh --reload NAME [REPS] [INTERVALS_MS] [JAVA]
#   benchmarks/failover-bench.sh --soak MINUTES NAME [JAVA] [INTERVAL_MS] [PRESSURE_MB_S]
#   benchmarks/failover-bench.sh --preempt NAME [REPS] [INTERVALS_MS] [JAVA]
#   benchmarks/failover-bench.sh --vrrp NAME [REPS] [INTERVALS_MS] [JAVA]
# e.g. benchmarks/failover-bench.sh failover-final 5 10,100,1000
#      benchmarks/failover-bench.sh --reload reload 1 10,100,1000
#      benchmarks/failover-bench.sh --soak 10 soak-10min
#      VIPD_OPTS="-Xms64m -Xmx64m -XX:+UseSerialGC" benchmarks/failover-bench.sh --soak 2 gc-serial java 5 0
#      VIPD_LAUNCHER=vipd/bin/vipd benchmarks/failover-bench.sh --preempt startup 3 10,5
# --preempt runs only vipd's preemption rounds (a freshly started n1 takes over from n2).
# --vrrp runs crashes of the master of VRRP pairs (default 7 reps at 1000,100,10 ms):
# keepalived/keepalived, keepalived/vipha-vrrp and vipha-vrrp/keepalived (master/backup; vipha-vrrp
# is vipd with daemon.coordinator.vrrp).
# How the vipd nodes run: VIPD_OPTS replaces their JVM options (default -Xms64m -Xmx64m; with
# VIPD_LAUNCHER, added to its JAVA_OPTS), VIPD_LAUNCHER runs them through a launcher script such
# as vipd/bin/vipd (its own JVM defaults and CDS archive), VIPD_WARMUP sets daemon.warmup.
# FAILOVER_JFR=1 makes the soak record each node's allocation by thread (--jfr).
# Builds benchmarks.jar and vipd.jar first when either is missing (mvn -B -q -pl benchmarks -am
# package -DskipTests); FAILOVER_JAR and VIPD_JAR name copies instead, so that the modules can
# be rebuilt while it runs. Writes benchmarks/results/NAME.md (the table or the soak's report),
# NAME.md.rounds (every round; not for the soak), NAME.txt (the run's output) and NAME.load
# (loadavg every 20 s).
set -euo pipefail
if [ "${1:-}" = --soak ]; then
  name=$3; javabin=${4:-java}
  args=(--soak "$2" --intervals "${5:-10}" --pressure "${6:-150}")
elif [ "${1:-}" = --preempt ]; then
  name=$2; javabin=${5:-java}
  args=(--impls vipha --scenarios PREEMPT --reps "${3:-3}" --intervals "${4:-10,5}")
elif [ "${1:-}" = --vrrp ]; then
  name=$2; javabin=${5:-java}
  args=(--impls keepalived/keepalived,keepalived/vipha-vrrp,vipha-vrrp/keepalived
    --scenarios CRASH --reps "${3:-7}" --intervals "${4:-1000,100,10}")
elif [ "${1:-}" = --reload ]; then
  name=$2; javabin=${5:-java}
  args=(--scenarios RELOAD --reps "${3:-1}" --intervals "${4:-10,100,1000}")
else
  name=$1; javabin=${4:-java}
  args=(--reps "${2:-5}" --intervals "${3:-10,100,1000}")
fi
out=benchmarks/results/$name
if [ -n "${VIPD_OPTS+x}" ]; then args+=(--vipd-opts "$VIPD_OPTS"); fi
if [ -n "${VIPD_LAUNCHER:-}" ]; then args+=(--vipd-launcher "$VIPD_LAUNCHER"); fi
if [ -n "${VIPD_WARMUP:-}" ]; then args+=(--warmup "$VIPD_WARMUP"); fi
if [ -n "${FAILOVER_JFR:-}" ]; then args+=(--jfr); fi
bench_jar=${FAILOVER_JAR:-benchmarks/target/benchmarks.jar}
vipd_jar=${VIPD_JAR:-vipd/target/vipd.jar}
if [ "$(id -u)" != 0 ]; then echo "failover-bench.sh needs root (network namespaces)" >&2; exit 2; fi
if ! command -v keepalived >/dev/null || ! command -v nft >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq keepalived nftables >/dev/null
fi
if [ ! -f "$bench_jar" ] || [ ! -f "$vipd_jar" ]; then
  mvn -B -q -pl benchmarks -am package -DskipTests
fi
( while true; do echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)"; sleep 20; done ) > "$out.load" &
sampler=$!
trap 'kill $sampler 2>/dev/null || true' EXIT
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $("$javabin" -version 2>&1 | head -1), kernel $(uname -r), $(nproc) cores"
  echo "# $(keepalived --version 2>&1 | head -1), $(ip -V), $(nft --version)"
  echo "# vipd: VIPD_OPTS=${VIPD_OPTS-} VIPD_LAUNCHER=${VIPD_LAUNCHER:-} VIPD_WARMUP=${VIPD_WARMUP:-}, load $(cat /proc/loadavg)"
  nice -n -20 "$javabin" -cp "$bench_jar" io.vipha.benchmarks.failover.FailoverBench \
    --vipd "$vipd_jar" "${args[@]}" --out "$out.md"
} > "$out.txt" 2>&1 || { cat "$out.txt"; exit 1; }
echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)" >> "$out.load"
cat "$out.txt"
