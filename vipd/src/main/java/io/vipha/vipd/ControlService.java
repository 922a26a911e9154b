package io.vipha.vipd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vipha.Mode;
import io.vipha.VirtualIp;
import io.vipha.agent.AgentState;
import io.vipha.agent.HeartbeatCoordinator;
import io.vipha.agent.VipAgent;
import io.vipha.internal.Addresses;
import io.vipha.vipd.ControlProtocol.Error;
import io.vipha.vipd.ControlProtocol.Request;
import io.vipha.vipd.ControlProtocol.RequestException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Carries out control requests through the agent's public API, whose calls post to its event
 * loop: nothing here touches the agent's state, and a wait for the loop is bounded.
 */
final class ControlService {
  /** How long a request waits for the agent's event loop. */
  static final Duration LOOP_WAIT = Duration.ofSeconds(2);

  private final VipAgent agent;
  private final @Nullable HeartbeatCoordinator coordinator;
  private final @Nullable Reloader reloader;
  private final @Nullable Scheduling scheduling;

  /** A service for {@code agent}; {@code coordinator} adds heartbeat counters to the status. */
  ControlService(VipAgent agent, @Nullable HeartbeatCoordinator coordinator) {
    this(agent, coordinator, null);
  }

  /** The same; {@code reloader} carries out {@code reload} and adds the status's config. */
  ControlService(VipAgent agent, @Nullable HeartbeatCoordinator coordinator,
      @Nullable Reloader reloader) {
    this(agent, coordinator, reloader, null);
  }

  /** The same; {@code scheduling} adds the status's scheduling of the loop's threads. */
  ControlService(VipAgent agent, @Nullable HeartbeatCoordinator coordinator,
      @Nullable Reloader reloader, @Nullable Scheduling scheduling) {
    this.agent = agent;
    this.coordinator = coordinator;
    this.reloader = reloader;
    this.scheduling = scheduling;
  }

  /** The result of {@code r}; throws the error to reply. */
  JsonNode handle(Request r) throws RequestException {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("group", agent.group().name());
    out.put("node", agent.nodeId());
    switch (r.command()) {
      case STATUS -> {
        AgentState s;
        boolean fresh = true;
        try {
          s = await(agent.freshState());
        } catch (RequestException e) {
          s = agent.state(); // the loop is busy: the last published snapshot
          fresh = false;
        }
        ObjectNode status = StatusJson.of(agent, s, fresh, coordinator);
        if (reloader != null) {
          status.set("config", reloader.status());
        }
        if (scheduling != null) {
          status.set("scheduling", scheduling.json());
        }
        return status;
      }
      case RELOAD -> {
        if (reloader == null) {
          throw new RequestException(Error.FAILED, "this daemon cannot reload");
        }
        try {
          return Reloader.result(reloader.reload());
        } catch (Reloader.Rejected e) {
          throw new RequestException(Error.REJECTED, String.valueOf(e.getMessage()),
              e.outcome.problems());
        }
      }
      case SWITCHOVER -> {
        String target = Objects.requireNonNull(r.arg("target"));
        String vipText = r.arg("vip");
        VirtualIp moved = null;
        try {
          if (vipText == null) {
            if (agent.group().mode() == Mode.ACTIVE_ACTIVE) {
              throw new RequestException(Error.BAD_ARGUMENT, "group "
                  + agent.group().name() + " is Active/Active: name the VIP to move with"
                  + " \"vip\" (vipctl switchover --vip CIDR " + target + ")");
            }
            agent.switchover(target);
          } else {
            if (agent.group().mode() == Mode.ACTIVE_PASSIVE) {
              throw new RequestException(Error.BAD_ARGUMENT, "group "
                  + agent.group().name() + " is Active/Passive: its VIPs move together;"
                  + " leave out \"vip\"");
            }
            moved = vip(vipText);
            agent.switchover(moved, target);
          }
        } catch (IllegalArgumentException e) {
          throw new RequestException(Error.BAD_ARGUMENT, String.valueOf(e.getMessage()));
        }
        out.put("requested", "switchover");
        out.put("target", target);
        if (moved != null) {
          out.put("vip", moved.cidr());
        }
        return out;
      }
      case CLEAR_SWITCHOVER -> agent.clearSwitchover();
      case DRAIN -> agent.drain();
      case UNDRAIN -> agent.undrain();
      case ANNOUNCE -> {
        List<VirtualIp> sent = await(agent.announce());
        out.put("requested", "announce");
        ArrayNode announced = out.putArray("announced");
        sent.forEach(v -> announced.add(v.cidr()));
        return out;
      }
    }
    out.put("requested", r.command().wire);
    return out;
  }

  /**
   * The group's VIP written as {@code text}: its address, with or without the prefix length, in
   * any textual form of the address.
   */
  private VirtualIp vip(String text) throws RequestException {
    int slash = text.indexOf('/');
    InetAddress address = Addresses.parseIp(slash < 0 ? text : text.substring(0, slash));
    if (address == null) {
      throw new RequestException(Error.BAD_ARGUMENT, "\"vip\": " + text + " is not an IP"
          + " address; write e.g. 192.0.2.10/24");
    }
    for (VirtualIp v : agent.group().vips()) {
      if (v.address().equals(address)
          && (slash < 0 || text.substring(slash + 1).equals(String.valueOf(v.prefixLength())))) {
        return v;
      }
    }
    throw new RequestException(Error.BAD_ARGUMENT, text + " is not a VIP of group "
        + agent.group().name() + "; its VIPs are " + String.join(", ", agent.group().vips()
        .stream().map(VirtualIp::cidr).toList()));
  }

  private static <T> T await(CompletableFuture<T> f) throws RequestException {
    try {
      return f.get(LOOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new RequestException(Error.TIMEOUT, "the agent's event loop did not answer within "
          + Vipd.text(LOOP_WAIT));
    } catch (ExecutionException e) {
      throw new RequestException(Error.FAILED, String.valueOf(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RequestException(Error.FAILED, "interrupted");
    }
  }
}
