package io.vipha.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Exposure;
import io.vipha.Mode;
import io.vipha.VipGroup;
import org.junit.jupiter.api.Test;

/** {@link ModeAdvisor#check(VipGroup, Requirements)}. */
class GroupCheckTest {

  private static VipGroup group(Mode mode, Exposure exposure) {
    return VipGroup.builder().name("g").mode(mode)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0").exposure(exposure))
        .node(n -> n.id("n1").heartbeat("198.51.100.1"))
        .node(n -> n.id("n2").heartbeat("198.51.100.2"))
        .build();
  }

  private static Requirements.Builder privateVip() {
    return Requirements.builder().exposure(Exposure.PRIVATE);
  }

  @Test
  void fittingGroupHasNoWarnings() {
    assertThat(ModeAdvisor.check(group(Mode.ACTIVE_ACTIVE, Exposure.PRIVATE),
        privateVip().appliance(Appliance.PFSENSE).need(Need.HIGH_THROUGHPUT)
            .need(Need.BRIEF_DOWNTIME_OK).build())).isEmpty();
    assertThat(ModeAdvisor.check(group(Mode.ACTIVE_PASSIVE, Exposure.PUBLIC),
        Requirements.builder().exposure(Exposure.PUBLIC).appliance(Appliance.PALO_ALTO)
            .need(Need.SMALL_COST_FIRST).build())).isEmpty();
  }

  @Test
  void activePassiveGroupForZeroDowntime() {
    var w = ModeAdvisor.check(group(Mode.ACTIVE_PASSIVE, Exposure.PRIVATE),
        privateVip().need(Need.ZERO_DOWNTIME).build());
    assertThat(w).extracting(Warning::rule).containsExactly(Rule.GROUP_ACTIVE_PASSIVE_FOR_NEED);
    assertThat(w.get(0).text()).contains("'g'", "Active/Passive", "'zero downtime'",
        "Active/Active");
  }

  @Test
  void activePassiveGroupForHighThroughput() {
    var w = ModeAdvisor.check(group(Mode.ACTIVE_PASSIVE, Exposure.PRIVATE),
        privateVip().need(Need.HIGH_THROUGHPUT).build());
    assertThat(w).extracting(Warning::rule).containsExactly(Rule.GROUP_ACTIVE_PASSIVE_FOR_NEED);
    assertThat(w.get(0).text()).contains("'high throughput'", "one node carries all");
  }

  @Test
  void activeActiveGroupForSmallCostFirst() {
    var w = ModeAdvisor.check(group(Mode.ACTIVE_ACTIVE, Exposure.PRIVATE),
        privateVip().need(Need.SMALL_COST_FIRST).build());
    assertThat(w).extracting(Warning::rule).containsExactly(Rule.GROUP_ACTIVE_ACTIVE_COST_FIRST);
    assertThat(w.get(0).text()).contains("'g'", "Active/Active", "'small system, cost first'",
        "costs more");
  }

  @Test
  void activeActiveGroupWithBriefDowntimeOkIsFine() {
    assertThat(ModeAdvisor.check(group(Mode.ACTIVE_ACTIVE, Exposure.PRIVATE),
        privateVip().need(Need.BRIEF_DOWNTIME_OK).build())).isEmpty();
  }

  @Test
  void activePassiveGroupOnPfSense() {
    var w = ModeAdvisor.check(group(Mode.ACTIVE_PASSIVE, Exposure.PRIVATE),
        privateVip().appliance(Appliance.PFSENSE).build());
    assertThat(w).extracting(Warning::rule).containsExactly(Rule.GROUP_ACTIVE_PASSIVE_ON_PFSENSE);
    assertThat(w.get(0).text()).contains("Active/Passive", "pfSense", "Active/Active");
  }

  @Test
  void activeActiveGroupOnPaloAlto() {
    var w = ModeAdvisor.check(group(Mode.ACTIVE_ACTIVE, Exposure.PRIVATE),
        privateVip().appliance(Appliance.PALO_ALTO).build());
    assertThat(w).extracting(Warning::rule)
        .containsExactly(Rule.GROUP_ACTIVE_ACTIVE_ON_PALO_ALTO);
    assertThat(w.get(0).text()).contains("Active/Active", "Palo Alto", "Active/Passive");
  }

  @Test
  void publicVipGroupExplainsWhyItStaysActivePassive() {
    var w = ModeAdvisor.check(group(Mode.ACTIVE_PASSIVE, Exposure.PUBLIC),
        Requirements.builder().exposure(Exposure.PUBLIC).appliance(Appliance.PFSENSE)
            .need(Need.ZERO_DOWNTIME).build());
    assertThat(w).extracting(Warning::rule).containsExactly(
        Rule.GROUP_ACTIVE_PASSIVE_ON_PFSENSE, Rule.GROUP_ACTIVE_PASSIVE_FOR_NEED);
    assertThat(w).allSatisfy(x -> assertThat(x.text()).contains("public VIP 192.0.2.10/24"));
  }

  @Test
  void statedPublicVipNotMarkedInActiveActiveGroup() {
    var w = ModeAdvisor.check(group(Mode.ACTIVE_ACTIVE, Exposure.PRIVATE),
        Requirements.builder().exposure(Exposure.PUBLIC).build());
    assertThat(w).extracting(Warning::rule).containsExactly(Rule.GROUP_PUBLIC_VIP_NOT_MARKED);
    assertThat(w.get(0).text()).contains("public", "'g'", "PUBLIC", "ACTIVE_PASSIVE");
  }

  @Test
  void statedPublicVipNotMarkedInActivePassiveGroup() {
    var w = ModeAdvisor.check(group(Mode.ACTIVE_PASSIVE, Exposure.PRIVATE),
        Requirements.builder().exposure(Exposure.PUBLIC).build());
    assertThat(w).extracting(Warning::rule).containsExactly(Rule.GROUP_PUBLIC_VIP_NOT_MARKED);
    assertThat(w.get(0).text()).contains("mark it PUBLIC");
  }
}
