package io.vipha.advisor;

import io.vipha.Exposure;
import io.vipha.ValidationException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the user knows, the input of {@link ModeAdvisor}.
 *
 * <pre>{@code
 * Requirements r = Requirements.builder()
 *     .appliance(Appliance.PFSENSE)
 *     .exposure(Exposure.PUBLIC)
 *     .need(Need.HIGH_THROUGHPUT)
 *     .build();
 * }</pre>
 *
 * @param appliance the appliance behind the VIPs, {@link Appliance#OTHER} for none
 * @param exposure whether the VIP is reached from the internet; a public VIP decides the mode
 * @param needs what the service needs, possibly none; iterates in {@link Need} order
 */
public record Requirements(Appliance appliance, Exposure exposure, Set<Need> needs) {

  /** Checks that nothing is null and copies {@code needs}. */
  public Requirements {
    Objects.requireNonNull(appliance, "appliance");
    Objects.requireNonNull(exposure, "exposure");
    needs = Collections.unmodifiableSet(
        needs.isEmpty() ? EnumSet.noneOf(Need.class) : EnumSet.copyOf(needs));
  }

  /** A new builder: appliance {@link Appliance#OTHER}, no needs, exposure not yet set. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds {@link Requirements}. The exposure has no default: whether the VIP is public overrides
   * every other input, so it must be stated.
   */
  public static final class Builder {
    private @Nullable Appliance appliance = Appliance.OTHER;
    private @Nullable Exposure exposure;
    private final List<@Nullable Need> needs = new ArrayList<>();

    private Builder() {}

    /** The appliance behind the VIPs (default {@link Appliance#OTHER}). */
    public Builder appliance(Appliance appliance) {
      this.appliance = appliance;
      return this;
    }

    /** {@link Exposure#PUBLIC} or {@link Exposure#PRIVATE}; required. */
    public Builder exposure(Exposure exposure) {
      this.exposure = exposure;
      return this;
    }

    /** Adds a need. */
    public Builder need(Need need) {
      needs.add(need);
      return this;
    }

    /** Adds every need in {@code needs}. */
    public Builder needs(Collection<Need> needs) {
      this.needs.addAll(needs);
      return this;
    }

    /** The requirements; throws {@link ValidationException} listing every problem. */
    public Requirements build() {
      List<ValidationException.Problem> problems = new ArrayList<>();
      if (appliance == null) {
        problems.add(new ValidationException.Problem("appliance", null,
            "is required; use PFSENSE, PALO_ALTO or OTHER (OTHER when there is none)"));
      }
      if (exposure == null) {
        problems.add(new ValidationException.Problem("exposure", null,
            "is required; use PUBLIC if clients reach the VIP from the internet, PRIVATE if"
                + " only from inside: a public VIP decides the mode"));
      }
      EnumSet<Need> set = EnumSet.noneOf(Need.class);
      for (int i = 0; i < needs.size(); i++) {
        Need n = needs.get(i);
        if (n == null) {
          problems.add(new ValidationException.Problem("needs[" + i + "]", null,
              "is null; use ZERO_DOWNTIME, HIGH_THROUGHPUT, SMALL_COST_FIRST or"
                  + " BRIEF_DOWNTIME_OK"));
        } else {
          set.add(n);
        }
      }
      if (!problems.isEmpty()) {
        throw new ValidationException(problems);
      }
      return new Requirements(Objects.requireNonNull(appliance), Objects.requireNonNull(exposure),
          set);
    }
  }
}
