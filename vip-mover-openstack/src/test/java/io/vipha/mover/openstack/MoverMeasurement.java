package io.vipha.mover.openstack;

import static io.vipha.mover.openstack.FakeOpenStack.PORT_A;
import static io.vipha.mover.openstack.FakeOpenStack.PORT_B;
import static io.vipha.mover.openstack.FakeOpenStack.claim;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.spi.MoverResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A measurement, not a test (it asserts no timing): how long a takeover claim takes against the
 * fake Neutron answering each request after a stated latency, and how many requests it sends;
 * the median and range of 7 claims, each one node taking the address from the other, the token
 * already fetched, the movers' default read-back pause (50 ms). Run with {@code mvn -B -pl
 * vip-mover-openstack -am verify -Dtest=MoverMeasurement -Dsurefire.failIfNoSpecifiedTests=false
 * -Dvipha.openstack.measure=true}; {@code -Dvipha.openstack.latencies=0,20,50} (ms) and {@code
 * -Dvipha.openstack.staleReads=0,2} choose the cells.
 */
@EnabledIfSystemProperty(named = "vipha.openstack.measure", matches = "true")
class MoverMeasurement {
  private static final int ROUNDS = 7;

  private static int[] ints(String property, String fallback) {
    return java.util.Arrays.stream(System.getProperty(property, fallback).split(","))
        .mapToInt(Integer::parseInt).toArray();
  }

  @Test
  void claimTimeAndCalls() throws Exception {
    StringBuilder out = new StringBuilder("\nmover          latency  stale reads  median ms  "
        + "min-max ms   Neutron calls per takeover\n");
    for (String kind : new String[] {"floating-ip", "port-address"}) {
      for (int latency : ints("vipha.openstack.latencies", "0,20,50")) {
        for (int stale : ints("vipha.openstack.staleReads", "0,2")) {
          out.append(cell(kind, latency, stale));
        }
      }
    }
    System.out.println(out);
  }

  private static String cell(String kind, int latency, int stale) throws Exception {
    try (FakeOpenStack cloud = new FakeOpenStack()) {
      cloud.readBackPause = Duration.ofMillis(50);
      NeutronMover<?> a = kind.equals("floating-ip") ? cloud.floatingIp("a", PORT_A)
          : cloud.portAddress("a", PORT_A, PORT_B);
      NeutronMover<?> b = kind.equals("floating-ip") ? cloud.floatingIp("b", PORT_B)
          : cloud.portAddress("b", PORT_B, PORT_A);
      claim(a, 1);
      claim(b, 2); // both tokens fetched
      cloud.neutron.latency(Duration.ofMillis(latency)).staleReads(stale);
      List<Double> ms = new ArrayList<>();
      List<Integer> calls = new ArrayList<>();
      for (int i = 0; i < ROUNDS; i++) {
        NeutronMover<?> taker = i % 2 == 0 ? a : b;
        cloud.neutron.clearCalls();
        long start = System.nanoTime();
        MoverResult r = claim(taker, 3 + i);
        ms.add((System.nanoTime() - start) / 1e6);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(MoverResult.Outcome.ACCEPTED);
        calls.add(cloud.neutron.calls().size());
      }
      a.close();
      b.close();
      List<Double> sorted = new ArrayList<>(ms);
      sorted.sort(null);
      return String.format(Locale.ROOT, "%-14s %4d ms  %6d       %7.1f    %5.1f-%-6.1f   %s%n",
          kind, latency, stale, sorted.get(ROUNDS / 2), sorted.get(0), sorted.get(ROUNDS - 1),
          calls);
    }
  }
}
