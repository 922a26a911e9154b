package io.vipha.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ComparisonTest {
  @Test
  void rowsAreTheDocumentedComparison() {
    assertThat(Comparison.modes().rows()).containsExactly(
        new Comparison.Row("Performance", "Higher: all nodes serve", "Standard: one node serves"),
        new Comparison.Row("Availability", "Very high", "High, with a brief failover"),
        new Comparison.Row("Cost", "Higher", "Lower"),
        new Comparison.Row("Complexity", "More", "Simpler"),
        new Comparison.Row("Best fit", "Mission-critical, high-traffic, multi-zone",
            "Internal or cost-focused"));
  }

  @Test
  void rendersAnAlignedTable() {
    assertThat(Comparison.modes().toTable()).isEqualTo("""
        Aspect        Active/Active                               Active/Passive
        ------------  ------------------------------------------  ---------------------------
        Performance   Higher: all nodes serve                     Standard: one node serves
        Availability  Very high                                   High, with a brief failover
        Cost          Higher                                      Lower
        Complexity    More                                        Simpler
        Best fit      Mission-critical, high-traffic, multi-zone  Internal or cost-focused\
        """);
  }

  @Test
  void columnsFitTheirWidestCell() {
    Comparison c = new Comparison(List.of(new Comparison.Row("A much longer aspect", "x", "y")));
    assertThat(c.toTable()).isEqualTo("""
        Aspect                Active/Active  Active/Passive
        --------------------  -------------  --------------
        A much longer aspect  x              y\
        """);
  }

  @Test
  void isImmutable() {
    assertThat(Comparison.modes().rows()).isUnmodifiable();
  }
}
