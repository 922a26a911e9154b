package io.vipha.health;

import io.vipha.internal.Problems;
import java.util.Objects;

/**
 * What a {@link HealthCheck} does to its node, as keepalived's {@code track_script} weights do.
 *
 * <ul>
 *   <li>{@link #weight(int) weight(w)} with {@code w > 0}: adds {@code w} to the node's priority
 *       while the check is healthy;
 *   <li>{@link #weight(int) weight(w)} with {@code w < 0}: subtracts {@code |w|} while the check is
 *       unhealthy;
 *   <li>{@link #disqualify()}: the node may not own VIPs while the check is unhealthy.
 * </ul>
 *
 * @param type {@link Type#WEIGHT} or {@link Type#DISQUALIFY}
 * @param weight for {@link Type#WEIGHT}: −253..253 and not 0; for {@link Type#DISQUALIFY}: 0
 */
public record Effect(Type type, int weight) {
  /** The kinds of effect. */
  public enum Type {
    /** Adjusts the node's priority. */
    WEIGHT,
    /** Makes the node ineligible while the check is unhealthy. */
    DISQUALIFY
  }

  /** The largest absolute weight: {@value}, as in keepalived. */
  public static final int MAX_WEIGHT = 253;

  private static final Effect DISQUALIFY = new Effect(Type.DISQUALIFY, 0);

  /** Checks the weight against the type. */
  public Effect {
    Objects.requireNonNull(type, "type");
    Problems p = new Problems();
    check(p, "effect.", type, weight);
    p.throwIfAny();
  }

  /**
   * A priority adjustment: {@code w > 0} adds {@code w} while healthy, {@code w < 0} subtracts
   * {@code |w|} while unhealthy; {@code w} is −253..253 and not 0.
   */
  public static Effect weight(int w) {
    return new Effect(Type.WEIGHT, w);
  }

  /** The node is ineligible to own VIPs while the check is unhealthy. */
  public static Effect disqualify() {
    return DISQUALIFY;
  }

  /** What this effect adds to the node's priority when the check is {@code healthy} or not. */
  public int priorityDelta(boolean healthy) {
    if (type != Type.WEIGHT) {
      return 0;
    }
    if (weight > 0) {
      return healthy ? weight : 0;
    }
    return healthy ? 0 : weight;
  }

  /** Whether this effect makes the node ineligible when the check is {@code healthy} or not. */
  public boolean disqualifies(boolean healthy) {
    return type == Type.DISQUALIFY && !healthy;
  }

  static void check(Problems p, String prefix, Type type, int weight) {
    if (type == Type.DISQUALIFY) {
      if (weight != 0) {
        p.add(prefix + "weight", weight, "is set on a disqualifying effect; a check either"
            + " disqualifies or adjusts the priority: remove the weight or use Effect.weight");
      }
    } else if (weight == 0) {
      p.add(prefix + "weight", weight, "would have no effect; use 1–" + MAX_WEIGHT + " (added"
          + " while healthy), −" + MAX_WEIGHT + "–−1 (subtracted while unhealthy), or"
          + " disqualify");
    } else if (weight < -MAX_WEIGHT || weight > MAX_WEIGHT) {
      p.add(prefix + "weight", weight, "is out of range; use −" + MAX_WEIGHT + "–" + MAX_WEIGHT
          + " and not 0, as in keepalived");
    }
  }

  @Override
  public String toString() {
    return type == Type.DISQUALIFY ? "disqualify" : "weight(" + weight + ")";
  }
}
