package io.vipha.sim;

import io.vipha.sim.Fault.Kind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A list of faults in time order. {@link #random} generates one from a seed: faults and
 * recoveries at random gaps, never breaking every node at once; the same seed gives the same
 * schedule.
 *
 * @param faults the faults, in time order
 */
public record FaultSchedule(List<Fault> faults) {
  /** Kinds that leave a node broken until a matching recovery. */
  private static final Set<Kind> LASTING = EnumSet.of(Kind.POWER_OFF, Kind.CRASH, Kind.STOP,
      Kind.LINK_DOWN, Kind.PARTITION, Kind.PARTITION_OUT, Kind.PARTITION_IN,
      Kind.BACKEND_PERMISSION, Kind.BACKEND_TRANSIENT, Kind.HEALTH_DOWN, Kind.DRAIN);

  /** Copies the list and checks the order. */
  public FaultSchedule {
    faults = List.copyOf(faults);
    for (int i = 1; i < faults.size(); i++) {
      if (faults.get(i).at() < faults.get(i - 1).at()) {
        throw new IllegalArgumentException("faults are not in time order at " + i);
      }
    }
  }

  /** When the last fault is applied (0 when there is none). */
  public long end() {
    return faults.isEmpty() ? 0 : faults.get(faults.size() - 1).at();
  }

  /** This schedule with only the faults at {@code indices} (in the original order). */
  public FaultSchedule only(List<Integer> indices) {
    List<Fault> out = new ArrayList<>();
    for (int i : indices) {
      out.add(faults.get(i));
    }
    return new FaultSchedule(out);
  }

  /**
   * A random schedule for {@code nodes} nodes and {@code vips} VIPs: the first fault after 1 s,
   * then one every 0.2–3 s, {@code count} in all, about 40 % of them recoveries of earlier
   * faults.
   */
  public static FaultSchedule random(long seed, int nodes, int vips, int count) {
    if (nodes < 1 || vips < 1 || count < 0) {
      throw new IllegalArgumentException("need nodes ≥ 1, vips ≥ 1, count ≥ 0");
    }
    Random r = new Random(seed * 0x9E3779B97F4A7C15L + 17);
    List<Fault> out = new ArrayList<>();
    List<List<Kind>> broken = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      broken.add(new ArrayList<>());
    }
    Kind[] kinds = Kind.values();
    long t = 1_000_000_000L;
    int guard = 0;
    while (out.size() < count && guard++ < count * 20) {
      List<Integer> hurt = new ArrayList<>();
      List<Integer> fine = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        (broken.get(i).isEmpty() ? fine : hurt).add(i);
      }
      Fault f;
      if (!hurt.isEmpty() && r.nextInt(100) < 40) {
        int n = hurt.get(r.nextInt(hurt.size()));
        Kind was = broken.get(n).remove(r.nextInt(broken.get(n).size()));
        Kind undo = switch (was) {
          case POWER_OFF -> Kind.POWER_ON;
          case CRASH, STOP -> Kind.RESTART;
          case LINK_DOWN -> Kind.LINK_UP;
          case PARTITION, PARTITION_OUT, PARTITION_IN -> Kind.HEAL;
          case BACKEND_PERMISSION, BACKEND_TRANSIENT -> Kind.BACKEND_HEAL;
          case HEALTH_DOWN -> Kind.HEALTH_UP;
          case DRAIN -> Kind.UNDRAIN;
          default -> throw new IllegalStateException(was.name());
        };
        if (undo == Kind.HEAL) {
          for (List<Kind> b : broken) {
            b.removeIf(k -> k == Kind.PARTITION || k == Kind.PARTITION_OUT
                || k == Kind.PARTITION_IN);
          }
        }
        f = new Fault(t, undo, n, 0);
      } else {
        Kind k = kinds[r.nextInt(kinds.length)];
        if (k.recovery()) {
          continue;
        }
        boolean lasting = LASTING.contains(k);
        if (lasting && fine.size() <= 1) {
          continue; // keep one node unharmed
        }
        List<Integer> pool = lasting ? fine : all(nodes);
        int n = pool.get(r.nextInt(pool.size()));
        long amount = switch (k) {
          case PAUSE -> r.nextBoolean() ? 20 + r.nextInt(250) : 350 + r.nextInt(2650);
          case CLOCK_JUMP -> (r.nextBoolean() ? 1 : -1) * (1_000L + r.nextInt(3_600_000));
          case DRIFT -> (r.nextBoolean() ? 1 : -1) * (50L + r.nextInt(950));
          case SWITCHOVER -> r.nextInt(nodes * vips);
          case REMOVE_BY_HAND -> r.nextInt(vips);
          default -> 0;
        };
        if (lasting) {
          broken.get(n).add(k);
        }
        f = new Fault(t, k, n, amount);
      }
      out.add(f);
      t += 200_000_000L + r.nextInt(2_800) * 1_000_000L;
    }
    return new FaultSchedule(out);
  }

  private static List<Integer> all(int n) {
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }
}
