#!/usr/bin/env python3
"""first-answer.py DIR: for each round captured by FailoverBench --capture DIR, the times (ms after
the event) of n2's first announcement of the VIP (gratuitous ARP; unsolicited NA for CRASH_V6),
the first three probes to the VIP that reached n2's switch port, n2's first answer, and any
neighbour solicitation n2 sent: whether the first datagram to a moved VIP is answered."""
import subprocess, sys, glob, os
d=sys.argv[1]
for probes in sorted(glob.glob(d+'/*.probes')):
    base=probes[:-7]
    ts=open(probes).readline().split()[3]
    ev=float(subprocess.check_output(['date','-d',ts,'+%s.%N']).decode())
    v6='V6' in base
    out=subprocess.run(['tcpdump','-tt','-n','-r',base+'-p-n2.pcap'],capture_output=True,text=True).stdout
    ann=None; probe_in=[]; reply=None; ns=[]
    for l in out.splitlines():
        t=(float(l.split()[0])-ev)*1000
        if t<0: continue
        if v6:
            if 'neighbor advertisement, tgt is 2001:db8::10' in l and ann is None: ann=t
            if '> 2001:db8::10.9000' in l: probe_in.append(t)
            if '2001:db8::10.9000 >' in l and reply is None: reply=t
            if 'neighbor solicitation' in l: ns.append((t,l[18:100]))
        else:
            if 'ARP, Request who-has 192.0.2.10 tell 192.0.2.10' in l and ann is None: ann=t
            if '> 192.0.2.10.9000' in l: probe_in.append(t)
            if '192.0.2.2.9000 >' in l and reply is None: reply=t
    pi=[round(x,2) for x in probe_in[:3]]
    print(os.path.basename(base), 'announce %.2f'%(ann or -1), 'probes in', pi, 'first reply %.2f'%(reply or -1), 'NS', ns[:2])
