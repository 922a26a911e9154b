package io.vipha.agent;

import io.vipha.Node;
import io.vipha.VipGroup;
import io.vipha.internal.heartbeat.DecodeResult;
import io.vipha.internal.heartbeat.HeartbeatCodec;
import io.vipha.internal.heartbeat.HeartbeatDecoder;
import io.vipha.internal.heartbeat.HeartbeatEncoder;
import io.vipha.internal.heartbeat.HeartbeatKeys;
import io.vipha.internal.heartbeat.HeartbeatView;
import io.vipha.internal.heartbeat.MessageType;
import io.vipha.internal.heartbeat.ReplayGuard;
import io.vipha.spi.DatagramTransport;
import io.vipha.testing.NodeLoop;
import io.vipha.testing.VirtualScheduler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A peer played by a test: the fields of its next heartbeat, encoded with the group's key and
 * handed to {@code out} (straight to a coordinator, or onto the in-memory network).
 */
final class ScriptedPeer {
  final String id;
  private final VipGroup group;
  private final Consumer<byte[]> out;
  long incarnation = 1000;
  long sequence;
  MessageType type = MessageType.HEARTBEAT;
  int flags = HeartbeatCodec.FLAG_ELIGIBLE;
  int priority = 150;
  long digest;
  byte[] owned;
  byte[] heard = {(byte) 0xFF};
  byte[] pins = new byte[HeartbeatCodec.MAX_PINS * HeartbeatCodec.PIN_LENGTH];
  int pinCount;
  byte[] suspensions = new byte[8 * HeartbeatCodec.SUSPENSION_LENGTH];
  int suspensionCount;
  HeartbeatKeys keys = HeartbeatKeys.of(1, TestCluster.KEY);
  /** The heartbeats this peer received (on the in-memory network), oldest first. */
  final List<byte[]> received;
  /** Whether {@link #every} stops sending. */
  boolean silent;

  ScriptedPeer(VipGroup group, String id, Consumer<byte[]> out) {
    this(group, id, out, new ArrayList<>());
  }

  private ScriptedPeer(VipGroup group, String id, Consumer<byte[]> out, List<byte[]> received) {
    this.group = group;
    this.id = id;
    this.out = out;
    this.received = received;
    this.digest = HeartbeatCoordinator.digest(group);
    this.owned = new byte[HeartbeatCodec.bitmapLength(group.vips().size())];
  }

  /**
   * A peer of {@code c} on its in-memory network, at the first heartbeat address of {@code id}:
   * each heartbeat goes to every address of every other node.
   */
  static ScriptedPeer onNetwork(TestCluster c, String id) {
    List<byte[]> received = new ArrayList<>();
    DatagramTransport t = c.network.transport(c.group.node(id).orElseThrow().heartbeat().get(0));
    try {
      t.open(new NodeLoop(c.time), (from, data, off, len) -> received.add(
          Arrays.copyOfRange(data, off, off + len)));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<InetSocketAddress> to = new ArrayList<>();
    for (Node n : c.group.nodes()) {
      if (!n.id().equals(id)) {
        to.addAll(n.heartbeat());
      }
    }
    return new ScriptedPeer(c.group, id, p -> to.forEach(a -> t.send(a, p, 0, p.length)),
        received);
  }

  /** Sends a heartbeat now and then every {@code interval} of {@code time}, while not silent. */
  ScriptedPeer every(VirtualScheduler time, Duration interval) {
    if (!silent) {
      send();
      time.schedule(interval.toNanos(), () -> every(time, interval));
    }
    return this;
  }

  /** Claims to hold exactly the VIPs with these indexes (in the heartbeat's VIP order). */
  ScriptedPeer holds(int... vipIndexes) {
    owned = new byte[owned.length];
    for (int i : vipIndexes) {
      HeartbeatCodec.setOwned(owned, i);
    }
    return this;
  }

  /** Says it hears exactly the nodes with these indexes (in node id order). */
  ScriptedPeer hears(int... nodeIndexes) {
    heard = new byte[(group.nodes().size() + 7) / 8];
    for (int i : nodeIndexes) {
      heard[i >>> 3] |= (byte) (1 << (i & 7));
    }
    return this;
  }

  ScriptedPeer pin(int vipIndex, int targetIndex, long epoch) {
    HeartbeatCodec.setPin(pins, pinCount++, vipIndex, targetIndex, epoch);
    return this;
  }

  ScriptedPeer suspension(int nodeIndex, long millis) {
    HeartbeatCodec.setSuspension(suspensions, suspensionCount++, nodeIndex, millis);
    return this;
  }

  /** The next heartbeat's bytes (its sequence one more than the last). */
  byte[] packet() {
    byte[] buf = new byte[HeartbeatCodec.MAX_LENGTH];
    int len = new HeartbeatEncoder(keys, group.name(), id).type(type).flags(flags)
        .incarnation(incarnation).sequence(++sequence).priority(priority).configDigest(digest)
        .owned(owned, 0, owned.length).pins(pins, pinCount).heard(heard, heard.length)
        .suspensions(suspensions, suspensionCount).encode(buf, 0);
    return Arrays.copyOf(buf, len);
  }

  /** The last heartbeat this peer received from {@code node}, decoded. */
  HeartbeatView lastFrom(String node) {
    List<String> ids = group.nodes().stream().map(Node::id).sorted().toList();
    for (int i = received.size() - 1; i >= 0; i--) {
      byte[] p = received.get(i);
      DecodeResult r = new HeartbeatDecoder(keys, ReplayGuard.forNodes(ids))
          .decode(p, 0, p.length, group.name());
      if (r instanceof HeartbeatView && ((HeartbeatView) r).nodeIdEquals(node)) {
        return (HeartbeatView) r;
      }
    }
    throw new AssertionError("nothing received from " + node);
  }

  /** Sends the next heartbeat. */
  ScriptedPeer send() {
    out.accept(packet());
    return this;
  }
}
