package io.vipha.config;

import io.vipha.Exposure;
import io.vipha.FailoverPolicy;
import io.vipha.FlapLimit;
import io.vipha.Lease;
import io.vipha.Mode;
import io.vipha.NoQuorumAction;
import io.vipha.Quorum;
import io.vipha.VipGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Valid configurations drawn at random over the documented ranges: both modes, IPv4 and IPv6,
 * every policy field, edge values included.
 */
final class RandomConfigs {
  private static final String ID_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
  private static final String IFACE_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@:-";

  private RandomConfigs() {}

  static VipConfig config(RandomGenerator r) {
    int count = 1 + r.nextInt(3);
    List<VipGroup> groups = new ArrayList<>();
    Set<InetAddress> vips = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < count; i++) {
      String name;
      do {
        name = word(r, r.nextInt(r.nextInt(8) == 0 ? 64 : 8)); // 1–64 characters
      } while (!names.add(name));
      groups.add(group(r, name, vips));
    }
    return new VipConfig(groups);
  }

  private static VipGroup group(RandomGenerator r, String name, Set<InetAddress> usedVips) {
    Mode mode = pick(r, Mode.values());
    VipGroup.Builder b = VipGroup.builder().name(name).mode(mode);
    int vipCount = 1 + r.nextInt(4);
    for (int k = 0; k < vipCount; k++) {
      InetAddress address;
      do {
        address = r.nextBoolean() ? ipv4(r) : ipv6(r, 0);
      } while (!usedVips.add(address));
      boolean v4 = address.getAddress().length == 4;
      InetAddress a = address;
      int prefix = 1 + r.nextInt(v4 ? 32 : 128);
      String iface = chars(r, IFACE_CHARS, 1 + r.nextInt(15));
      Exposure exposure = mode == Mode.ACTIVE_PASSIVE ? pick(r, Exposure.values())
          : Exposure.PRIVATE;
      String label = v4 && r.nextBoolean()
          ? iface + chars(r, IFACE_CHARS, r.nextInt(16 - iface.length())) : null;
      b.vip(v -> v.address(a, prefix).interfaceName(iface).exposure(exposure).label(label));
    }
    int nodeCount = 1 + r.nextInt(4);
    Set<InetSocketAddress> endpoints = new HashSet<>();
    long capacity = 0;
    for (int j = 0; j < nodeCount; j++) {
      String id = "n" + j + (r.nextBoolean() ? word(r, r.nextInt(10)) : "");
      List<InetSocketAddress> heartbeat = new ArrayList<>();
      for (int h = 1 + r.nextInt(3); h > 0; h--) {
        InetSocketAddress e;
        do {
          e = new InetSocketAddress(r.nextBoolean() ? ipv4(r) : ipv6(r, 0xffff),
              r.nextInt(4) == 0 ? 7405 : 1 + r.nextInt(65535));
        } while (!endpoints.add(e));
        heartbeat.add(e);
      }
      int priority = r.nextInt(4) == 0 ? 100 : between(r, 1, 254);
      int weight = r.nextBoolean() ? 1 : between(r, 1, 1000);
      Integer cap = null;
      if (r.nextBoolean()) {
        cap = mode == Mode.ACTIVE_PASSIVE ? between(r, vipCount, VipGroup.MAX_VIPS)
            : between(r, 1, 3);
      }
      // Active/Active needs room for every VIP: the last node makes up any shortfall.
      if (mode == Mode.ACTIVE_ACTIVE && j == nodeCount - 1 && cap != null
          && capacity + cap < vipCount) {
        cap = null;
      }
      capacity += cap == null ? VipGroup.MAX_VIPS : cap;
      Integer c = cap;
      b.node(n -> {
        n.id(id).priority(priority).weight(weight).capacity(c);
        heartbeat.forEach(n::heartbeat);
      });
    }
    if (r.nextInt(5) != 0) {
      b.policy(policy(r, nodeCount));
    }
    return b.build();
  }

  private static FailoverPolicy policy(RandomGenerator r, int nodeCount) {
    FailoverPolicy.Builder p = FailoverPolicy.builder();
    if (r.nextBoolean()) {
      p.preempt(r.nextBoolean());
    }
    if (r.nextBoolean()) {
      p.preemptDelay(duration(r, Duration.ZERO, Duration.ofHours(1), true));
    }
    if (r.nextBoolean()) {
      p.holdDown(duration(r, Duration.ZERO, Duration.ofHours(1), true));
    }
    switch (r.nextInt(4)) {
      case 0 -> { } // the default
      case 1 -> p.flapLimit(FlapLimit.OFF);
      default -> p.flapLimit(r.nextInt(5) == 0 ? 0 : between(r, 2, 100),
          duration(r, Duration.ofSeconds(1), Duration.ofDays(1), true),
          r.nextBoolean() ? null : duration(r, Duration.ofSeconds(1), Duration.ofDays(7), true));
    }
    Duration interval = Duration.ofMillis(100);
    if (r.nextBoolean()) {
      interval = duration(r, Duration.ofMillis(5), Duration.ofSeconds(60), false);
      p.heartbeatInterval(interval);
    }
    int deadAfter = r.nextBoolean() ? 3 : between(r, 2, 100);
    p.deadAfter(deadAfter);
    switch (r.nextInt(4)) {
      case 0 -> { } // the default
      case 1 -> p.quorum(Quorum.majority());
      case 2 -> p.quorum(Quorum.none());
      default -> p.quorumSize(between(r, 1, nodeCount));
    }
    if (r.nextBoolean()) {
      p.noQuorum(pick(r, NoQuorumAction.values()));
    }
    if (r.nextBoolean()) {
      p.announce(between(r, 1, 100), duration(r, Duration.ZERO, Duration.ofSeconds(10), true));
    }
    if (r.nextBoolean()) {
      p.announceRefresh(duration(r, Duration.ofSeconds(1), Duration.ofHours(1), true));
    }
    // The lease must outlast the detection time.
    long detectionSeconds = interval.multipliedBy(deadAfter).toMillis() / 1000;
    long minLease = Math.max(Lease.MIN_SECONDS, detectionSeconds + 1);
    switch (r.nextInt(3)) {
      case 0 -> p.lease(Lease.forever());
      case 1 -> p.lease(Duration.ofSeconds(r.nextBoolean() ? minLease : Lease.MAX_SECONDS));
      default -> p.lease(Duration.ofSeconds(r.nextLong(minLease, Lease.MAX_SECONDS + 1)));
    }
    return p.build();
  }

  /**
   * A duration in [min, max]: often an edge, otherwise rounded to a random unit; with {@code
   * subMillis}, sometimes a value with nanoseconds (written in ISO-8601).
   */
  static Duration duration(RandomGenerator r, Duration min, Duration max, boolean subMillis) {
    int edge = r.nextInt(8);
    if (edge == 0) {
      return min;
    } else if (edge == 1) {
      return max;
    } else if (edge == 2 && subMillis) {
      return Duration.ofNanos(r.nextLong(min.toNanos(), max.toNanos() + 1));
    }
    long[] units = {1, 1000, 60_000, 3_600_000, 86_400_000};
    long unit = units[r.nextInt(units.length)];
    long lo = (min.toMillis() + unit - 1) / unit;
    long hi = max.toMillis() / unit;
    if (lo > hi) {
      return Duration.ofMillis(r.nextLong(min.toMillis(), max.toMillis() + 1));
    }
    return Duration.ofMillis(r.nextLong(lo, hi + 1) * unit);
  }

  private static InetAddress ipv4(RandomGenerator r) {
    String[] nets = {"192.0.2.", "198.51.100.", "203.0.113."};
    return address(pick(r, nets) + r.nextInt(256));
  }

  /** An address in 2001:db8::/32, mostly zeros so that "::" lands in varied places. */
  private static InetAddress ipv6(RandomGenerator r, int third) {
    byte[] b = new byte[16];
    b[0] = 0x20;
    b[1] = 0x01;
    b[2] = 0x0d;
    b[3] = (byte) 0xb8;
    b[4] = (byte) (third >> 8);
    b[5] = (byte) third;
    for (int i = 6; i < 16; i++) {
      b[i] = r.nextInt(3) == 0 ? (byte) r.nextInt(256) : 0;
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByAddress(InetAddress.getByName(literal).getAddress());
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static String word(RandomGenerator r, int extra) {
    return chars(r, ID_CHARS.substring(0, 62), 1) + chars(r, ID_CHARS, extra);
  }

  private static String chars(RandomGenerator r, String alphabet, int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private static int between(RandomGenerator r, int min, int max) {
    return min + r.nextInt(max - min + 1);
  }

  private static <T> T pick(RandomGenerator r, T[] values) {
    return values[r.nextInt(values.length)];
  }
}
