package io.vipha.internal.heartbeat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Anti-replay state per peer: the highest incarnation seen and, within it, a sliding window of
 * the last {@value #WINDOW} sequence numbers, as in IPsec (RFC 4303 section 3.4.3).
 *
 * <ul>
 *   <li>A higher incarnation (the peer restarted) is accepted and resets the window.
 *   <li>A lower incarnation is {@link Rejection#STALE_INCARNATION}.
 *   <li>In the current incarnation, a sequence above the highest is accepted and slides the
 *       window; one inside the window is accepted once; one already seen, older than the window,
 *       or 0 is {@link Rejection#REPLAYED}.
 * </ul>
 *
 * <p>The number of peers is bounded: either the group's node ids, given up front (any other
 * sender is {@link Rejection#UNKNOWN_NODE}), or a maximum number of peers learned on first sight
 * (senders beyond it are {@link Rejection#UNKNOWN_NODE}). The decoder consults the guard only for
 * packets whose MAC verified, and updates it only for packets it accepts, so a forged packet can
 * neither advance nor fill it.
 *
 * <p>A peer's index is its position in the list given to {@link #forNodes}, or the order of first
 * sight for {@link #bounded}; it never changes. Lookups compare UTF-8 bytes in place and allocate
 * nothing. Not thread-safe: one guard belongs to one decoder.
 */
public final class ReplayGuard {
  /** Sequences remembered behind the highest one. */
  public static final int WINDOW = 64;

  private final boolean learns;
  private final byte[][] ids;
  /** Slots in ascending unsigned byte order of their ids, for binary search. */
  private final int[] sorted;
  private int count;
  private final long[] incarnation;
  /** Highest accepted sequence of the current incarnation; 0 while nothing was accepted. */
  private final long[] top;
  /** Bit k set: sequence {@code top - k} was accepted. */
  private final long[] window;
  /** The next packet of another incarnation, even a lower one, starts afresh. */
  private final boolean[] reopened;

  private ReplayGuard(boolean learns, int capacity) {
    this.learns = learns;
    this.ids = new byte[capacity][];
    this.sorted = new int[capacity];
    this.incarnation = new long[capacity];
    this.top = new long[capacity];
    this.window = new long[capacity];
    this.reopened = new boolean[capacity];
  }

  /**
   * A guard for exactly these node ids; packets from any other node are
   * {@link Rejection#UNKNOWN_NODE}.
   *
   * @throws IllegalArgumentException when an id is empty, longer than 64 UTF-8 bytes or repeated
   */
  public static ReplayGuard forNodes(List<String> nodeIds) {
    ReplayGuard g = new ReplayGuard(false, nodeIds.size());
    for (String id : nodeIds) {
      byte[] b = id.getBytes(StandardCharsets.UTF_8);
      if (b.length == 0 || b.length > HeartbeatCodec.MAX_NAME_LENGTH) {
        throw new IllegalArgumentException("node id \"" + id + "\" is " + b.length
            + " UTF-8 bytes; a heartbeat carries 1.." + HeartbeatCodec.MAX_NAME_LENGTH);
      }
      if (g.find(b, 0, b.length) >= 0) {
        throw new IllegalArgumentException("node id \"" + id + "\" is listed twice");
      }
      g.add(b);
    }
    return g;
  }

  /**
   * A guard that learns up to {@code maxPeers} node ids from authenticated packets; packets from
   * further nodes are {@link Rejection#UNKNOWN_NODE}.
   *
   * @throws IllegalArgumentException when {@code maxPeers} is not positive
   */
  public static ReplayGuard bounded(int maxPeers) {
    if (maxPeers <= 0) {
      throw new IllegalArgumentException("maxPeers is " + maxPeers + "; it must be at least 1");
    }
    return new ReplayGuard(true, maxPeers);
  }

  /**
   * A guard for exactly {@code nodeIds} (as {@link #forNodes}) that keeps this guard's state of
   * every node both know: how a running node takes a changed group without accepting a replayed
   * packet of a peer that stays.
   *
   * @throws IllegalArgumentException as {@link #forNodes}
   */
  public ReplayGuard regrouped(List<String> nodeIds) {
    ReplayGuard g = forNodes(nodeIds);
    for (int i = 0; i < g.count; i++) {
      byte[] id = g.ids[i];
      int old = find(id, 0, id.length);
      if (old >= 0) {
        g.incarnation[i] = incarnation[old];
        g.top[i] = top[old];
        g.window[i] = window[old];
        g.reopened[i] = reopened[old];
      }
    }
    return g;
  }

  /** Number of peers known. */
  public int peerCount() {
    return count;
  }

  /** The id of peer {@code peer} (allocates a String). */
  public String peerId(int peer) {
    return new String(ids(peer), StandardCharsets.UTF_8);
  }

  /** The index of {@code nodeId}, or -1 when the guard does not know it. */
  public int peerIndex(String nodeId) {
    byte[] b = nodeId.getBytes(StandardCharsets.UTF_8);
    return find(b, 0, b.length);
  }

  /** The highest incarnation accepted from {@code peer}; meaningful once a packet was accepted. */
  public long incarnation(int peer) {
    ids(peer);
    return incarnation[peer];
  }

  /** The highest sequence accepted from {@code peer} in its incarnation, or 0 when none. */
  public long highestSequence(int peer) {
    ids(peer);
    return top[peer];
  }

  /**
   * The slot of the node id in {@code b[off, off+len)}: found, or learned when this guard learns
   * and has room; -1 otherwise. Call only for authenticated packets.
   */
  int lookup(byte[] b, int off, int len) {
    int slot = find(b, off, len);
    if (slot >= 0 || !learns || count == ids.length) {
      return slot;
    }
    return add(Arrays.copyOfRange(b, off, off + len));
  }

  /**
   * Checks {@code (incarnation, sequence)} of {@code peer} and records it when accepted.
   *
   * @return null when accepted, else {@link Rejection#STALE_INCARNATION} or {@link
   *     Rejection#REPLAYED}
   */
  @Nullable Rejection check(int peer, long inc, long seq) {
    if (seq == 0) {
      return Rejection.REPLAYED;
    }
    long t = top[peer];
    if (t == 0 || Long.compareUnsigned(inc, incarnation[peer]) > 0
        || (reopened[peer] && inc != incarnation[peer])) {
      incarnation[peer] = inc;
      top[peer] = seq;
      window[peer] = 1L;
      reopened[peer] = false;
      return null;
    }
    if (inc != incarnation[peer]) {
      return Rejection.STALE_INCARNATION;
    }
    if (Long.compareUnsigned(seq, t) > 0) {
      long shift = seq - t;
      window[peer] = Long.compareUnsigned(shift, WINDOW) >= 0 ? 1L : (window[peer] << shift) | 1L;
      top[peer] = seq;
      reopened[peer] = false;
      return null;
    }
    long behind = t - seq;
    if (Long.compareUnsigned(behind, WINDOW) >= 0) {
      return Rejection.REPLAYED;
    }
    long bit = 1L << behind;
    if ((window[peer] & bit) != 0) {
      return Rejection.REPLAYED;
    }
    window[peer] |= bit;
    return null;
  }

  /**
   * Lets the next packet of {@code peer} from another incarnation, even a lower one, start
   * afresh; packets of its current incarnation are still checked. Called when the peer is
   * declared dead, so that a peer restarted after its wall clock stepped back (and therefore
   * with a lower incarnation) is heard again. The price: while a peer is dead, one replayed
   * packet of an older incarnation could be accepted, making it look alive with old news, no
   * more than an attacker on the path can do by delaying packets.
   */
  public void reopen(int peer) {
    ids(peer);
    reopened[peer] = true;
  }

  private int find(byte[] b, int off, int len) {
    int lo = 0;
    int hi = count - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      byte[] id = ids(sorted[mid]);
      int c = Arrays.compareUnsigned(id, 0, id.length, b, off, off + len);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return sorted[mid];
      }
    }
    return -1;
  }

  private int add(byte[] id) {
    int slot = count;
    ids[slot] = id;
    int pos = count;
    while (pos > 0) {
      byte[] before = ids(sorted[pos - 1]);
      if (Arrays.compareUnsigned(before, id) < 0) {
        break;
      }
      sorted[pos] = sorted[pos - 1];
      pos--;
    }
    sorted[pos] = slot;
    count++;
    return slot;
  }

  private byte[] ids(int peer) {
    if (peer < 0 || peer >= count) {
      throw new IndexOutOfBoundsException("peer " + peer + " of " + count);
    }
    return ids[peer];
  }
}
