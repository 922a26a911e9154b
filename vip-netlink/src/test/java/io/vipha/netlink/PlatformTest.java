package io.vipha.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlatformTest {
  @Test
  void anotherOperatingSystemIsToldClearly() {
    assertThat(NetlinkBackend.unsupported("Mac OS X", "aarch64", 8)).isEqualTo(
        "vipha's netlink backend needs Linux (rtnetlink and AF_PACKET); this is Mac OS X. Use"
            + " another AddressBackend here, e.g. io.vipha.testing.InMemoryBackend for tests");
    assertThat(NetlinkBackend.unsupported("Windows 11", "amd64", 4)).startsWith(
        "vipha's netlink backend needs Linux");
  }

  @Test
  void a32BitJvmIsToldClearly() {
    assertThat(NetlinkBackend.unsupported("Linux", "arm", 4)).isEqualTo(
        "vipha's netlink backend needs a 64-bit JVM; this one is arm with 32-bit longs");
  }

  @Test
  void sixtyFourBitLinuxIsSupported() {
    assertThat(NetlinkBackend.unsupported("Linux", "amd64", 8)).isNull();
  }
}
