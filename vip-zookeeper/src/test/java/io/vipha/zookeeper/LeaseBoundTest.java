package io.vipha.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.plan.Eligibility;
import io.vipha.spi.Coordinator.LocalState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Whether a node's session leaves room to bound its kernel leases, and the figure it publishes
 * for how long its VIPs may outlive its session. No server.
 */
class LeaseBoundTest {
  private static final long MS = 1_000_000L;
  private static final VipGroup GROUP = ZkCluster.group(Mode.ACTIVE_PASSIVE, "a", "b");

  @Test
  void theRoomIsTheSessionLessASixthARoundTripTheSlackAndTheOverrun() {
    // 2 s - 333 ms - 100 ms - 100 ms: room for a 1 s lease on a host that is never late
    assertThat(ZooKeeperCoordinator.boundedRoom(2_000 * MS, 100 * MS, 0))
        .isEqualTo(2_000 * MS - 2_000 * MS / 6 - 200 * MS).isGreaterThan(1_000 * MS);
    // ... and none on Linux (1250 ms late): takeovers wait a lease
    assertThat(ZooKeeperCoordinator.boundedRoom(2_000 * MS, 100 * MS, 1_250 * MS))
        .isLessThan(1_000 * MS);
    // 3 s is the shortest whole-second session with room on Linux
    assertThat(ZooKeeperCoordinator.boundedRoom(3_000 * MS, 100 * MS, 1_250 * MS))
        .isEqualTo(1_050 * MS);
    assertThat(ZooKeeperCoordinator.boundedRoom(6_000 * MS, 100 * MS, 1_250 * MS))
        .isEqualTo(3_550 * MS);
  }

  @Test
  void theOutliveFigureTravelsInMillisecondsRoundedUp() {
    LocalState s = new LocalState(100, Eligibility.ELIGIBLE, true, Set.of(), List.of());
    assertThat(decode(MemberData.of(1, s, false, 0).encode()).outliveNanos()).isZero();
    assertThat(decode(MemberData.of(1, s, false, 3_100 * MS + 1).encode()).outliveNanos())
        .isEqualTo(3_101 * MS);
    byte[] older = "{\"incarnation\":1,\"priority\":100,\"eligibility\":\"ELIGIBLE\"}"
        .getBytes(StandardCharsets.UTF_8);
    assertThat(decode(older).outliveNanos()).as("a member that does not say").isEqualTo(-1);
    byte[] odd = "{\"incarnation\":1,\"outliveMs\":\"soon\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(decode(odd).outliveNanos()).isEqualTo(-1);
    byte[] negative = "{\"incarnation\":1,\"outliveMs\":-5}".getBytes(StandardCharsets.UTF_8);
    assertThat(decode(negative).outliveNanos()).isEqualTo(-1);
  }

  private static MemberData decode(byte[] b) {
    return Objects.requireNonNull(MemberData.decode(b, GROUP), "decodes");
  }
}
