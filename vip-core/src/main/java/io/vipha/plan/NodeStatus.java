package io.vipha.plan;

import java.util.Objects;

/**
 * One node as seen by the observer.
 *
 * @param liveness alive, suspect or dead
 * @param livenessSince when the liveness last changed (nanoseconds)
 * @param effectivePriority priority after health adjustments (any int; higher wins)
 * @param eligibility whether it may own VIPs
 * @param eligibilitySince when the eligibility last changed (nanoseconds)
 * @param weight share of the VIPs in Active/Active, at least 1
 */
public record NodeStatus(
    Liveness liveness,
    long livenessSince,
    int effectivePriority,
    Eligibility eligibility,
    long eligibilitySince,
    int weight) {

  /** Checks the weight. */
  public NodeStatus {
    Objects.requireNonNull(liveness, "liveness");
    Objects.requireNonNull(eligibility, "eligibility");
    if (weight < 1) {
      throw new IllegalArgumentException("weight " + weight + " is below 1");
    }
  }

  /** An eligible node alive since {@code since}. */
  public static NodeStatus alive(long since, int priority, int weight) {
    return new NodeStatus(Liveness.ALIVE, since, priority, Eligibility.ELIGIBLE, since, weight);
  }

  /** A dead node, dead since {@code since}. */
  public static NodeStatus dead(long since, int priority, int weight) {
    return new NodeStatus(Liveness.DEAD, since, priority, Eligibility.ELIGIBLE, since, weight);
  }

  /** This status with another liveness since {@code since}. */
  public NodeStatus withLiveness(Liveness l, long since) {
    return new NodeStatus(l, since, effectivePriority, eligibility, eligibilitySince, weight);
  }

  /** This status with another eligibility since {@code since}. */
  public NodeStatus withEligibility(Eligibility e, long since) {
    return new NodeStatus(liveness, livenessSince, effectivePriority, e, since, weight);
  }

  /** This status with another effective priority. */
  public NodeStatus withPriority(int priority) {
    return new NodeStatus(liveness, livenessSince, priority, eligibility, eligibilitySince, weight);
  }
}
