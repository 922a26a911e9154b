package io.vipha.advisor;

import io.vipha.Exposure;
import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Recommends a {@link Mode} for the VIP layer from what the user knows, and checks a configured
 * {@link VipGroup} against it.
 *
 * <p>The rules, in order of precedence:
 *
 * <ol>
 *   <li>A public VIP lives on one node at a time: the VIP layer runs Active/Passive, whatever
 *       else is stated. Every input that points to Active/Active gets a warning naming it.
 *   <li>The appliance's marketplace recommendation: pfSense Active/Active, Palo Alto
 *       Active/Passive. A need that points the other way gets a warning naming both.
 *   <li>The needs: zero downtime and high throughput point to Active/Active; a small system where
 *       cost comes first and acceptable brief downtime point to Active/Passive. When they
 *       conflict, Active/Active wins (those needs are demands, the others preferences or
 *       allowances) and a warning names both sides.
 *   <li>Nothing stated: Active/Passive, the simpler and cheaper default.
 * </ol>
 *
 * <pre>{@code
 * Advice advice = ModeAdvisor.advise(Requirements.builder()
 *     .appliance(Appliance.PFSENSE)
 *     .exposure(Exposure.PUBLIC)
 *     .build());
 * advice.mode();     // ACTIVE_PASSIVE
 * advice.warnings(); // PUBLIC_VIP_OVERRIDES_APPLIANCE
 * }</pre>
 */
public final class ModeAdvisor {
  private ModeAdvisor() {}

  /** The recommended mode for {@code requirements}, with every rule that fired and conflicts. */
  public static Advice advise(Requirements requirements) {
    boolean isPublic = requirements.exposure() == Exposure.PUBLIC;
    Appliance appliance = requirements.appliance();
    Mode applianceMode = marketplaceRecommendation(appliance);

    List<Reason> reasons = new ArrayList<>();
    if (isPublic) {
      reasons.add(new Reason(Rule.PUBLIC_VIP_ACTIVE_PASSIVE, Mode.ACTIVE_PASSIVE,
          "A public VIP lives on one node at a time, so the HA VIP workflow runs Active/Passive"
              + " at the VIP layer, whatever the appliance recommends."));
    }
    if (applianceMode != null) {
      reasons.add(new Reason(
          appliance == Appliance.PFSENSE ? Rule.PFSENSE_ACTIVE_ACTIVE
              : Rule.PALO_ALTO_ACTIVE_PASSIVE,
          applianceMode, "The marketplace recommendation for a " + appliance.label()
              + " appliance is " + label(applianceMode) + "."));
    }
    for (Need n : requirements.needs()) {
      reasons.add(needReason(n));
    }

    Mode needsMode = needsMode(requirements);
    Mode mode;
    String decider;
    if (isPublic) {
      mode = Mode.ACTIVE_PASSIVE;
      decider = "The public VIP decides: Active/Passive at the VIP layer.";
    } else if (applianceMode != null) {
      mode = applianceMode;
      decider = "The " + appliance.label() + " recommendation decides: " + label(applianceMode)
          + ".";
    } else if (needsMode != null) {
      mode = needsMode;
      decider = "With no appliance recommendation, Active/Active wins: the Active/Active needs"
          + " are demands, the Active/Passive needs are allowances or preferences.";
    } else {
      mode = Mode.ACTIVE_PASSIVE;
      decider = "";
      reasons.add(new Reason(Rule.DEFAULT_ACTIVE_PASSIVE, Mode.ACTIVE_PASSIVE,
          "No appliance recommendation and no needs stated: Active/Passive is the simpler,"
              + " cheaper default."));
    }

    List<Warning> warnings = new ArrayList<>();
    if (isPublic) {
      if (applianceMode == Mode.ACTIVE_ACTIVE) {
        warnings.add(new Warning(Rule.PUBLIC_VIP_OVERRIDES_APPLIANCE, "The " + appliance.label()
            + " marketplace recommendation is Active/Active, but the public VIP lives on one node"
            + " at a time, so the VIP layer runs Active/Passive."));
      }
      for (Need n : requirements.needs()) {
        if (leaning(n) == Mode.ACTIVE_ACTIVE) {
          warnings.add(new Warning(Rule.PUBLIC_VIP_OVERRIDES_NEED, "The need '" + n.label()
              + "' points to Active/Active, but the public VIP lives on one node at a time, so the"
              + " VIP layer runs Active/Passive: " + (n == Need.ZERO_DOWNTIME
                  ? "expect a brief interruption when its owner fails."
                  : "one node at a time carries the public VIP's traffic.")));
        }
      }
    } else if (applianceMode != null) {
      for (Need n : requirements.needs()) {
        if (leaning(n) != applianceMode) {
          warnings.add(new Warning(Rule.APPLIANCE_OVERRIDES_NEED, "The " + appliance.label()
              + " marketplace recommendation is " + label(applianceMode) + ", but the need '"
              + n.label() + "' points to " + label(leaning(n)) + "; keeping the appliance"
              + " recommendation, which takes precedence over needs."));
        }
      }
    }
    List<Need> aa = needsLeaning(requirements, Mode.ACTIVE_ACTIVE);
    List<Need> ap = needsLeaning(requirements, Mode.ACTIVE_PASSIVE);
    if (!aa.isEmpty() && !ap.isEmpty()) {
      warnings.add(new Warning(Rule.CONFLICTING_NEEDS, "Conflicting needs: Active/Active for "
          + quote(aa) + "; Active/Passive for " + quote(ap) + ". " + decider));
    }
    return new Advice(requirements, mode, applianceMode, reasons, warnings);
  }

  /**
   * Warnings where {@code group}'s mode goes against the stated appliance and needs; empty when
   * it fits. A group with a public VIP is always Active/Passive (the model enforces it): the
   * warnings then say so. {@link Need#BRIEF_DOWNTIME_OK} never warns: it allows Active/Passive
   * without asking for it.
   */
  public static List<Warning> check(VipGroup group, Requirements requirements) {
    List<Warning> warnings = new ArrayList<>();
    String name = "Group '" + group.name() + "'";
    VirtualIp publicVip = group.vips().stream()
        .filter(v -> v.exposure() == Exposure.PUBLIC)
        .findFirst().orElse(null);
    String publicNote = publicVip == null ? ""
        : " Its public VIP " + publicVip.cidr() + " keeps it Active/Passive; put private VIPs"
            + " that need Active/Active in a separate Active/Active group.";
    if (requirements.exposure() == Exposure.PUBLIC && publicVip == null) {
      warnings.add(new Warning(Rule.GROUP_PUBLIC_VIP_NOT_MARKED, "The VIP was stated to be public,"
          + " but no VIP in group '" + group.name() + "' has exposure PUBLIC"
          + (group.mode() == Mode.ACTIVE_ACTIVE
              ? " and the group is Active/Active: a public VIP runs Active/Passive at the VIP"
                  + " layer. Mark the VIP PUBLIC and make the group ACTIVE_PASSIVE."
              : ": mark it PUBLIC so that the model keeps the group Active/Passive.")));
    }
    if (group.mode() == Mode.ACTIVE_PASSIVE) {
      if (requirements.appliance() == Appliance.PFSENSE) {
        warnings.add(new Warning(Rule.GROUP_ACTIVE_PASSIVE_ON_PFSENSE, name + " is Active/Passive,"
            + " but the pfSense marketplace recommendation is Active/Active." + publicNote));
      }
      for (Need n : requirements.needs()) {
        if (leaning(n) == Mode.ACTIVE_ACTIVE) {
          warnings.add(new Warning(Rule.GROUP_ACTIVE_PASSIVE_FOR_NEED, name
              + " is Active/Passive, but the need '" + n.label() + "' points to Active/Active: "
              + (n == Need.ZERO_DOWNTIME
                  ? "one node serves and a failover interrupts service briefly."
                  : "one node carries all the traffic.") + publicNote));
        }
      }
    } else {
      if (requirements.appliance() == Appliance.PALO_ALTO) {
        warnings.add(new Warning(Rule.GROUP_ACTIVE_ACTIVE_ON_PALO_ALTO, name + " is Active/Active,"
            + " but the Palo Alto marketplace recommendation is Active/Passive."));
      }
      if (requirements.needs().contains(Need.SMALL_COST_FIRST)) {
        warnings.add(new Warning(Rule.GROUP_ACTIVE_ACTIVE_COST_FIRST, name + " is Active/Active,"
            + " but the need '" + Need.SMALL_COST_FIRST.label() + "' points to Active/Passive:"
            + " Active/Active costs more and is more complex to run."));
      }
    }
    return List.copyOf(warnings);
  }

  /** Rules 1 and 2: the appliance's own marketplace recommendation, or null for none. */
  private static @Nullable Mode marketplaceRecommendation(Appliance appliance) {
    return switch (appliance) {
      case PFSENSE -> Mode.ACTIVE_ACTIVE;
      case PALO_ALTO -> Mode.ACTIVE_PASSIVE;
      case OTHER -> null;
    };
  }

  /** Rule 4: where a need points. */
  private static Mode leaning(Need need) {
    return switch (need) {
      case ZERO_DOWNTIME, HIGH_THROUGHPUT -> Mode.ACTIVE_ACTIVE;
      case SMALL_COST_FIRST, BRIEF_DOWNTIME_OK -> Mode.ACTIVE_PASSIVE;
    };
  }

  private static Reason needReason(Need need) {
    Mode m = leaning(need);
    return switch (need) {
      case ZERO_DOWNTIME -> new Reason(Rule.ZERO_DOWNTIME_ACTIVE_ACTIVE, m, "No downtime"
          + " allowed: Active/Active keeps all nodes serving, so losing one leaves the others"
          + " carrying the traffic.");
      case HIGH_THROUGHPUT -> new Reason(Rule.HIGH_THROUGHPUT_ACTIVE_ACTIVE, m, "High"
          + " throughput: Active/Active spreads the traffic over all nodes instead of one.");
      case SMALL_COST_FIRST -> new Reason(Rule.SMALL_COST_FIRST_ACTIVE_PASSIVE, m, "Small"
          + " system where cost matters most: Active/Passive is cheaper and simpler to run.");
      case BRIEF_DOWNTIME_OK -> new Reason(Rule.BRIEF_DOWNTIME_OK_ACTIVE_PASSIVE, m, "Brief"
          + " downtime is acceptable: the short failover of Active/Passive is enough.");
    };
  }

  /** Active/Active if any need demands it, else Active/Passive; null with no needs. */
  private static @Nullable Mode needsMode(Requirements requirements) {
    if (requirements.needs().isEmpty()) {
      return null;
    }
    return needsLeaning(requirements, Mode.ACTIVE_ACTIVE).isEmpty() ? Mode.ACTIVE_PASSIVE
        : Mode.ACTIVE_ACTIVE;
  }

  private static List<Need> needsLeaning(Requirements requirements, Mode mode) {
    return requirements.needs().stream().filter(n -> leaning(n) == mode)
        .collect(Collectors.toList());
  }

  private static String quote(List<Need> needs) {
    return needs.stream().map(n -> "'" + n.label() + "'").collect(Collectors.joining(" and "));
  }

  private static String label(Mode mode) {
    return mode == Mode.ACTIVE_ACTIVE ? "Active/Active" : "Active/Passive";
  }
}
