package io.vipha.advisor;

/**
 * What the service behind the VIPs needs. {@link #ZERO_DOWNTIME} and {@link #HIGH_THROUGHPUT} are
 * demands that point to Active/Active; {@link #SMALL_COST_FIRST} and {@link #BRIEF_DOWNTIME_OK} are
 * preferences or allowances that point to Active/Passive.
 */
public enum Need {
  /** No downtime is acceptable; points to Active/Active. */
  ZERO_DOWNTIME("zero downtime"),
  /** More traffic than one node should carry; points to Active/Active. */
  HIGH_THROUGHPUT("high throughput"),
  /** A small system where cost matters most; points to Active/Passive. */
  SMALL_COST_FIRST("small system, cost first"),
  /** A brief interruption on failover is acceptable; points to Active/Passive. */
  BRIEF_DOWNTIME_OK("brief downtime acceptable");

  private final String label;

  Need(String label) {
    this.label = label;
  }

  /** The need as the advisor writes it, e.g. {@code zero downtime}. */
  public String label() {
    return label;
  }
}
