package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CapabilitiesTest {
  private static String status(String capEff) {
    return "Name:\tjava\nUid:\t998\t998\t998\t998\nCapEff:\t" + capEff + "\nCapBnd:\t000001ffffffffff\n";
  }

  @Test
  void rootHasEverything() {
    assertThat(Capabilities.missing(status("000001ffffffffff"), true)).isNull();
  }

  @Test
  void netAdminAndNetRawAreEnoughWithoutANamespace() {
    assertThat(Capabilities.missing(status("0000000000003000"), false)).isNull();
    assertThat(Capabilities.missing(status("0000000000003000"), true))
        .startsWith("this process lacks CAP_SYS_ADMIN:");
  }

  @Test
  void anUnprivilegedUserIsToldWhatToGrant() {
    assertThat(Capabilities.missing(status("0000000000000000"), false))
        .startsWith("this process lacks CAP_NET_ADMIN and CAP_NET_RAW: vipha's Linux backend"
            + " needs CAP_NET_ADMIN to change addresses and CAP_NET_RAW to announce them.")
        .contains("AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW", "setcap");
    assertThat(Capabilities.missing(status("0000000000001000"), false))
        .startsWith("this process lacks CAP_NET_RAW:");
  }

  @Test
  void noCapabilityLineMeansNoVerdict() {
    assertThat(Capabilities.missing("Name:\tjava\n", false)).isNull();
  }
}
