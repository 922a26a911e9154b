package io.vipha.advisor;

import io.vipha.Mode;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link ModeAdvisor#advise(Requirements)} recommends, and why.
 *
 * @param requirements the input
 * @param mode the recommended mode for the VIP layer
 * @param applianceRecommendation the appliance's own marketplace recommendation, or null when the
 *     appliance has none ({@link Appliance#OTHER}); it can differ from {@code mode}
 * @param reasons every rule that fired, highest precedence first: the first one decided {@code
 *     mode}; never empty
 * @param warnings every conflict between the inputs, each naming both sides; often empty
 */
public record Advice(
    Requirements requirements,
    Mode mode,
    @Nullable Mode applianceRecommendation,
    List<Reason> reasons,
    List<Warning> warnings) {

  /** Checks that nothing is null and that there is a reason; copies the lists. */
  public Advice {
    Objects.requireNonNull(requirements, "requirements");
    Objects.requireNonNull(mode, "mode");
    reasons = List.copyOf(reasons);
    warnings = List.copyOf(warnings);
    if (reasons.isEmpty()) {
      throw new IllegalArgumentException("an Advice needs at least one reason");
    }
  }

  /** The comparison of the two modes, {@link Comparison#modes()}. */
  public Comparison comparison() {
    return Comparison.modes();
  }
}
