package io.vipha.health;

/**
 * The rise/fall hysteresis of one check, as a pure value: {@link #next(boolean)} returns the state
 * after one more probe result.
 *
 * <ul>
 *   <li>An unhealthy check becomes healthy after {@code rise} consecutive successes;
 *   <li>a healthy check becomes unhealthy after {@code fall} consecutive failures;
 *   <li>a success clears the failure count and a failure clears the success count, whatever the
 *       state.
 * </ul>
 *
 * <p>A check starts {@link #initial(int, int) unhealthy with no results}: see {@link HealthMonitor}
 * for why.
 *
 * @param rise consecutive successes that make an unhealthy check healthy, at least 1
 * @param fall consecutive failures that make a healthy check unhealthy, at least 1
 * @param healthy the current state
 * @param successes consecutive successes so far (saturates at {@link Integer#MAX_VALUE})
 * @param failures consecutive failures so far (saturates at {@link Integer#MAX_VALUE})
 */
public record RiseFall(int rise, int fall, boolean healthy, int successes, int failures) {

  /** Checks the counts. */
  public RiseFall {
    if (rise < 1 || fall < 1) {
      throw new IllegalArgumentException("rise " + rise + " and fall " + fall + " must be >= 1");
    }
    if (successes < 0 || failures < 0 || (successes > 0 && failures > 0)) {
      throw new IllegalArgumentException("successes " + successes + " and failures " + failures
          + " must be >= 0 and not both positive");
    }
  }

  /** The state before any probe: unhealthy, no results. */
  public static RiseFall initial(int rise, int fall) {
    return new RiseFall(rise, fall, false, 0, 0);
  }

  /** The state after one more probe result. */
  public RiseFall next(boolean success) {
    if (success) {
      int s = successes == Integer.MAX_VALUE ? successes : successes + 1;
      return new RiseFall(rise, fall, healthy || s >= rise, s, 0);
    }
    int f = failures == Integer.MAX_VALUE ? failures : failures + 1;
    return new RiseFall(rise, fall, healthy && f < fall, 0, f);
  }
}
