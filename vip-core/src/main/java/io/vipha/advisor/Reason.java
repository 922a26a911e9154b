package io.vipha.advisor;

import io.vipha.Mode;
import java.util.Objects;

/**
 * A rule that fired while advising.
 *
 * @param rule the rule, a stable id such as {@link Rule#PFSENSE_ACTIVE_ACTIVE}
 * @param mode the mode this rule points to; it may differ from the advice when a rule of higher
 *     precedence won (a {@link Warning} then says so)
 * @param text the rule applied to the input, in one sentence
 */
public record Reason(Rule rule, Mode mode, String text) {
  /** Checks that nothing is null. */
  public Reason {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(text, "text");
  }
}
