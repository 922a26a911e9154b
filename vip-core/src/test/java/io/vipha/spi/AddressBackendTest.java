package io.vipha.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** {@link AddressBackend#assignAndAnnounce}'s default, for backends that only add and announce. */
class AddressBackendTest {
  private static final VirtualIp VIP = VirtualIp.of("192.0.2.10/24", "eth0");

  /** Records its calls; its assign or announce can be made to fail. */
  private static final class Recording implements AddressBackend {
    final List<String> calls = new ArrayList<>();
    @Nullable BackendException assignFails;
    @Nullable BackendException announceFails;

    @Override
    public void assign(VirtualIp vip, Lease lease) throws BackendException {
      calls.add("assign " + vip.cidr() + " " + lease);
      if (assignFails != null) {
        throw assignFails;
      }
    }

    @Override
    public void assign(VirtualIp vip, Lease lease, long epoch) throws BackendException {
      calls.add("epoch " + epoch);
      AddressBackend.super.assign(vip, lease, epoch);
    }

    @Override
    public void release(VirtualIp vip) {
      calls.add("release");
    }

    @Override
    public void announce(VirtualIp vip) throws BackendException {
      calls.add("announce " + vip.cidr());
      if (announceFails != null) {
        throw announceFails;
      }
    }

    @Override
    public Set<HostAddress> list(Set<String> interfaces) {
      return Set.of();
    }
  }

  @Test
  void itAssignsUnderTheEpochThenAnnounces() throws BackendException {
    Recording b = new Recording();
    Lease lease = Lease.of(Duration.ofSeconds(30));
    assertThat(b.assignAndAnnounce(VIP, lease, 7)).isNull();
    assertThat(b.calls).containsExactly("epoch 7", "assign 192.0.2.10/24 " + lease,
        "announce 192.0.2.10/24");
  }

  @Test
  void aFailedAnnouncementIsReturnedTheAddressBeingAdded() throws BackendException {
    Recording b = new Recording();
    BackendException refused = new BackendException(BackendException.Kind.PERMISSION, "EPERM");
    b.announceFails = refused;
    assertThat(b.assignAndAnnounce(VIP, Lease.forever(), 0)).isSameAs(refused);
    assertThat(b.calls).hasSize(3).last().isEqualTo("announce 192.0.2.10/24");
  }

  @Test
  void aFailedAddIsThrownAndNothingIsAnnounced() {
    Recording b = new Recording();
    b.assignFails = new BackendException(BackendException.Kind.NO_SUCH_INTERFACE, "no eth0");
    assertThatThrownBy(() -> b.assignAndAnnounce(VIP, Lease.forever(), 0))
        .isSameAs(b.assignFails);
    assertThat(b.calls).noneMatch(c -> c.startsWith("announce"));
  }
}
