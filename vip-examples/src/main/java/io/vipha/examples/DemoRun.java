package io.vipha.examples;

import io.vipha.VirtualIp;
import io.vipha.agent.VipAgent;
import io.vipha.sim.Bounds;
import io.vipha.sim.Outage;
import io.vipha.sim.SimEvent;
import io.vipha.sim.SimNode;
import io.vipha.sim.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One scenario run through the simulator, step by step, and what it did: the timeline, the
 * owners after each step, each node's condition, and the client-observed outages attributed to
 * the step during which they began.
 */
final class DemoRun {
  /** The agent's reconcile interval, which the simulator leaves at its default. */
  static final Duration RECONCILE = Duration.ofSeconds(1);

  private static final Pattern AGENT_MOVE = Pattern.compile(
      "(acquired|released) (\\S+) \\(([A-Z_]+)\\)");

  private final DemoScenario scenario;
  private final long seed;
  private final Bounds bounds;
  private final Duration settle;
  private final List<StepResult> steps = new ArrayList<>();
  private final List<SimEvent> timeline;
  private final List<Outage> outages;
  private final long end;

  /**
   * What one step did.
   *
   * @param index its number in the script, 0 for the start
   * @param step the step
   * @param from when it was injected, nanoseconds of virtual time
   * @param to when the next step was injected, or the end of the run
   * @param owners each VIP's holders (node ids, group order) at its end
   * @param conditions each node that is not well at its end: what is wrong with it
   */
  record StepResult(int index, DemoScenario.Step step, long from, long to,
      Map<String, List<String>> owners, Map<String, String> conditions) {}

  /**
   * Addresses one node added or lost at one instant for one reason.
   *
   * @param at nanoseconds of virtual time
   * @param node the node
   * @param added whether it added them (else lost them)
   * @param vips the VIPs, as CIDRs
   * @param reason why, for people: {@code owner dead}, {@code power off} …
   */
  record Change(long at, String node, boolean added, List<String> vips, String reason) {}

  /**
   * A span during which a node held a VIP.
   *
   * @param node the node
   * @param vip the VIP's CIDR
   * @param from nanoseconds of virtual time
   * @param to nanoseconds of virtual time (the end of the run if it still holds it)
   */
  record Holding(String node, String vip, long from, long to) {}

  private DemoRun(DemoScenario scenario, long seed) {
    this.scenario = scenario;
    this.seed = seed;
    this.bounds = Bounds.of(scenario.group().policy(), RECONCILE);
    this.settle = settle(bounds);
    Simulation sim = Simulation.builder().group(scenario.group()).seed(seed).build();
    List<DemoScenario.Step> script = scenario.steps();
    long[] starts = new long[script.size()];
    List<Map<String, List<String>>> owners = new ArrayList<>();
    List<Map<String, String>> conditions = new ArrayList<>();
    for (int i = 0; i < script.size(); i++) {
      starts[i] = sim.now();
      script.get(i).action().accept(sim);
      sim.run(settle);
      owners.add(owners(sim));
      conditions.add(conditions(sim));
    }
    this.end = sim.now();
    for (int i = 0; i < script.size(); i++) {
      long to = i + 1 < script.size() ? starts[i + 1] : end;
      steps.add(new StepResult(i, script.get(i), starts[i], to, owners.get(i),
          conditions.get(i)));
    }
    this.timeline = List.copyOf(sim.timeline());
    this.outages = List.copyOf(sim.outages());
  }

  /** Runs {@code scenario} with {@code seed}. */
  static DemoRun run(DemoScenario scenario, long seed) {
    return new DemoRun(scenario, seed);
  }

  /**
   * How long each step runs before the next: the simulator's convergence bound for the policy
   * (which covers detection, preemption delay, hold-down and a lease running out), rounded up to
   * whole seconds, and at least 2 s.
   */
  static Duration settle(Bounds bounds) {
    long seconds = (bounds.convergence().toMillis() + 999) / 1000;
    return Duration.ofSeconds(Math.max(2, seconds));
  }

  DemoScenario scenario() {
    return scenario;
  }

  long seed() {
    return seed;
  }

  Bounds bounds() {
    return bounds;
  }

  Duration settle() {
    return settle;
  }

  List<StepResult> steps() {
    return steps;
  }

  /** The step whose marker is {@code marker}. */
  StepResult step(String marker) {
    for (StepResult s : steps) {
      if (s.step().marker().equals(marker)) {
        return s;
      }
    }
    throw new IllegalArgumentException("no step '" + marker + "'");
  }

  /** Every simulator event. */
  List<SimEvent> timeline() {
    return timeline;
  }

  /** Every client-observed outage. */
  List<Outage> outages() {
    return outages;
  }

  /** Virtual time at the end of the run, in nanoseconds. */
  long end() {
    return end;
  }

  /** The outages that began during {@code step}. */
  List<Outage> outages(StepResult step) {
    List<Outage> out = new ArrayList<>();
    for (Outage o : outages) {
      if (during(step, o.from())) {
        out.add(o);
      }
    }
    return out;
  }

  /** Whether {@code at} falls in {@code step}: from its start to the next step's (or the end). */
  private boolean during(StepResult step, long at) {
    return at >= step.from() && (at < step.to() || step.to() == end);
  }

  /** The longest outage that began during {@code step}, in nanoseconds; 0 when none did. */
  long longestOutage(StepResult step) {
    long longest = 0;
    for (Outage o : outages(step)) {
      longest = Math.max(longest, o.length(end));
    }
    return longest;
  }

  /** The step during which {@code at} falls. */
  StepResult stepAt(long at) {
    StepResult found = steps.get(0);
    for (StepResult s : steps) {
      if (s.from() <= at) {
        found = s;
      }
    }
    return found;
  }

  /** The addresses nodes added and lost during {@code step}, grouped by instant, node, reason. */
  List<Change> changes(StepResult step) {
    Map<String, String> reasons = new HashMap<>();
    for (SimEvent e : timeline) {
      if (e.type() == SimEvent.Type.AGENT) {
        Matcher m = AGENT_MOVE.matcher(e.text());
        if (m.matches()) {
          reasons.put(key(e.at(), e.node(), m.group(1).equals("acquired"), m.group(2)),
              m.group(3).toLowerCase(Locale.ROOT).replace('_', ' '));
        }
      }
    }
    List<Change> out = new ArrayList<>();
    for (SimEvent e : timeline) {
      boolean added = e.type() == SimEvent.Type.ADDED;
      if (!(added || e.type() == SimEvent.Type.REMOVED) || !during(step, e.at())) {
        continue;
      }
      String reason = reasons.getOrDefault(key(e.at(), e.node(), added, e.vip()), e.text());
      Change last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && last.at() == e.at() && last.node().equals(e.node())
          && last.added() == added && last.reason().equals(reason)) {
        List<String> vips = new ArrayList<>(last.vips());
        vips.add(e.vip());
        out.set(out.size() - 1, new Change(e.at(), e.node(), added, List.copyOf(vips), reason));
      } else {
        out.add(new Change(e.at(), e.node(), added, List.of(e.vip()), reason));
      }
    }
    return out;
  }

  /** Every span during which a node held a VIP, in order of beginning. */
  List<Holding> holdings() {
    Map<String, Long> since = new LinkedHashMap<>();
    List<Holding> out = new ArrayList<>();
    for (SimEvent e : timeline) {
      String k = e.node() + " " + e.vip();
      if (e.type() == SimEvent.Type.ADDED) {
        since.putIfAbsent(k, e.at());
      } else if (e.type() == SimEvent.Type.REMOVED) {
        Long from = since.remove(k);
        if (from != null) {
          out.add(new Holding(e.node(), e.vip(), from, e.at()));
        }
      }
    }
    for (Map.Entry<String, Long> open : since.entrySet()) {
      String[] nodeVip = open.getKey().split(" ", 2);
      out.add(new Holding(nodeVip[0], nodeVip[1], open.getValue(), end));
    }
    out.sort((a, b) -> Long.compare(a.from(), b.from()));
    return out;
  }

  /** The owners after {@code step}, for people: {@code n2}, or {@code n1 4 · n2 4 …} for A/A. */
  String ownerSummary(StepResult step) {
    List<String> vips = new ArrayList<>(step.owners().keySet());
    if (vips.size() == 1) {
      List<String> holders = Objects.requireNonNull(step.owners().get(vips.get(0)));
      return holders.isEmpty() ? "nobody" : String.join("+", holders);
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String id : nodeIds()) {
      counts.put(id, 0);
    }
    int unowned = 0;
    int shared = 0;
    for (List<String> holders : step.owners().values()) {
      if (holders.isEmpty()) {
        unowned++;
      } else if (holders.size() > 1) {
        shared++;
      }
      for (String h : holders) {
        counts.merge(h, 1, Integer::sum);
      }
    }
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Integer> c : counts.entrySet()) {
      sb.append(sb.length() == 0 ? "" : " ").append(c.getKey()).append(':').append(c.getValue());
    }
    if (unowned > 0) {
      sb.append(", ").append(unowned).append(" unowned");
    }
    if (shared > 0) {
      sb.append(", ").append(shared).append(" held twice");
    }
    return sb.toString();
  }

  /** The node ids, in group order. */
  List<String> nodeIds() {
    List<String> ids = new ArrayList<>();
    scenario.group().nodes().forEach(n -> ids.add(n.id()));
    return ids;
  }

  private static String key(long at, String node, boolean added, String vip) {
    return at + " " + node + " " + added + " " + vip;
  }

  private static Map<String, List<String>> owners(Simulation sim) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (VirtualIp v : sim.group().vips()) {
      List<String> holders = new ArrayList<>();
      for (SimNode n : sim.holders(v)) {
        holders.add(n.id());
      }
      out.put(v.cidr(), List.copyOf(holders));
    }
    return out;
  }

  private static Map<String, String> conditions(Simulation sim) {
    Map<String, String> out = new LinkedHashMap<>();
    for (SimNode n : sim.nodes()) {
      String c = condition(sim, n);
      if (c != null) {
        out.put(n.id(), c);
      }
    }
    return out;
  }

  private static @Nullable String condition(Simulation sim, SimNode n) {
    if (!n.powered()) {
      return "powered off";
    }
    if (!n.hasLink()) {
      return "link down";
    }
    VipAgent agent = n.agent();
    if (agent == null) {
      return "process down";
    }
    if (agent.state().phase() == VipAgent.Phase.STOPPED) {
      return "stopped";
    }
    boolean cutOff = sim.nodes().size() > 1;
    for (SimNode other : sim.nodes()) {
      if (other != n && !sim.blocked(n.id(), other.id())) {
        cutOff = false;
      }
    }
    if (cutOff) {
      return "cut off";
    }
    if (!n.healthy()) {
      return "health check failing";
    }
    return null;
  }
}
