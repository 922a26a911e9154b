package io.vipha.mover.aws;

import io.vipha.Exposure;
import io.vipha.Mode;
import io.vipha.Quorum;
import io.vipha.VipGroup;
import io.vipha.VirtualIp;
import io.vipha.sim.SimNode;
import io.vipha.sim.Simulation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Two agents in the simulator, n1 (priority 200, interface A) and n2 (150, interface B), each
 * moving one VIP through its own EC2 mover against one {@link FakeEc2}: a public VIP, an Elastic
 * IP, through {@code aws-eip}, or a private one, a secondary address of the subnet, through
 * {@code aws-secondary-ip}; no quorum, so both sides of a cut keep going.
 */
final class Ec2SimRig {
  static final String ALLOC = "eipalloc-0aaaaaaaaaaaaaaa1";
  static final String PUBLIC_IP = "203.0.113.10";
  static final String PRIVATE_IP = "10.0.1.100";
  static final Map<String, String> ENIS =
      Map.of("n1", FakeEc2Test.ENI_A, "n2", FakeEc2Test.ENI_B);

  final Simulation sim;
  final VirtualIp vip;
  final FakeEc2 fake;
  final Ec2Settings.Kind kind;
  final List<VirtualTimeMover.Call> calls = new ArrayList<>();

  /** {@code fake} must hold interfaces A and B in one subnet; the rig adds the Elastic IP. */
  Ec2SimRig(FakeEc2 fake, Path credentials, long seed, Ec2Mover.Verify verify,
      Consumer<Ec2Mover> onCreate) {
    this(Ec2Settings.Kind.EIP, fake, credentials, seed, verify, onCreate);
  }

  Ec2SimRig(Ec2Settings.Kind kind, FakeEc2 fake, Path credentials, long seed,
      Ec2Mover.Verify verify, Consumer<Ec2Mover> onCreate) {
    this.fake = fake.eip(ALLOC, PUBLIC_IP);
    this.kind = kind;
    boolean eip = kind == Ec2Settings.Kind.EIP;
    VipGroup g = VipGroup.builder().name("edge").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address(eip ? PUBLIC_IP + "/32" : PRIVATE_IP + "/24").interfaceName("eth0")
            .exposure(eip ? Exposure.PUBLIC : Exposure.PRIVATE))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .policy(p -> p.preempt(false).holdDown(Duration.ZERO)
            .heartbeatInterval(Duration.ofMillis(100)).deadAfter(3).quorum(Quorum.none()))
        .build();
    this.vip = g.vips().get(0);
    AtomicReference<Simulation> ref = new AtomicReference<>();
    this.sim = Simulation.builder().group(g).seed(seed).customize((id, b) -> {
      Ec2Mover real = eip ? Ec2Fixture.eip(id, Ec2Fixture.settings(fake, credentials,
          "allocationId", ALLOC, "networkInterfaceId", eni(id)), verify)
          : Ec2Fixture.secondary(id, Ec2Fixture.settings(fake, credentials,
              "networkInterfaceId", eni(id)), verify);
      onCreate.accept(real);
      b.mover(vip, new VirtualTimeMover(id, real,
          () -> Objects.requireNonNull(ref.get()).scheduler(), calls), Duration.ofSeconds(10));
    }).build();
    ref.set(sim);
  }

  static String eni(String node) {
    return Objects.requireNonNull(ENIS.get(node), node);
  }

  List<String> holders() {
    return sim.holders(vip).stream().map(SimNode::id).sorted().collect(Collectors.toList());
  }

  /** The interface the address points at now, as the fake holds it ("null": none). */
  String pointedAt() {
    if (kind == Ec2Settings.Kind.EIP) {
      return String.valueOf(fake.eipState(ALLOC).eni);
    }
    for (String eni : ENIS.values()) {
      if (fake.eniState(eni).secondary.contains(PRIVATE_IP)) {
        return eni;
      }
    }
    return "null";
  }

  /** The stored epoch: the allocation's tag, or the highest interface tag of the address. */
  long epoch() {
    if (kind == Ec2Settings.Kind.EIP) {
      return Long.parseLong(String.valueOf(fake.eipState(ALLOC).tags.get("vipha:epoch")));
    }
    long max = 0;
    for (String eni : ENIS.values()) {
      String tag = fake.eniState(eni).tags.get(SecondaryIpMover.epochKey(PRIVATE_IP));
      max = Math.max(max, tag == null ? 0 : Long.parseLong(tag));
    }
    return max;
  }

  List<VirtualTimeMover.Call> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }
}
