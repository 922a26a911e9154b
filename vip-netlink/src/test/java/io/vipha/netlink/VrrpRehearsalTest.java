package io.vipha.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.netlink.internal.VrrpEncoder;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The router's take-over rehearsal at start: a shadow router, no socket. */
class VrrpRehearsalTest {
  private static final byte[] SOURCE = {(byte) 192, 0, 2, 11};
  private static final List<byte[]> PEERS =
      List.of(new byte[] {(byte) 198, 51, 100, 1}, new byte[] {(byte) 198, 51, 100, 3});
  private static final long NO_LIMIT = Long.MAX_VALUE / 4;

  private static VrrpEncoder encoder() throws Exception {
    return new VrrpEncoder(51, 10, List.of(InetAddress.getByName("192.0.2.10")), true);
  }

  @Test
  void theShadowBecomesMasterOnceARound() throws Exception {
    assertThat(VrrpCoordinator.rehearse(encoder(), SOURCE, PEERS, 10, 100, 40, NO_LIMIT))
        .isEqualTo(40);
    assertThat(VrrpCoordinator.rehearse(encoder(), SOURCE, PEERS, 1, 1, 3, NO_LIMIT))
        .isEqualTo(3);
  }

  @Test
  void anAddressOwnerIsMasterAtItsStartAndOnceEachLaterRound() throws Exception {
    assertThat(VrrpCoordinator.rehearse(encoder(), SOURCE, PEERS, 10, 255, 5, NO_LIMIT))
        .isEqualTo(5);
  }

  @Test
  void theWallTimeBudgetEndsIt() throws Exception {
    assertThat(VrrpCoordinator.rehearse(encoder(), SOURCE, PEERS, 10, 100, 1_000_000, 0))
        .isZero();
  }
}
