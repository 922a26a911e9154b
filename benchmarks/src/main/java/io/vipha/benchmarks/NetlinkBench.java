package io.vipha.benchmarks;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.netlink.NetlinkBackend;
import io.vipha.spi.BackendException;
import io.vipha.spi.HostAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The Linux backend against the commands an operator or a script would run, side by side in one
 * run: one VIP's assign + announce + release through {@link NetlinkBackend} versus {@code ip addr
 * add} + {@code arping -U -c 1} + {@code ip addr del} as subprocesses; 10,000 IPv4 /32s and
 * 4,096 IPv6 /128s added then removed with {@link NetlinkBackend#assignAll} and
 * {@link NetlinkBackend#releaseAll} versus {@code ip -batch} with the same work; then smaller
 * batches, once each, to show how the kernel's cost grows with the number of addresses.
 *
 * <p>Runs inside a network namespace prepared by {@code benchmarks/netlink-bench.sh}, which
 * gives it an interface {@code v0} (a veth whose peer is up in a second namespace). Needs root.
 * Bulk IPv4 addresses come from 198.18.0.0/15, the range RFC 2544 sets aside for benchmarks.
 */
public final class NetlinkBench {
  private static final String IFACE = "v0";

  private NetlinkBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    try (NetlinkBackend backend = NetlinkBackend.builder().build()) {
      single(backend);
      List<VirtualIp> v4 = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        v4.add(VirtualIp.of("198.18." + (i / 250) + "." + (i % 250 + 1) + "/32", IFACE));
      }
      List<VirtualIp> v6 = new ArrayList<>();
      for (int i = 0; i < 4096; i++) {
        v6.add(VirtualIp.of("2001:db8:1::" + Integer.toHexString(i + 1) + "/128", IFACE));
      }
      bulk(backend, "IPv4 /32", v4.subList(0, 1000), 1, false);
      bulk(backend, "IPv4 /32", v4, rounds, true);
      bulk(backend, "IPv6 /128", v6, rounds, true);
      // How the kernel's cost grows with the number of addresses on the interface.
      for (int n : new int[] {1250, 2500, 5000}) {
        bulk(backend, "IPv4 /32", v4.subList(0, n), 1, true);
      }
      for (int n : new int[] {1024, 2048}) {
        bulk(backend, "IPv6 /128", v6.subList(0, n), 1, true);
      }
    }
  }

  private static void single(NetlinkBackend backend) throws Exception {
    VirtualIp vip = VirtualIp.of("192.0.2.10/24", IFACE);
    for (int i = 0; i < 200; i++) {
      cycle(backend, vip);
    }
    int n = 1000;
    long[] ours = new long[n];
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      cycle(backend, vip);
      ours[i] = System.nanoTime() - t;
    }
    List<String> add = List.of("ip", "addr", "add", "192.0.2.10/24", "dev", IFACE);
    List<String> arping = List.of("arping", "-q", "-U", "-c", "1", "-w", "0", "-i", IFACE, "-S",
        "192.0.2.10", "192.0.2.10");
    List<String> del = List.of("ip", "addr", "del", "192.0.2.10/24", "dev", IFACE);
    for (int i = 0; i < 5; i++) {
      run(add, 0);
      run(arping, 1);
      run(del, 0);
    }
    int m = 100;
    long[] theirs = new long[m];
    for (int i = 0; i < m; i++) {
      long t = System.nanoTime();
      run(add, 0);
      run(arping, 1);
      run(del, 0);
      theirs[i] = System.nanoTime() - t;
    }
    System.out.printf("| assign + announce + release, one VIP | vip-netlink | %d | median %.3f ms,"
        + " p90 %.3f ms |%n", n, median(ours) / 1e6, percentile(ours, 0.9) / 1e6);
    System.out.printf("| assign + announce + release, one VIP | ip addr add + arping -U -c 1 -w 0"
        + " + ip addr del | %d | median %.3f ms, p90 %.3f ms |%n", m, median(theirs) / 1e6,
        percentile(theirs, 0.9) / 1e6);
    System.out.printf("speed-up (medians): %.0f×%n", median(theirs) / median(ours));
  }

  private static void cycle(NetlinkBackend backend, VirtualIp vip) throws BackendException {
    backend.assign(vip, Lease.forever());
    backend.announce(vip);
    backend.release(vip);
  }

  private static void bulk(NetlinkBackend backend, String what, List<VirtualIp> vips,
      int rounds, boolean print) throws Exception {
    Path add = Files.createTempFile("vipha-bench-add", ".ip");
    Path del = Files.createTempFile("vipha-bench-del", ".ip");
    try {
      StringBuilder a = new StringBuilder();
      StringBuilder d = new StringBuilder();
      for (VirtualIp v : vips) {
        // The same work as the backend does: IPv6 VIPs without duplicate address detection.
        a.append("addr add ").append(v.cidr()).append(" dev ").append(IFACE)
            .append(v.isIpv4() ? "" : " nodad").append('\n');
        d.append("addr del ").append(v.cidr()).append(" dev ").append(IFACE).append('\n');
      }
      Files.writeString(add, a, StandardCharsets.US_ASCII);
      Files.writeString(del, d, StandardCharsets.US_ASCII);
      long[] oursAdd = new long[rounds];
      long[] oursDel = new long[rounds];
      long[] ipAdd = new long[rounds];
      long[] ipDel = new long[rounds];
      for (int r = 0; r < rounds; r++) {
        long t = System.nanoTime();
        backend.assignAll(vips, Lease.forever());
        oursAdd[r] = System.nanoTime() - t;
        check(backend, vips, true);
        t = System.nanoTime();
        backend.releaseAll(vips);
        oursDel[r] = System.nanoTime() - t;
        check(backend, vips, false);

        t = System.nanoTime();
        run(List.of("ip", "-batch", add.toString()), 0);
        ipAdd[r] = System.nanoTime() - t;
        check(backend, vips, true);
        t = System.nanoTime();
        run(List.of("ip", "-batch", del.toString()), 0);
        ipDel[r] = System.nanoTime() - t;
        check(backend, vips, false);
      }
      if (print) {
        String n = String.format("%,d %s", vips.size(), what);
        System.out.printf("| add %s | vip-netlink assignAll | %d | median %.3f s (%s) |%n", n,
            rounds, median(oursAdd) / 1e9, all(oursAdd));
        System.out.printf("| add %s | ip -batch | %d | median %.3f s (%s) |%n", n, rounds,
            median(ipAdd) / 1e9, all(ipAdd));
        System.out.printf("| remove %s | vip-netlink releaseAll | %d | median %.3f s (%s) |%n",
            n, rounds, median(oursDel) / 1e9, all(oursDel));
        System.out.printf("| remove %s | ip -batch | %d | median %.3f s (%s) |%n", n, rounds,
            median(ipDel) / 1e9, all(ipDel));
        System.out.printf("ratio vip-netlink / ip -batch (medians): add %.2f, remove %.2f%n",
            median(oursAdd) / median(ipAdd), median(oursDel) / median(ipDel));
      }
    } finally {
      Files.deleteIfExists(add);
      Files.deleteIfExists(del);
    }
  }

  /**
   * Fails the run unless every VIP is (or no VIP is) on the interface within 10 s: right after
   * thousands of IPv6 adds the kernel is still completing them, and a dump taken meanwhile may
   * be inconsistent.
   */
  private static void check(NetlinkBackend backend, List<VirtualIp> vips, boolean present)
      throws BackendException, InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      Set<HostAddress> held = backend.list(Set.of(IFACE));
      long found = vips.stream().filter(v -> held.contains(HostAddress.of(v))).count();
      if (found == (present ? vips.size() : 0)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(found + " of " + vips.size() + " VIPs on " + IFACE
            + ", expected " + (present ? "all" : "none"));
      }
      Thread.sleep(100);
    }
  }

  private static void run(List<String> command, int maxExit) throws IOException,
      InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    int rc = p.waitFor();
    if (rc > maxExit) {
      throw new IllegalStateException(String.join(" ", command) + " exited " + rc);
    }
  }

  private static double median(long[] v) {
    return percentile(v, 0.5);
  }

  private static double percentile(long[] v, double q) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s[(int) Math.min(s.length - 1, Math.floor(q * s.length))];
  }

  private static String all(long[] v) {
    StringBuilder b = new StringBuilder();
    for (long x : v) {
      b.append(b.length() == 0 ? "" : ", ").append(String.format("%.3f", x / 1e9));
    }
    return b.toString();
  }

}
