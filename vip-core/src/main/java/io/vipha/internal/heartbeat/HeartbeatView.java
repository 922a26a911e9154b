package io.vipha.internal.heartbeat;

import static io.vipha.internal.heartbeat.HeartbeatCodec.FLAGS_OFFSET;
import static io.vipha.internal.heartbeat.HeartbeatCodec.FLAG_DRAINING;
import static io.vipha.internal.heartbeat.HeartbeatCodec.FLAG_ELIGIBLE;
import static io.vipha.internal.heartbeat.HeartbeatCodec.FLAG_HAS_QUORUM;
import static io.vipha.internal.heartbeat.HeartbeatCodec.FLAG_SUSPENDED;
import static io.vipha.internal.heartbeat.HeartbeatCodec.i32;
import static io.vipha.internal.heartbeat.HeartbeatCodec.i64;
import static io.vipha.internal.heartbeat.HeartbeatCodec.u8;

import java.nio.charset.StandardCharsets;

/**
 * An accepted heartbeat, read in place from the caller's buffer (a flyweight).
 *
 * <p>The decoder owns one view and hands it out for every accepted packet: it is valid until the
 * next {@link HeartbeatDecoder#decode} call and only while the caller leaves the buffer
 * unchanged. Getters allocate nothing except {@link #nodeId()} and {@link #toString()}.
 */
public final class HeartbeatView implements DecodeResult {
  private byte[] buf = new byte[0];
  private int off;
  private int len;
  private int nodeOff;
  private int nodeLen;
  private int bitmapOff;
  private int bitmapLen;
  private int pinCount;
  private int heardLen;
  private int suspensions;
  private int peer;

  HeartbeatView() {}

  void wrap(byte[] buf, int off, int len, int nodeOff, int nodeLen, int bitmapOff, int bitmapLen,
      int pinCount, int heardLen, int suspensions, int peer) {
    this.pinCount = pinCount;
    this.heardLen = heardLen;
    this.suspensions = suspensions;
    this.buf = buf;
    this.off = off;
    this.len = len;
    this.nodeOff = nodeOff;
    this.nodeLen = nodeLen;
    this.bitmapOff = bitmapOff;
    this.bitmapLen = bitmapLen;
    this.peer = peer;
  }

  /** Always true. */
  @Override
  public boolean accepted() {
    return true;
  }

  /** HEARTBEAT or LEAVING. */
  public MessageType type() {
    return u8(buf, off + HeartbeatCodec.TYPE_OFFSET) == HeartbeatCodec.TYPE_LEAVING
        ? MessageType.LEAVING
        : MessageType.HEARTBEAT;
  }

  /** The id of the key that signed the packet. */
  public int keyId() {
    return u8(buf, off + HeartbeatCodec.KEY_ID_OFFSET);
  }

  /** The flag bits, {@link HeartbeatCodec#FLAG_ELIGIBLE} etc. */
  public int flags() {
    return u8(buf, off + FLAGS_OFFSET);
  }

  public boolean eligible() {
    return (flags() & FLAG_ELIGIBLE) != 0;
  }

  public boolean draining() {
    return (flags() & FLAG_DRAINING) != 0;
  }

  public boolean hasQuorum() {
    return (flags() & FLAG_HAS_QUORUM) != 0;
  }

  public boolean suspended() {
    return (flags() & FLAG_SUSPENDED) != 0;
  }

  /** The sender's incarnation, unsigned. */
  public long incarnation() {
    return i64(buf, off + HeartbeatCodec.INCARNATION_OFFSET);
  }

  /** The sequence within the incarnation, unsigned, at least 1. */
  public long sequence() {
    return i64(buf, off + HeartbeatCodec.SEQUENCE_OFFSET);
  }

  /** The sender's effective priority. */
  public int priority() {
    return i32(buf, off + HeartbeatCodec.PRIORITY_OFFSET);
  }

  /** The 64-bit digest of the sender's group configuration. */
  public long configDigest() {
    return i64(buf, off + HeartbeatCodec.CONFIG_DIGEST_OFFSET);
  }

  /** The sender's index in the {@link ReplayGuard}: a stable, allocation-free peer id. */
  public int peerIndex() {
    return peer;
  }

  /** The sender's node id; allocates. Prefer {@link #peerIndex()} or {@link #nodeIdEquals}. */
  public String nodeId() {
    return new String(buf, nodeOff, nodeLen, StandardCharsets.UTF_8);
  }

  /** Whether the sender's node id is {@code id}, compared in place. */
  public boolean nodeIdEquals(String id) {
    return HeartbeatCodec.utf8Equals(buf, nodeOff, nodeLen, id);
  }

  /** Length of the node id in UTF-8 bytes. */
  public int nodeIdLength() {
    return nodeLen;
  }

  /** Where the owned bitmap starts in {@link #buffer()}. */
  public int bitmapOffset() {
    return bitmapOff;
  }

  /** Length of the owned bitmap in bytes; it covers VIP indexes below {@code 8 × length}. */
  public int bitmapLength() {
    return bitmapLen;
  }

  /** Whether the sender owns the VIP with canonical index {@code vipIndex}; false past the map. */
  public boolean owns(int vipIndex) {
    if (vipIndex < 0 || vipIndex >= bitmapLen * 8) {
      return false;
    }
    return (buf[bitmapOff + (vipIndex >>> 3)] & (1 << (vipIndex & 7))) != 0;
  }

  /** Number of VIPs the sender owns (set bits in the bitmap). */
  public int ownedCount() {
    int n = 0;
    int i = bitmapOff;
    int end = bitmapOff + bitmapLen;
    for (; i + 8 <= end; i += 8) {
      n += Long.bitCount(i64(buf, i));
    }
    for (; i < end; i++) {
      n += Integer.bitCount(buf[i] & 0xFF);
    }
    return n;
  }

  /** Length of the heard bitmap in bytes; 0 when the sender does not say whom it hears. */
  public int heardLength() {
    return heardLen;
  }

  /**
   * Whether the sender hears the node with index {@code nodeIndex} (id order); true when the
   * packet has no heard bitmap, false past its end.
   */
  public boolean hears(int nodeIndex) {
    if (heardLen == 0) {
      return true;
    }
    if (nodeIndex < 0 || nodeIndex >= heardLen * 8) {
      return false;
    }
    int o = bitmapOff + bitmapLen + pinCount * HeartbeatCodec.PIN_LENGTH + (nodeIndex >>> 3);
    return (buf[o] & (1 << (nodeIndex & 7))) != 0;
  }

  /** Number of switchover pins in the packet. */
  public int pinCount() {
    return pinCount;
  }

  /** Pin {@code i}'s VIP index, or {@link HeartbeatCodec#PIN_GROUP} for the whole group. */
  public int pinVip(int i) {
    return HeartbeatCodec.u16(buf, pinOff(i));
  }

  /** Pin {@code i}'s target node index, or {@link HeartbeatCodec#PIN_CLEARED}. */
  public int pinTarget(int i) {
    return HeartbeatCodec.u8(buf, pinOff(i) + 2);
  }

  /** Pin {@code i}'s epoch (wall-clock milliseconds of the request). */
  public long pinEpoch(int i) {
    return i64(buf, pinOff(i) + 3);
  }

  private int pinOff(int i) {
    if (i < 0 || i >= pinCount) {
      throw new IndexOutOfBoundsException("pin " + i + " of " + pinCount);
    }
    return bitmapOff + bitmapLen + i * HeartbeatCodec.PIN_LENGTH;
  }

  /** Number of flap suspensions the sender lists. */
  public int suspensionCount() {
    return suspensions;
  }

  /** Suspension {@code i}'s node index (id order; may be past the group's nodes: ignore it). */
  public int suspensionNode(int i) {
    return u8(buf, suspensionOff(i));
  }

  /**
   * How many milliseconds suspension {@code i} still lasts, or {@link
   * HeartbeatCodec#UNTIL_CLEARED} when it lasts until an operator clears the node.
   */
  public long suspensionMillis(int i) {
    return i32(buf, suspensionOff(i) + 1) & 0xFFFF_FFFFL;
  }

  private int suspensionOff(int i) {
    if (i < 0 || i >= suspensions) {
      throw new IndexOutOfBoundsException("suspension " + i + " of " + suspensions);
    }
    return bitmapOff + bitmapLen + pinCount * HeartbeatCodec.PIN_LENGTH + heardLen
        + HeartbeatCodec.SUSPENSION_COUNT_LENGTH + i * HeartbeatCodec.SUSPENSION_LENGTH;
  }

  /** The buffer the packet lies in. */
  public byte[] buffer() {
    return buf;
  }

  /** Offset of the packet in {@link #buffer()}. */
  public int offset() {
    return off;
  }

  /** Length of the whole packet, MAC included. */
  public int length() {
    return len;
  }

  @Override
  public String toString() {
    return type() + "[node=" + nodeId() + ", peer=" + peer + ", incarnation="
        + Long.toUnsignedString(incarnation()) + ", sequence=" + Long.toUnsignedString(sequence())
        + ", priority=" + priority() + ", flags=0x" + Integer.toHexString(flags()) + ", owned="
        + ownedCount() + ", pins=" + pinCount + ", suspensions=" + suspensions + ", configDigest="
        + Long.toHexString(configDigest()) + ", keyId=" + keyId() + "]";
  }
}
