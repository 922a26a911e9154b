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
 * moving one public VIP, an Elastic IP, through its own {@code aws-eip} mover against one
 * {@link FakeEc2}; no quorum, so both sides of a cut keep going.
 */
final class Ec2SimRig {
  static final String ALLOC = "eipalloc-0aaaaaaaaaaaaaaa1";
  static final String PUBLIC_IP = "203.0.113.10";
  static final Map<String, String> ENIS =
      Map.of("n1", FakeEc2Test.ENI_A, "n2", FakeEc2Test.ENI_B);

  final Simulation sim;
  final VirtualIp vip;
  final FakeEc2 fake;
  final List<VirtualTimeMover.Call> calls = new ArrayList<>();

  /** {@code fake} must hold interfaces A and B; the rig adds the Elastic IP. */
  Ec2SimRig(FakeEc2 fake, Path credentials, long seed, Ec2Mover.Verify verify,
      Consumer<Ec2Mover> onCreate) {
    this.fake = fake.eip(ALLOC, PUBLIC_IP);
    VipGroup g = VipGroup.builder().name("edge").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address(PUBLIC_IP + "/32").interfaceName("eth0")
            .exposure(Exposure.PUBLIC))
        .node(n -> n.id("n1").heartbeat("198.51.100.1").priority(200))
        .node(n -> n.id("n2").heartbeat("198.51.100.2").priority(150))
        .policy(p -> p.preempt(false).holdDown(Duration.ZERO)
            .heartbeatInterval(Duration.ofMillis(100)).deadAfter(3).quorum(Quorum.none()))
        .build();
    this.vip = g.vips().get(0);
    AtomicReference<Simulation> ref = new AtomicReference<>();
    this.sim = Simulation.builder().group(g).seed(seed).customize((id, b) -> {
      Ec2Mover real = Ec2Fixture.eip(id, Ec2Fixture.settings(fake, credentials,
          "allocationId", ALLOC, "networkInterfaceId", eni(id)), verify);
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

  /** The interface the Elastic IP points at now, as the fake holds it. */
  String pointedAt() {
    return String.valueOf(fake.eipState(ALLOC).eni);
  }

  long epoch() {
    return Long.parseLong(String.valueOf(fake.eipState(ALLOC).tags.get("vipha:epoch")));
  }

  List<VirtualTimeMover.Call> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }
}
