#!/usr/bin/env python3
"""A VRRP pair's reaction time from the harness's captures (FailoverBench --capture DIR): in each
round's capture of n2's switch port (*-p-n2.pcap), the time from the master's (n1,
198.51.100.1) last VRRP advertisement to the first ARP for the VIP (192.0.2.10) after it, that
is the Master_Down_Interval plus the backup's own reaction. Only gratuitous ARPs (the VIP as
sender) from another host than the master count. Prints each round's gap and, per backup
implementation and interval, the median, min and max. Needs tcpdump.

usage: benchmarks/vrrp-capture-gaps.py DIR
"""
import glob
import os
import re
import statistics
import subprocess
import sys

MASTER = "198.51.100.1 > "
VIP = "192.0.2.10"


def gap(pcap):
    out = subprocess.run(["tcpdump", "-tt", "-e", "-n", "-r", pcap], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    adverts = [l.split() for l in out if MASTER in l and "VRRP" in l]
    if not adverts:
        return None
    last = float(adverts[-1][0])
    master_mac = adverts[-1][1]
    # Gratuitous ARPs (the VIP as sender) from another host than the master: neither a client's
    # requests for the VIP nor the master's own repeated gratuitous ARPs count.
    arps = [float(l.split()[0]) for l in out
            if (f"tell {VIP}," in l or f"Reply {VIP} is-at" in l) and l.split()[1] != master_mac
            and float(l.split()[0]) > last]
    return (arps[0] - last) * 1000.0 if arps else None


def main(directory):
    kinds = {}
    for pcap in sorted(glob.glob(os.path.join(directory, "*-p-n2.pcap"))):
        name = os.path.basename(pcap)[:-len("-p-n2.pcap")]
        g = gap(pcap)
        print(f"{name} gap {'-' if g is None else f'{g:7.2f} ms'}")
        m = re.match(r"\d+-(.+?)-(\d+)ms-", name)
        if g is not None and m:
            kind = (m.group(1).split("+")[-1], int(m.group(2)))
            kinds.setdefault(kind, []).append(g)
    for (kind, interval), gaps in kinds.items():
        print(f"backup {kind} at {interval} ms n {len(gaps)} median {statistics.median(gaps):.2f}"
              f" min {min(gaps):.2f} max {max(gaps):.2f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
