package io.vipha.vipd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vipha.Mode;
import io.vipha.VipGroup;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.agent.VipAgent;
import io.vipha.testing.InMemoryBackend;
import io.vipha.testing.InMemoryNetwork;
import io.vipha.testing.VirtualScheduler;
import io.vipha.vipd.ControlProtocol.Command;
import io.vipha.vipd.ControlProtocol.Request;
import io.vipha.vipd.ControlProtocol.RequestException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The service when the agent's event loop does not answer: a stalled or wedged loop. */
class ControlServiceTest {
  /** An agent on a virtual loop that this test never runs. */
  private static VipAgent stuckAgent() {
    VirtualScheduler never = new VirtualScheduler();
    VipGroup g = VipGroup.builder().name("web").mode(Mode.ACTIVE_PASSIVE)
        .vip(v -> v.address("192.0.2.10/24").interfaceName("eth0"))
        .node(n -> n.id("n1").heartbeat("198.51.100.1"))
        .node(n -> n.id("n2").heartbeat("198.51.100.2"))
        .build();
    return VipAgent.builder().group(g).nodeId("n1").backend(new InMemoryBackend(never))
        .coordinator(HeartbeatCoordinator.builder().key(1, new byte[32])
            .transport(new InMemoryNetwork(never, 1)::transport).build())
        .scheduler(never).build();
  }

  @Test
  void statusFallsBackToTheLastPublishedStateAndSaysSo() throws Exception {
    ControlService service = new ControlService(stuckAgent(), null);
    long start = System.nanoTime();
    JsonNode s = service.handle(new Request(Command.STATUS, Map.of()));
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(
        ControlService.LOOP_WAIT.toNanos());
    assertThat(s.path("fresh").asBoolean()).isFalse();
    assertThat(s.path("phase").asText()).isEqualTo("NEW");
    assertThat(s.path("peers").get(0).path("liveness").asText()).isEqualTo("NOT_HEARD");
    assertThat(s.path("counters").has("heartbeatsAccepted")).isFalse();
    assertThat(StatusTable.render(s, 10)).contains("(the agent's loop did not answer: this is"
        + " its last published state)");
  }

  @Test
  void announceTimesOutWithAnErrorThatSaysWhy() {
    ControlService service = new ControlService(stuckAgent(), null);
    assertThatThrownBy(() -> service.handle(new Request(Command.ANNOUNCE, Map.of())))
        .isInstanceOfSatisfying(RequestException.class, e -> {
          assertThat(e.error).isEqualTo(ControlProtocol.Error.TIMEOUT);
          assertThat(e.getMessage()).isEqualTo("the agent's event loop did not answer within"
              + " 2s");
        });
  }
}
