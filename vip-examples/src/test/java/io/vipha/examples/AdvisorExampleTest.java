package io.vipha.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.Exposure;
import io.vipha.advisor.Appliance;
import io.vipha.advisor.Need;
import io.vipha.advisor.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AdvisorExampleTest {

  @Test
  void noFlagsMeansOtherApplianceAndPrivateVip() throws Exception {
    Requirements r = AdvisorExample.parse("--need", "small-cost-first");
    assertThat(r.appliance()).isEqualTo(Appliance.OTHER);
    assertThat(r.exposure()).isEqualTo(Exposure.PRIVATE);
    assertThat(r.needs()).containsExactly(Need.SMALL_COST_FIRST);
  }

  @Test
  void parsesEveryFlag() throws Exception {
    Requirements r = AdvisorExample.parse("--appliance", "Palo-Alto", "--public",
        "--need", "zero-downtime,high-throughput", "--need=brief-downtime-ok");
    assertThat(r.appliance()).isEqualTo(Appliance.PALO_ALTO);
    assertThat(r.exposure()).isEqualTo(Exposure.PUBLIC);
    assertThat(r.needs()).containsExactly(Need.ZERO_DOWNTIME, Need.HIGH_THROUGHPUT,
        Need.BRIEF_DOWNTIME_OK);
    assertThat(AdvisorExample.parse("--appliance=pfsense").appliance())
        .isEqualTo(Appliance.PFSENSE);
  }

  @Test
  void rejectsBadFlagsNamingThem() {
    assertThatThrownBy(() -> AdvisorExample.parse("--appliance", "cisco"))
        .hasMessageContaining("'cisco'").hasMessageContaining("pfsense, palo-alto or other");
    assertThatThrownBy(() -> AdvisorExample.parse("--need", "zero-downtime,,"))
        .hasMessageContaining("unknown need ''");
    assertThatThrownBy(() -> AdvisorExample.parse("--need", "cheap"))
        .hasMessageContaining("'cheap'").hasMessageContaining("small-cost-first");
    assertThatThrownBy(() -> AdvisorExample.parse("--appliance"))
        .hasMessageContaining("--appliance needs a value");
    assertThatThrownBy(() -> AdvisorExample.parse("--need", "--public"))
        .hasMessageContaining("--need needs a value");
    assertThatThrownBy(() -> AdvisorExample.parse("--appliance", "pfsense", "--appliance",
        "other")).hasMessageContaining("twice");
    assertThatThrownBy(() -> AdvisorExample.parse("--public=yes"))
        .hasMessageContaining("--public takes no value");
    assertThatThrownBy(() -> AdvisorExample.parse("--private"))
        .hasMessageContaining("unknown argument '--private'");
  }

  @Test
  void badFlagExitsTwoWithUsageOnStderr() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = AdvisorExample.run(new String[] {"--bogus"}, print(out), print(err));
    assertThat(code).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("error: unknown argument '--bogus'").contains("usage: AdvisorExample");
  }

  @Test
  void flagsPrintTheAdviceAndTheTable() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = AdvisorExample.run(new String[] {"--appliance", "pfsense", "--public"},
        print(out), print(new ByteArrayOutputStream()));
    assertThat(code).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains(
        "pfSense, public VIP", "Recommended mode at the VIP layer: Active/Passive",
        "PUBLIC_VIP_ACTIVE_PASSIVE", "PUBLIC_VIP_OVERRIDES_APPLIANCE", "Best fit");
  }

  @Test
  void noArgumentsPrintsTheWalkthrough() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(AdvisorExample.run(new String[0], print(out), print(new ByteArrayOutputStream())))
        .isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("pfSense, private VIP",
        "pfSense, public VIP", "Palo Alto, private VIP", "CONFLICTING_NEEDS",
        "Checking group 'web'", "Aspect");
  }

  private static PrintStream print(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }
}
