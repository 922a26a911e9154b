package io.vipha.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.Exposure;
import io.vipha.ValidationException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequirementsTest {
  @Test
  void defaultsToOtherApplianceAndNoNeeds() {
    Requirements r = Requirements.builder().exposure(Exposure.PRIVATE).build();
    assertThat(r.appliance()).isEqualTo(Appliance.OTHER);
    assertThat(r.needs()).isEmpty();
  }

  @Test
  void exposureIsRequired() {
    assertThatThrownBy(() -> Requirements.builder().appliance(Appliance.PFSENSE).build())
        .isInstanceOfSatisfying(ValidationException.class, e -> {
          assertThat(e.problems()).extracting(ValidationException.Problem::path)
              .containsExactly("exposure");
          assertThat(e.problems().get(0).message()).contains("PUBLIC", "PRIVATE");
        });
  }

  @Test
  void reportsEveryProblemAtOnce() {
    Requirements.Builder b = Requirements.builder();
    nullAppliance(b);
    nullNeed(b);
    assertThatThrownBy(b::build).isInstanceOfSatisfying(ValidationException.class,
        e -> assertThat(e.problems()).extracting(ValidationException.Problem::path)
            .containsExactly("appliance", "exposure", "needs[1]"));
  }

  @SuppressWarnings("NullAway")
  private static void nullAppliance(Requirements.Builder b) {
    b.appliance(null);
  }

  @SuppressWarnings("NullAway")
  private static void nullNeed(Requirements.Builder b) {
    b.need(Need.ZERO_DOWNTIME).need(null);
  }

  @Test
  void needsAreASetInEnumOrderAndImmutable() {
    Requirements r = Requirements.builder().exposure(Exposure.PUBLIC)
        .need(Need.BRIEF_DOWNTIME_OK).needs(List.of(Need.ZERO_DOWNTIME, Need.BRIEF_DOWNTIME_OK))
        .build();
    assertThat(r.needs()).containsExactly(Need.ZERO_DOWNTIME, Need.BRIEF_DOWNTIME_OK);
    assertThat(r.needs()).isUnmodifiable();
  }
}
