package io.vipha.sim;

import io.vipha.VirtualIp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A client on the segment that keeps sending to every VIP. Its ARP/neighbour cache maps a VIP to
 * a node and changes only when an announcement arrives or the entry expires, after which it
 * resolves again (every holder answers; the first node in group order wins) and retries each
 * {@code arpRetry} while nobody answers. Its packets to a VIP get through while the cached node
 * is on the segment and holds the VIP: anything else is an outage.
 */
final class Client {
  private final Simulation sim;
  private final long arpTimeout;
  private final long arpRetry;
  private final Map<VirtualIp, @Nullable SimNode> entry = new LinkedHashMap<>();
  private final Map<VirtualIp, Long> entryExpiry = new LinkedHashMap<>();
  private final Map<VirtualIp, Boolean> up = new LinkedHashMap<>();
  private final Map<VirtualIp, Long> downSince = new LinkedHashMap<>();
  private final Map<VirtualIp, Boolean> retrying = new LinkedHashMap<>();
  final List<Outage> outages = new ArrayList<>();

  Client(Simulation sim, long arpTimeout, long arpRetry) {
    this.sim = sim;
    this.arpTimeout = arpTimeout;
    this.arpRetry = arpRetry;
  }

  /** An announcement from {@code node} for {@code vip} arrives. */
  void announcement(SimNode node, VirtualIp vip) {
    point(vip, node);
  }

  private void point(VirtualIp vip, SimNode node) {
    SimNode old = entry.get(vip);
    entry.put(vip, node);
    long until = sim.time().nanoTime() + arpTimeout;
    entryExpiry.put(vip, until);
    sim.time().schedule(arpTimeout, () -> {
      Long u = entryExpiry.get(vip);
      if (u != null && u == until) {
        entry.remove(vip);
        entryExpiry.remove(vip);
        resolve(vip);
      }
    });
    if (old != node) {
      sim.record(node, SimEvent.Type.CLIENT_MOVED, vip, "");
    }
    update(vip);
  }

  /** Broadcast ARP / neighbour solicitation: a holder on the segment answers. */
  void resolve(VirtualIp vip) {
    for (SimNode n : sim.nodes()) {
      if (n.onSegment() && n.host().holds(vip)) {
        point(vip, n);
        return;
      }
    }
    update(vip);
    if (!Boolean.TRUE.equals(retrying.get(vip))) {
      retrying.put(vip, true);
      sim.time().schedule(arpRetry, () -> {
        retrying.put(vip, false);
        if (entry.get(vip) == null) {
          resolve(vip);
        }
      });
    }
  }

  /** Whether the client's packets to {@code vip} reach a holder now. */
  boolean reaches(VirtualIp vip) {
    SimNode n = entry.get(vip);
    return n != null && n.onSegment() && n.host().holds(vip);
  }

  @Nullable SimNode cached(VirtualIp vip) {
    return entry.get(vip);
  }

  /** Re-evaluates {@code vip} after anything it depends on changed. */
  void update(VirtualIp vip) {
    boolean now = reaches(vip);
    Boolean was = up.get(vip);
    if (was == null) {
      if (now) {
        up.put(vip, true); // the first time a holder answers: the service is up
      }
      return;
    }
    if (was == now) {
      return;
    }
    up.put(vip, now);
    long t = sim.time().nanoTime();
    if (!now) {
      downSince.put(vip, t);
      outages.add(new Outage(vip, t, Long.MAX_VALUE));
      sim.record(null, SimEvent.Type.OUTAGE_BEGIN, vip, "");
    } else {
      Long since = downSince.remove(vip);
      long from = since == null ? t : since;
      for (int i = outages.size() - 1; i >= 0; i--) {
        Outage o = outages.get(i);
        if (o.vip().equals(vip) && o.ongoing()) {
          outages.set(i, new Outage(vip, o.from(), t));
          break;
        }
      }
      sim.record(null, SimEvent.Type.OUTAGE_END, vip, String.format("after %.1f ms",
          (t - from) / 1e6));
    }
  }
}
