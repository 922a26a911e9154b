package io.vipha.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AddressesTextTest {
  private static String text(String literal) {
    return Addresses.text(Objects.requireNonNull(Addresses.parseIp(literal)));
  }

  @Test
  void writesIpv6InRfc5952Form() {
    assertThat(text("192.0.2.10")).isEqualTo("192.0.2.10");
    assertThat(text("2001:db8:0:0:0:0:0:10")).isEqualTo("2001:db8::10");
    assertThat(text("2001:DB8::1")).isEqualTo("2001:db8::1");
    assertThat(text("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1"); // first of equal runs
    assertThat(text("2001:0:0:1:0:0:0:1")).isEqualTo("2001:0:0:1::1"); // longest run
    assertThat(text("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1"); // one zero: kept
    assertThat(text("2001:db8::")).isEqualTo("2001:db8::");
    assertThat(text("::1")).isEqualTo("::1");
    assertThat(text("0:0:0:0:0:0:0:0")).isEqualTo("::");
  }

  @Test
  void textParsesBackToTheSameAddress() throws Exception {
    for (int seed = 0; seed < 2000; seed++) {
      Random r = new Random(seed);
      byte[] b = new byte[16];
      b[0] = 0x20;
      b[1] = 0x01;
      for (int i = 2; i < 16; i++) {
        // Mostly zeros, so that runs of zero groups of every length occur.
        b[i] = r.nextInt(3) == 0 ? (byte) r.nextInt(256) : 0;
      }
      InetAddress a = InetAddress.getByAddress(b);
      String s = Addresses.text(a);
      assertThat(Addresses.parseIp(s)).as("seed %d: %s", seed, s).isEqualTo(a);
      assertThat(s.indexOf("::")).as("seed %d: %s", seed, s).isEqualTo(s.lastIndexOf("::"));
    }
  }
}
