package io.vipha.config;

import io.vipha.FailoverPolicy;
import io.vipha.Mode;
import io.vipha.Quorum;
import io.vipha.ValidationException.Problem;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.health.Effect;
import io.vipha.health.HealthCheck;
import io.vipha.internal.Addresses;
import io.vipha.internal.Durations;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a group must be to run as a VRRP virtual router ({@code "coordinator": {"vrrp": ...}}),
 * and one VRID per interface and family across groups. VRRP elects one master per VRID, carries
 * the addresses of one family, at most 255, and the interval in centiseconds, and fixes the
 * Master_Down_Interval at three intervals plus the skew time, so that a group that asks for
 * anything else could not keep what it says.
 */
final class VrrpRules {
  /** The advertisement interval's range, in milliseconds: 1-4095 centiseconds. */
  static final long MIN_INTERVAL_MS = 10;
  static final long MAX_INTERVAL_MS = 40_950;
  /** The most addresses an advertisement carries (a one-byte count). */
  static final int MAX_ADDRESSES = 255;
  /** The intervals RFC 5798 waits before a backup takes over (plus the skew time). */
  static final int DEAD_AFTER = 3;

  private VrrpRules() {}

  /**
   * The problems of the groups that are VRRP virtual routers. At each index: the group (null when
   * it failed to build), its daemon settings (null: none, or they failed to build) and whether
   * it asks for VRRP, so that the rules of the group itself are reported even when the {@code
   * vrrp} object has problems of its own.
   */
  static List<Problem> check(List<? extends @Nullable VipGroup> groups,
      List<? extends @Nullable DaemonSettings> daemons, List<Boolean> asksForVrrp) {
    List<Problem> problems = new ArrayList<>();
    Map<String, Integer> vrids = new HashMap<>();
    for (int i = 0; i < groups.size(); i++) {
      VipGroup g = groups.get(i);
      if (g == null || !asksForVrrp.get(i)) {
        continue;
      }
      String at = "groups[" + i + "]";
      group(problems, at, g);
      DaemonSettings d = daemons.get(i);
      DaemonSettings.Vrrp v = d == null ? null : d.vrrp();
      if (d == null || v == null) {
        continue;
      }
      String vp = at + ".daemon.coordinator.vrrp";
      router(problems, vp, g, d, v);
      String iface = interfaceOf(g, v);
      Boolean ipv4 = family(g);
      if (iface != null && ipv4 != null) {
        String key = iface + (ipv4 ? " (IPv4)" : " (IPv6)");
        Integer first = vrids.putIfAbsent(key + "/" + v.vrid(), i);
        if (first != null) {
          problems.add(new Problem(vp + ".vrid", String.valueOf(v.vrid()), "repeats the VRID"
              + " of groups[" + first + "] on " + key + "; give each virtual router of a link"
              + " its own VRID"));
        }
      }
    }
    return problems;
  }

  /** The rules of the group itself: one master, one family, the timing VRRP has. */
  private static void group(List<Problem> problems, String at, VipGroup g) {
    if (g.mode() == Mode.ACTIVE_ACTIVE) {
      problems.add(new Problem(at + ".mode", g.mode().name(), "cannot run as a VRRP virtual"
          + " router, which has one master per VRID; use ACTIVE_PASSIVE, or a group of its own,"
          + " with its own VRID, per VIP"));
    }
    if (family(g) == null) {
      problems.add(new Problem(at + ".vips", null, "mixes IPv4 and IPv6 addresses, which one"
          + " VRRP advertisement cannot carry; put each family in a group of its own, with its"
          + " own VRID"));
    }
    if (g.vips().size() > MAX_ADDRESSES) {
      problems.add(new Problem(at + ".vips", null, "holds " + g.vips().size() + " VIPs, more"
          + " than the " + MAX_ADDRESSES + " addresses a VRRP advertisement carries; split them"
          + " into groups, each with its own VRID"));
    }
    FailoverPolicy p = g.policy();
    Duration interval = p.heartbeatInterval();
    long ms = interval.toMillis();
    if (ms % 10 != 0 || ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) {
      problems.add(new Problem(at + ".policy.heartbeatInterval", Durations.format(interval),
          "is the VRRP advertisement interval, which is whole centiseconds from 10ms to"
              + " 40.95s; write e.g. 100ms or 1s"));
    }
    if (p.deadAfter() != DEAD_AFTER) {
      problems.add(new Problem(at + ".policy.deadAfter", String.valueOf(p.deadAfter()), "is 3"
          + " in VRRP, whose backups wait 3 advertisement intervals and the skew time; leave it"
          + " out"));
    }
    if (p.quorum().kind() != Quorum.Kind.NONE) {
      Quorum q = p.quorum();
      String written = q.kind() == Quorum.Kind.SIZE ? String.valueOf(q.size())
          : q.kind().name().toLowerCase(Locale.ROOT);
      problems.add(new Problem(at + ".policy.quorum", written, "cannot be kept by VRRP, whose"
          + " routers do not know how many they are; leave the quorum out"));
    }
  }

  /** The rules of the {@code vrrp} object against its group: interface, peers, owner. */
  private static void router(List<Problem> problems, String vp, VipGroup g, DaemonSettings d,
      DaemonSettings.Vrrp v) {
    Boolean ipv4 = family(g);
    if (interfaceOf(g, v) == null) {
      Set<String> names = new LinkedHashSet<>();
      for (VirtualIp vip : g.vips()) {
        names.add(vip.interfaceName());
      }
      problems.add(new Problem(vp + ".interface", null, "is required when the VIPs are on"
          + " more than one interface (" + String.join(", ", names) + "); name the one the"
          + " advertisements use"));
    }
    for (int k = 0; ipv4 != null && k < v.unicastPeers().size(); k++) {
      InetAddress peer = v.unicastPeers().get(k);
      if ((peer instanceof Inet4Address) != ipv4) {
        problems.add(new Problem(vp + ".unicastPeers[" + k + "]", Addresses.text(peer), "is"
            + " not of the VIPs' family (" + (ipv4 ? "IPv4" : "IPv6") + "); VRRP reaches its"
            + " peers over the family it advertises"));
      }
    }
    if (v.addressOwner()) {
      List<String> weighted = new ArrayList<>();
      for (HealthCheck c : d.healthChecks()) {
        if (c.effect().type() == Effect.Type.WEIGHT) {
          weighted.add("health check " + c.name());
        }
      }
      if (d.linkDown().type() == Effect.Type.WEIGHT) {
        weighted.add("linkDown");
      }
      if (!weighted.isEmpty()) {
        problems.add(new Problem(vp + ".addressOwner", "true", "advertises priority 255, which"
            + " VRRP reserves for the owner and no weight changes, yet "
            + String.join(" and ", weighted) + " would; give them the effect \"disqualify\","
            + " or leave addressOwner out"));
      }
    }
  }

  /** The interface the advertisements use: the one set, or the VIPs' only one; else null. */
  static @Nullable String interfaceOf(VipGroup g, DaemonSettings.Vrrp v) {
    if (v.interfaceName() != null) {
      return v.interfaceName();
    }
    String only = null;
    for (VirtualIp vip : g.vips()) {
      if (only == null) {
        only = vip.interfaceName();
      } else if (!only.equals(vip.interfaceName())) {
        return null;
      }
    }
    return only;
  }

  /** True when every VIP is IPv4, false when every one is IPv6, null when they are mixed. */
  private static @Nullable Boolean family(VipGroup g) {
    boolean v4 = false;
    boolean v6 = false;
    for (VirtualIp vip : g.vips()) {
      v4 |= vip.isIpv4();
      v6 |= !vip.isIpv4();
    }
    return v4 && v6 ? null : v4;
  }
}
