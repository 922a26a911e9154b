package io.vipha.advisor;

import java.util.Objects;

/**
 * A conflict between inputs, or between a configured group and the inputs.
 *
 * @param rule the rule, a stable id such as {@link Rule#PUBLIC_VIP_OVERRIDES_APPLIANCE}
 * @param text what conflicts, naming both sides, and what wins
 */
public record Warning(Rule rule, String text) {
  /** Checks that nothing is null. */
  public Warning {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(text, "text");
  }
}
