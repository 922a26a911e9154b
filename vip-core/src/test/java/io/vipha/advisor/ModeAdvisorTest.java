package io.vipha.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Exposure;
import io.vipha.Mode;
import org.junit.jupiter.api.Test;

/** One test per rule of {@link ModeAdvisor#advise}, then the precedence combinations. */
class ModeAdvisorTest {

  private static Requirements.Builder privateVip() {
    return Requirements.builder().exposure(Exposure.PRIVATE);
  }

  private static Requirements.Builder publicVip() {
    return Requirements.builder().exposure(Exposure.PUBLIC);
  }

  // Rule 1
  @Test
  void pfSenseRecommendsActiveActive() {
    Advice a = ModeAdvisor.advise(privateVip().appliance(Appliance.PFSENSE).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_ACTIVE);
    assertThat(a.applianceRecommendation()).isEqualTo(Mode.ACTIVE_ACTIVE);
    assertThat(a.reasons()).extracting(Reason::rule).containsExactly(Rule.PFSENSE_ACTIVE_ACTIVE);
    assertThat(a.reasons().get(0).mode()).isEqualTo(Mode.ACTIVE_ACTIVE);
    assertThat(a.reasons().get(0).text()).contains("pfSense", "marketplace", "Active/Active");
    assertThat(a.warnings()).isEmpty();
  }

  // Rule 2
  @Test
  void paloAltoRecommendsActivePassive() {
    Advice a = ModeAdvisor.advise(privateVip().appliance(Appliance.PALO_ALTO).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_PASSIVE);
    assertThat(a.applianceRecommendation()).isEqualTo(Mode.ACTIVE_PASSIVE);
    assertThat(a.reasons()).extracting(Reason::rule)
        .containsExactly(Rule.PALO_ALTO_ACTIVE_PASSIVE);
    assertThat(a.reasons().get(0).text()).contains("Palo Alto", "marketplace", "Active/Passive");
    assertThat(a.warnings()).isEmpty();
  }

  @Test
  void otherApplianceHasNoRecommendation() {
    Advice a = ModeAdvisor.advise(privateVip().appliance(Appliance.OTHER)
        .need(Need.HIGH_THROUGHPUT).build());
    assertThat(a.applianceRecommendation()).isNull();
    assertThat(a.reasons()).extracting(Reason::rule)
        .containsExactly(Rule.HIGH_THROUGHPUT_ACTIVE_ACTIVE);
  }

  // Rule 3
  @Test
  void publicVipRunsActivePassive() {
    Advice a = ModeAdvisor.advise(publicVip().build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_PASSIVE);
    assertThat(a.reasons()).extracting(Reason::rule)
        .containsExactly(Rule.PUBLIC_VIP_ACTIVE_PASSIVE);
    assertThat(a.reasons().get(0).text()).contains("public VIP", "one node at a time",
        "Active/Passive", "VIP layer");
    assertThat(a.warnings()).isEmpty();
  }

  // Rule 3: the documented example, pfSense + public VIP.
  @Test
  void publicVipOverridesPfSense() {
    Advice a = ModeAdvisor.advise(publicVip().appliance(Appliance.PFSENSE).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_PASSIVE);
    assertThat(a.applianceRecommendation()).isEqualTo(Mode.ACTIVE_ACTIVE);
    assertThat(a.reasons()).extracting(Reason::rule)
        .containsExactly(Rule.PUBLIC_VIP_ACTIVE_PASSIVE, Rule.PFSENSE_ACTIVE_ACTIVE);
    assertThat(a.warnings()).extracting(Warning::rule)
        .containsExactly(Rule.PUBLIC_VIP_OVERRIDES_APPLIANCE);
    assertThat(a.warnings().get(0).text()).contains("pfSense", "Active/Active",
        "one node at a time", "Active/Passive");
  }

  @Test
  void publicVipOverridesActiveActiveNeedsAndNamesEach() {
    Advice a = ModeAdvisor.advise(publicVip().appliance(Appliance.PFSENSE)
        .need(Need.ZERO_DOWNTIME).need(Need.HIGH_THROUGHPUT).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_PASSIVE);
    assertThat(a.reasons().get(0).rule()).isEqualTo(Rule.PUBLIC_VIP_ACTIVE_PASSIVE);
    assertThat(a.warnings()).extracting(Warning::rule).containsExactly(
        Rule.PUBLIC_VIP_OVERRIDES_APPLIANCE, Rule.PUBLIC_VIP_OVERRIDES_NEED,
        Rule.PUBLIC_VIP_OVERRIDES_NEED);
    assertThat(a.warnings().get(1).text()).contains("'zero downtime'", "public VIP");
    assertThat(a.warnings().get(2).text()).contains("'high throughput'", "public VIP");
  }

  @Test
  void publicVipAgreesWithPaloAltoAndActivePassiveNeeds() {
    Advice a = ModeAdvisor.advise(publicVip().appliance(Appliance.PALO_ALTO)
        .need(Need.SMALL_COST_FIRST).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_PASSIVE);
    assertThat(a.reasons()).extracting(Reason::rule).containsExactly(
        Rule.PUBLIC_VIP_ACTIVE_PASSIVE, Rule.PALO_ALTO_ACTIVE_PASSIVE,
        Rule.SMALL_COST_FIRST_ACTIVE_PASSIVE);
    assertThat(a.warnings()).isEmpty();
  }

  @Test
  void publicVipOverridesNeedEvenAgainstPaloAlto() {
    Advice a = ModeAdvisor.advise(publicVip().appliance(Appliance.PALO_ALTO)
        .need(Need.ZERO_DOWNTIME).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_PASSIVE);
    assertThat(a.warnings()).extracting(Warning::rule)
        .containsExactly(Rule.PUBLIC_VIP_OVERRIDES_NEED);
  }

  // Rule 4, one test per need.
  @Test
  void zeroDowntimeMeansActiveActive() {
    Advice a = ModeAdvisor.advise(privateVip().need(Need.ZERO_DOWNTIME).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_ACTIVE);
    assertThat(a.reasons()).extracting(Reason::rule)
        .containsExactly(Rule.ZERO_DOWNTIME_ACTIVE_ACTIVE);
    assertThat(a.reasons().get(0).text()).contains("downtime", "Active/Active");
    assertThat(a.warnings()).isEmpty();
  }

  @Test
  void highThroughputMeansActiveActive() {
    Advice a = ModeAdvisor.advise(privateVip().need(Need.HIGH_THROUGHPUT).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_ACTIVE);
    assertThat(a.reasons()).extracting(Reason::rule)
        .containsExactly(Rule.HIGH_THROUGHPUT_ACTIVE_ACTIVE);
    assertThat(a.reasons().get(0).text()).contains("throughput", "Active/Active");
  }

  @Test
  void smallCostFirstMeansActivePassive() {
    Advice a = ModeAdvisor.advise(privateVip().need(Need.SMALL_COST_FIRST).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_PASSIVE);
    assertThat(a.reasons()).extracting(Reason::rule)
        .containsExactly(Rule.SMALL_COST_FIRST_ACTIVE_PASSIVE);
    assertThat(a.reasons().get(0).text()).contains("cost", "Active/Passive");
  }

  @Test
  void briefDowntimeOkMeansActivePassive() {
    Advice a = ModeAdvisor.advise(privateVip().need(Need.BRIEF_DOWNTIME_OK).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_PASSIVE);
    assertThat(a.reasons()).extracting(Reason::rule)
        .containsExactly(Rule.BRIEF_DOWNTIME_OK_ACTIVE_PASSIVE);
    assertThat(a.reasons().get(0).text()).contains("downtime", "Active/Passive");
  }

  @Test
  void nothingStatedDefaultsToActivePassive() {
    Advice a = ModeAdvisor.advise(privateVip().build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_PASSIVE);
    assertThat(a.applianceRecommendation()).isNull();
    assertThat(a.reasons()).extracting(Reason::rule).containsExactly(Rule.DEFAULT_ACTIVE_PASSIVE);
    assertThat(a.reasons().get(0).text()).contains("simpler", "cheaper", "default");
    assertThat(a.warnings()).isEmpty();
  }

  // Rule 4: conflicting needs with no appliance rule: Active/Active, both sides named.
  @Test
  void conflictingNeedsPreferActiveActiveAndNameBothSides() {
    Advice a = ModeAdvisor.advise(privateVip().need(Need.SMALL_COST_FIRST)
        .need(Need.ZERO_DOWNTIME).need(Need.BRIEF_DOWNTIME_OK).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_ACTIVE);
    assertThat(a.reasons()).extracting(Reason::rule).containsExactly(
        Rule.ZERO_DOWNTIME_ACTIVE_ACTIVE, Rule.SMALL_COST_FIRST_ACTIVE_PASSIVE,
        Rule.BRIEF_DOWNTIME_OK_ACTIVE_PASSIVE);
    assertThat(a.warnings()).extracting(Warning::rule).containsExactly(Rule.CONFLICTING_NEEDS);
    assertThat(a.warnings().get(0).text()).contains("'zero downtime'",
        "'small system, cost first'", "'brief downtime acceptable'", "Active/Active wins",
        "demands", "allowances or preferences");
  }

  // Rule 4: appliance before needs.
  @Test
  void paloAltoWinsOverZeroDowntimeWithWarning() {
    Advice a = ModeAdvisor.advise(privateVip().appliance(Appliance.PALO_ALTO)
        .need(Need.ZERO_DOWNTIME).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_PASSIVE);
    assertThat(a.reasons()).extracting(Reason::rule).containsExactly(
        Rule.PALO_ALTO_ACTIVE_PASSIVE, Rule.ZERO_DOWNTIME_ACTIVE_ACTIVE);
    assertThat(a.warnings()).extracting(Warning::rule)
        .containsExactly(Rule.APPLIANCE_OVERRIDES_NEED);
    assertThat(a.warnings().get(0).text()).contains("Palo Alto", "Active/Passive",
        "'zero downtime'", "Active/Active", "keeping the appliance recommendation");
  }

  @Test
  void pfSenseWinsOverSmallCostFirstWithWarning() {
    Advice a = ModeAdvisor.advise(privateVip().appliance(Appliance.PFSENSE)
        .need(Need.SMALL_COST_FIRST).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_ACTIVE);
    assertThat(a.warnings()).extracting(Warning::rule)
        .containsExactly(Rule.APPLIANCE_OVERRIDES_NEED);
    assertThat(a.warnings().get(0).text()).contains("pfSense", "'small system, cost first'");
  }

  @Test
  void applianceAgreeingWithNeedsWarnsNothing() {
    Advice a = ModeAdvisor.advise(privateVip().appliance(Appliance.PFSENSE)
        .need(Need.HIGH_THROUGHPUT).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_ACTIVE);
    assertThat(a.warnings()).isEmpty();
  }

  @Test
  void conflictingNeedsUnderAnApplianceSayTheApplianceDecides() {
    Advice a = ModeAdvisor.advise(privateVip().appliance(Appliance.PALO_ALTO)
        .need(Need.HIGH_THROUGHPUT).need(Need.BRIEF_DOWNTIME_OK).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_PASSIVE);
    assertThat(a.warnings()).extracting(Warning::rule)
        .containsExactly(Rule.APPLIANCE_OVERRIDES_NEED, Rule.CONFLICTING_NEEDS);
    assertThat(a.warnings().get(0).text()).contains("'high throughput'");
    assertThat(a.warnings().get(1).text()).contains("'high throughput'",
        "'brief downtime acceptable'", "Palo Alto recommendation decides");
  }

  @Test
  void conflictingNeedsUnderAPublicVipSayThePublicVipDecides() {
    Advice a = ModeAdvisor.advise(publicVip().need(Need.HIGH_THROUGHPUT)
        .need(Need.SMALL_COST_FIRST).build());
    assertThat(a.mode()).isEqualTo(Mode.ACTIVE_PASSIVE);
    assertThat(a.warnings()).extracting(Warning::rule)
        .containsExactly(Rule.PUBLIC_VIP_OVERRIDES_NEED, Rule.CONFLICTING_NEEDS);
    assertThat(a.warnings().get(1).text()).contains("public VIP decides");
  }

  @Test
  void adviceCarriesTheComparisonAndIsImmutable() {
    Advice a = ModeAdvisor.advise(privateVip().build());
    assertThat(a.comparison()).isEqualTo(Comparison.modes());
    assertThat(a.reasons()).isUnmodifiable();
    assertThat(a.warnings()).isUnmodifiable();
  }
}
