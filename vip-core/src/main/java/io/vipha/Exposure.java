package io.vipha;

/** Who reaches a Virtual IP. */
public enum Exposure {
  /** Reached from inside the organisation's networks only. */
  PRIVATE,
  /**
   * Reached from the internet. A public VIP always runs Active/Passive at the VIP layer: it lives
   * on exactly one node at a time.
   */
  PUBLIC
}
