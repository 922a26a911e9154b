package io.vipha.sim;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one explorer run found: the first invariant it broke (later breaks are consequences and
 * are not kept) and the worst windows seen.
 */
final class Verdict {
  final Explorer.Stats stats = new Explorer.Stats();
  private final Simulation sim;
  private @Nullable String violation;
  private @Nullable String violationKind;

  Verdict(Simulation sim) {
    this.sim = sim;
  }

  /** Records a broken invariant of {@code kind}, stamped with the virtual time, unless one is. */
  void fail(String kind, String message) {
    if (violation == null) {
      violationKind = kind;
      violation = Simulation.formatTime(sim.now()) + " " + message;
    }
  }

  boolean failed() {
    return violation != null;
  }

  @Nullable String violation() {
    return violation;
  }

  @Nullable String violationKind() {
    return violationKind;
  }

  /** The ids of {@code nodes}, e.g. {@code [n1, n2]}. */
  static String names(List<SimNode> nodes) {
    List<String> out = new ArrayList<>();
    for (SimNode n : nodes) {
      out.add(n.id());
    }
    return out.toString();
  }
}
