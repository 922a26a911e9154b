package io.vipha.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Shrinks a failing explorer run: removes faults (halves, then quarters, … then single faults)
 * while the run still breaks the same invariant, within a budget of 200 reruns.
 */
final class Shrinker {
  private Shrinker() {}

  /**
   * The smallest failing result found from {@code failed}; {@code rerun} runs the faults with the
   * given indices of the seed's full schedule.
   */
  static Explorer.Result shrink(Explorer.Result failed,
      Function<List<Integer>, Explorer.Result> rerun) {
    List<Integer> current = new ArrayList<>(failed.kept());
    Explorer.Result best = failed;
    int chunks = 2;
    int budget = 200;
    while (current.size() >= 1 && budget > 0) {
      int size = (int) Math.ceil(current.size() / (double) chunks);
      boolean removed = false;
      for (int start = 0; start < current.size() && budget > 0; start += size) {
        List<Integer> trial = new ArrayList<>(current.subList(0, start));
        trial.addAll(current.subList(Math.min(current.size(), start + size), current.size()));
        budget--;
        Explorer.Result r = rerun.apply(trial);
        if (!r.passed() && Objects.equals(r.violationKind(), failed.violationKind())) {
          current = trial;
          best = r;
          removed = true;
          break;
        }
      }
      if (removed) {
        chunks = Math.max(chunks - 1, 2);
      } else if (size <= 1) {
        break;
      } else {
        chunks = Math.min(current.size(), chunks * 2);
      }
    }
    return best;
  }
}
