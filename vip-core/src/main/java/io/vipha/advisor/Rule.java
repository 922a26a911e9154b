package io.vipha.advisor;

/**
 * The advisor's rules. The constant names are stable ids, safe to match on or to log. Precedence
 * when advising: a public VIP, then the appliance's marketplace recommendation, then the needs.
 */
public enum Rule {
  // Reasons: ModeAdvisor.advise

  /** A public VIP lives on one node at a time: the VIP layer runs Active/Passive. */
  PUBLIC_VIP_ACTIVE_PASSIVE,
  /** The marketplace recommendation for a pfSense appliance is Active/Active. */
  PFSENSE_ACTIVE_ACTIVE,
  /** The marketplace recommendation for a Palo Alto appliance is Active/Passive. */
  PALO_ALTO_ACTIVE_PASSIVE,
  /** No downtime needed: Active/Active. */
  ZERO_DOWNTIME_ACTIVE_ACTIVE,
  /** High throughput needed: Active/Active. */
  HIGH_THROUGHPUT_ACTIVE_ACTIVE,
  /** A small system where cost matters most: Active/Passive. */
  SMALL_COST_FIRST_ACTIVE_PASSIVE,
  /** Brief downtime acceptable: Active/Passive. */
  BRIEF_DOWNTIME_OK_ACTIVE_PASSIVE,
  /** No appliance recommendation, no needs, private VIP: Active/Passive, simpler and cheaper. */
  DEFAULT_ACTIVE_PASSIVE,

  // Warnings: ModeAdvisor.advise

  /** A public VIP overrides the appliance's Active/Active recommendation (pfSense). */
  PUBLIC_VIP_OVERRIDES_APPLIANCE,
  /** A public VIP overrides a need that points to Active/Active; one warning per need. */
  PUBLIC_VIP_OVERRIDES_NEED,
  /** The appliance recommendation overrides a need that points the other way; one per need. */
  APPLIANCE_OVERRIDES_NEED,
  /**
   * Needs point both ways. With nothing of higher precedence, Active/Active wins: the
   * Active/Active needs are demands, the Active/Passive needs are allowances or preferences.
   */
  CONFLICTING_NEEDS,

  // Warnings: ModeAdvisor.check(VipGroup, Requirements)

  /** An Active/Passive group for a need that points to Active/Active; one warning per need. */
  GROUP_ACTIVE_PASSIVE_FOR_NEED,
  /** An Active/Active group for a small system where cost comes first. */
  GROUP_ACTIVE_ACTIVE_COST_FIRST,
  /** An Active/Passive group on pfSense, whose recommendation is Active/Active. */
  GROUP_ACTIVE_PASSIVE_ON_PFSENSE,
  /** An Active/Active group on Palo Alto, whose recommendation is Active/Passive. */
  GROUP_ACTIVE_ACTIVE_ON_PALO_ALTO,
  /** The VIP was stated to be public, but no VIP of the group has exposure PUBLIC. */
  GROUP_PUBLIC_VIP_NOT_MARKED
}
