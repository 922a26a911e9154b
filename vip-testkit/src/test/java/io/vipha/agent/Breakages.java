package io.vipha.agent;

import io.vipha.sim.Simulation;
import java.util.function.Consumer;

/**
 * Builds simulations whose agents have one safety mechanism switched off, for the explorer's
 * self-test ({@code io.vipha.sim.CheckerSelfTest}). It lives in the agent's package because the
 * switches ({@link Breakage}) are package-private: no code outside it can turn one on.
 */
public final class Breakages {
  /** The mechanisms that can be switched off, by {@link Breakage} name. */
  public static final java.util.List<String> MECHANISMS =
      java.util.Arrays.stream(Breakage.values()).map(Enum::name).toList();

  private Breakages() {}

  /** Simulation settings whose every agent runs without {@code mechanism}. */
  public static Consumer<Simulation.Builder> without(String mechanism) {
    Breakage m = Breakage.valueOf(mechanism);
    return b -> {
      if (m == Breakage.REPLAY_GUARD) {
        b.customizeCoordinator((id, c) -> c.breakage(m));
      } else {
        b.customize((id, a) -> a.breakage(m));
      }
    };
  }
}
