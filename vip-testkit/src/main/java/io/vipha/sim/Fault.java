package io.vipha.sim;

import io.vipha.Mode;
import io.vipha.VirtualIp;
import io.vipha.agent.VipAgent;
import io.vipha.spi.BackendException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One fault or operator action of a {@link FaultSchedule}, applied at a virtual instant.
 *
 * @param at when, nanoseconds since the simulation started
 * @param kind what
 * @param node the index of the node it hits, in group order
 * @param amount a kind-specific value: pause or clock jump in milliseconds, drift in ppm, the
 *     switchover target's index, the index of the VIP removed by hand
 */
public record Fault(long at, Kind kind, int node, long amount) {
  /** Kinds of faults and actions. */
  public enum Kind {
    /** The host loses power: the process dies and its addresses are gone. */
    POWER_OFF(false),
    /** Power returns; the process starts. */
    POWER_ON(true),
    /** The process dies; the host keeps its addresses until the kernel lease ends. */
    CRASH(false),
    /** A new process starts after a crash or a graceful stop. */
    RESTART(true),
    /** Graceful stop: VIPs move make-before-break. */
    STOP(false),
    /** A stop-the-world pause of {@code amount} milliseconds. */
    PAUSE(false),
    /** The wall clock steps by {@code amount} milliseconds. */
    CLOCK_JUMP(false),
    /** The host's clocks drift by {@code amount} ppm. */
    DRIFT(false),
    /** The host's link goes down. */
    LINK_DOWN(false),
    /** The host's link comes back. */
    LINK_UP(true),
    /** Heartbeats between the node and every other node are cut both ways. */
    PARTITION(false),
    /** Heartbeats from the node to the others are cut; it still hears them. */
    PARTITION_OUT(false),
    /** Heartbeats from the others to the node are cut; they still hear it. */
    PARTITION_IN(false),
    /** Every partition heals. */
    HEAL(true),
    /** Every backend call of the node fails with a permission error. */
    BACKEND_PERMISSION(false),
    /** Every backend call of the node fails with a transient error. */
    BACKEND_TRANSIENT(false),
    /** The node's backend works again. */
    BACKEND_HEAL(true),
    /** The node's health check starts failing. */
    HEALTH_DOWN(false),
    /** The node's health check passes again. */
    HEALTH_UP(true),
    /** Planned switchover (of the group, or in Active/Active of one VIP) to node {@code amount}. */
    SWITCHOVER(false),
    /** The node is drained for maintenance. */
    DRAIN(false),
    /** The node is undrained. */
    UNDRAIN(true),
    /** VIP {@code amount} is removed from the node's host behind the agent's back. */
    REMOVE_BY_HAND(false);

    private final boolean recovery;

    Kind(boolean recovery) {
      this.recovery = recovery;
    }

    /** Whether this kind undoes an earlier fault. */
    public boolean recovery() {
      return recovery;
    }
  }

  /** Checks the fields. */
  public Fault {
    Objects.requireNonNull(kind, "kind");
    if (at < 0 || node < 0) {
      throw new IllegalArgumentException("at and node must not be negative");
    }
  }

  /** Applies this fault to {@code sim} now. */
  public void apply(Simulation sim) {
    List<SimNode> nodes = sim.nodes();
    SimNode n = nodes.get(node % nodes.size());
    switch (kind) {
      case POWER_OFF -> n.powerOff();
      case POWER_ON -> n.powerOn();
      case CRASH -> n.crash();
      case RESTART -> n.restart();
      case STOP -> {
        CompletableFuture<Void> unused = n.stop(); // the stop runs on in virtual time
      }
      case PAUSE -> n.pause(Duration.ofMillis(amount));
      case CLOCK_JUMP -> n.clockJump(Duration.ofMillis(amount));
      case DRIFT -> n.drift(amount);
      case LINK_DOWN -> n.linkDown();
      case LINK_UP -> n.linkUp();
      case PARTITION -> sim.partition(Set.of(n.id()));
      case PARTITION_OUT, PARTITION_IN -> {
        for (SimNode o : nodes) {
          if (o != n) {
            if (kind == Kind.PARTITION_OUT) {
              sim.block(n.id(), o.id());
            } else {
              sim.block(o.id(), n.id());
            }
          }
        }
      }
      case HEAL -> sim.heal();
      case BACKEND_PERMISSION -> n.failBackend(BackendException.Kind.PERMISSION);
      case BACKEND_TRANSIENT -> n.failBackend(BackendException.Kind.TRANSIENT);
      case BACKEND_HEAL -> n.healBackend();
      case HEALTH_DOWN -> n.health(false);
      case HEALTH_UP -> n.health(true);
      case SWITCHOVER -> switchover(sim, n);
      case DRAIN -> agentAction(sim, n, "drain", VipAgent::drain);
      case UNDRAIN -> agentAction(sim, n, "undrain", VipAgent::undrain);
      case REMOVE_BY_HAND -> {
        List<VirtualIp> vips = sim.group().vips();
        n.removeByHand(vips.get((int) (amount % vips.size())));
      }
      default -> throw new IllegalStateException(kind.name());
    }
  }

  private void switchover(Simulation sim, SimNode asked) {
    List<SimNode> nodes = sim.nodes();
    SimNode target = nodes.get((int) (amount % nodes.size()));
    VipAgent a = asked.agent();
    if (sim.group().mode() == Mode.ACTIVE_ACTIVE) {
      List<VirtualIp> vips = sim.group().vips();
      VirtualIp v = vips.get((int) ((amount / nodes.size()) % vips.size()));
      sim.note(asked.id(), "switchover " + v.cidr() + " to " + target.id()
          + (a == null ? " (no process: ignored)" : ""));
      if (a != null) {
        a.switchover(v, target.id());
      }
    } else {
      sim.note(asked.id(), "switchover to " + target.id() + (a == null
          ? " (no process: ignored)" : ""));
      if (a != null) {
        a.switchover(target.id());
      }
    }
  }

  private static void agentAction(Simulation sim, SimNode n, String what,
      java.util.function.Consumer<VipAgent> action) {
    VipAgent a = n.agent();
    sim.note(n.id(), what + (a == null ? " (no process: ignored)" : ""));
    if (a != null) {
      action.accept(a);
    }
  }

  @Override
  public String toString() {
    return Simulation.formatTime(at) + " " + kind + " node#" + node
        + (amount != 0 ? " " + amount : "");
  }
}
