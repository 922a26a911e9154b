package io.vipha.netlink.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.spi.BackendException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds malformed and truncated rtnetlink replies to every request the backend makes: the
 * kernel's well-formed replies, mutated with a seeded random (bytes flipped, lengths and fields
 * set to edge values, datagrams truncated, duplicated or replaced by noise). Every call must
 * return or throw a {@link BackendException}; nothing else may escape.
 */
class RtnlFuzzTest {
  private static final int ROUNDS = 20_000;

  @Test
  void onlyTypedExceptionsEscapeWhateverTheKernelSends() {
    long seed = Long.getLong("vipha.fuzz.seed", 20261126L);
    Random random = new Random(seed);
    Kernel kernel = new Kernel();
    FakeChannel channel = new FakeChannel(request -> mutate(kernel.respond(request), random));
    Rtnl rtnl = new Rtnl(channel, "");
    Link v0 = new Link(5, "v0", Kernel.MAC, 0, 6);
    VirtualIp v4 = VirtualIp.builder().address("192.0.2.10/24").interfaceName("v0")
        .label("v0:web").build();
    VirtualIp v6 = VirtualIp.of("2001:db8::10/64", "v0");
    List<Rtnl.Change> batch = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      batch.add(new Rtnl.Change(i % 2 == 0 ? v4 : v6, i % 3 != 0));
    }
    int returned = 0;
    int typed = 0;
    for (int i = 0; i < ROUNDS; i++) {
      int op = random.nextInt(7);
      kernel.addressErrno = random.nextInt(10) == 0 ? random.nextInt(130) : 0;
      try {
        switch (op) {
          case 0 -> rtnl.linkOrNull("v0");
          case 1 -> rtnl.links();
          case 2 -> rtnl.addresses();
          case 3 -> rtnl.add(v0, v4, Lease.of(Duration.ofSeconds(10)), false);
          case 4 -> rtnl.add(v0, v6, Lease.forever(), true);
          case 5 -> rtnl.delete(v0, random.nextBoolean() ? v4 : v6);
          default -> rtnl.apply(batch, Map.of("v0", v0), Lease.forever(), false);
        }
        returned++;
      } catch (BackendException e) {
        typed++;
        assertThat(e.getMessage()).isNotBlank();
      } catch (RuntimeException e) {
        throw new AssertionError("round " + i + " (seed " + seed + ", op " + op + ") let "
            + e + " escape", e);
      }
    }
    System.out.println("fuzz seed " + seed + ": " + returned + " returned, " + typed
        + " typed failures");
    assertThat(returned).as("some replies survive mutation").isPositive();
    assertThat(typed).as("some mutations are caught").isGreaterThan(ROUNDS / 10);
  }

  private static List<byte[]> mutate(List<byte[]> datagrams, Random r) {
    List<byte[]> out = new ArrayList<>();
    for (byte[] d : datagrams) {
      byte[] m = d.clone();
      switch (r.nextInt(8)) {
        case 0 -> out.add(m); // untouched
        case 1 -> { // flip bytes
          for (int i = 0, n = 1 + r.nextInt(8); i < n && m.length > 0; i++) {
            m[r.nextInt(m.length)] ^= (byte) (1 + r.nextInt(255));
          }
          out.add(m);
        }
        case 2 -> out.add(java.util.Arrays.copyOf(m, r.nextInt(m.length + 1))); // truncate
        case 3 -> { // a 16-bit field (attribute length, type, flags) set to an edge value
          if (m.length >= 2) {
            int at = r.nextInt(m.length - 1) & ~1;
            int v = new int[] {0, 1, 3, 4, 0xFFFF, 0x8000, 0x7FFF}[r.nextInt(7)];
            m[at] = (byte) v;
            m[at + 1] = (byte) (v >>> 8);
          }
          out.add(m);
        }
        case 4 -> { // a 32-bit field (message length, error, index) set to an edge value
          if (m.length >= 4) {
            int at = r.nextInt(m.length - 3) & ~3;
            int v = new int[] {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 15, 16, 17,
                m.length + 4, -4096, 4096}[r.nextInt(10)];
            java.nio.ByteBuffer.wrap(m).order(java.nio.ByteOrder.nativeOrder()).putInt(at, v);
          }
          out.add(m);
        }
        case 5 -> { // noise
          byte[] noise = new byte[r.nextInt(64)];
          r.nextBytes(noise);
          out.add(noise);
        }
        case 6 -> { // duplicated
          out.add(m);
          out.add(m.clone());
        }
        default -> { } // lost
      }
    }
    return out;
  }
}
