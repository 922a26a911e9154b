package io.vipha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.vipha.ValidationException.Problem;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidationExceptionTest {

  @Test
  void aProblemWithAValueQuotesIt() {
    assertThat(new Problem("vips[1].address", "10.1", "is not an IPv4 or IPv6 address"))
        .hasToString("vips[1].address: \"10.1\" is not an IPv4 or IPv6 address");
  }

  @Test
  void aProblemWithoutAValueOmitsIt() {
    assertThat(new Problem("name", null, "is required"))
        .hasToString("name: is required");
  }

  @Test
  void anEmptyValueIsStillQuoted() {
    assertThat(new Problem("interface", "", "is not a Linux interface name"))
        .hasToString("interface: \"\" is not a Linux interface name");
  }

  @Test
  void theMessageCountsAndListsEveryProblem() {
    ValidationException one = new ValidationException(List.of(new Problem("a", "1", "is bad")));
    ValidationException two = new ValidationException(List.of(
        new Problem("a", "1", "is bad"), new Problem("b", null, "is required")));

    assertThat(one).hasMessage("1 problem\n  a: \"1\" is bad");
    assertThat(two).hasMessage("2 problems\n  a: \"1\" is bad\n  b: is required");
  }

  @Test
  void aBuilderReportsTheExactMessage() {
    ValidationException e = catchThrowableOfType(ValidationException.class,
        () -> Node.builder().id("n 1").priority(255).build());

    assertThat(e).hasMessage("3 problems\n"
        + "  id: \"n 1\" is not a valid node id; use 1–64 letters, digits or . _ - starting with a"
        + " letter or digit\n"
        + "  heartbeat: is empty; give at least one address such as 192.0.2.1:7405\n"
        + "  priority: \"255\" is reserved for an address owner (as in VRRP); use 1–254");
  }

  @Test
  void underPrefixesEveryPath() {
    ValidationException e = new ValidationException(List.of(
        new Problem("address", "10.1", "is bad"), new Problem("", null, "is wrong")));

    ValidationException moved = e.under("groups[2].vips[0]");

    assertThat(moved.problems()).extracting(Problem::path, Problem::value, Problem::message)
        .containsExactly(tuple("groups[2].vips[0].address", "10.1", "is bad"),
            tuple("groups[2].vips[0]", null, "is wrong"));
    assertThat(moved).hasMessage("2 problems\n  groups[2].vips[0].address: \"10.1\" is bad\n"
        + "  groups[2].vips[0]: is wrong");
    assertThat(e.under("").problems()).isEqualTo(e.problems());
    assertThat(e.problems().get(0).path()).isEqualTo("address");
  }

  @Test
  void underNests() {
    Problem p = new Problem("window", "0s", "is out of range");

    assertThat(p.under("flapLimit").under("policy").under("groups[0]").path())
        .isEqualTo("groups[0].policy.flapLimit.window");
    assertThat(p.under("")).isEqualTo(p);
  }

  @Test
  void needsAtLeastOneProblem() {
    assertThatThrownBy(() -> new ValidationException(List.of()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one problem");
  }

  @Test
  void theProblemsAreAnImmutableCopy() {
    List<Problem> list = new ArrayList<>(List.of(new Problem("a", "1", "is bad")));
    ValidationException e = new ValidationException(list);
    list.add(new Problem("b", "2", "is bad"));

    assertThat(e.problems()).hasSize(1).isUnmodifiable();
  }

  @Test
  void isAnIllegalArgumentException() {
    assertThat(new ValidationException(List.of(new Problem("a", null, "is required"))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
