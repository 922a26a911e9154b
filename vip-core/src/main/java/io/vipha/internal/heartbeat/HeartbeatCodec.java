package io.vipha.internal.heartbeat;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Layout and constants of heartbeat packets, version 2. All integers are big-endian.
 *
 * <table>
 *   <caption>Heartbeat packet, version 2</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0</td><td>2</td><td>magic {@code 0x5648} ("VH")</td></tr>
 *   <tr><td>2</td><td>1</td><td>version = 2</td></tr>
 *   <tr><td>3</td><td>1</td><td>type: 1 HEARTBEAT, 2 LEAVING (graceful stop notice)</td></tr>
 *   <tr><td>4</td><td>1</td><td>keyId (0..255) of the key that signed the packet</td></tr>
 *   <tr><td>5</td><td>1</td><td>flags: bit0 ELIGIBLE, bit1 DRAINING, bit2 HAS_QUORUM,
 *       bit3 SUSPENDED; other bits must be 0</td></tr>
 *   <tr><td>6</td><td>1</td><td>group name length G (1..64)</td></tr>
 *   <tr><td>7</td><td>1</td><td>node id length N (1..64)</td></tr>
 *   <tr><td>8</td><td>8</td><td>incarnation (unsigned; changes on every restart,
 *       increasing)</td></tr>
 *   <tr><td>16</td><td>8</td><td>sequence (unsigned, per incarnation, starts at 1)</td></tr>
 *   <tr><td>24</td><td>4</td><td>effective priority (signed int)</td></tr>
 *   <tr><td>28</td><td>1</td><td>heard bitmap length H in bytes (0..32)</td></tr>
 *   <tr><td>29</td><td>1</td><td>switchover pin count P (0..64)</td></tr>
 *   <tr><td>30</td><td>2</td><td>owned bitmap length B in bytes (0..8192)</td></tr>
 *   <tr><td>32</td><td>8</td><td>config digest (64-bit hash of the group's configuration)</td></tr>
 *   <tr><td>40</td><td>G</td><td>group name, UTF-8</td></tr>
 *   <tr><td>40+G</td><td>N</td><td>node id, UTF-8</td></tr>
 *   <tr><td>40+G+N</td><td>B</td><td>owned bitmap: bit i (byte i/8, bit i%8, LSB first) is set
 *       when the sender owns the VIP with canonical index i</td></tr>
 *   <tr><td>40+G+N+B</td><td>11×P</td><td>switchover pins, each: u16 VIP canonical index
 *       (0xFFFF: the whole group), u8 target node index in id order (0xFF: request cleared),
 *       u64 epoch (wall-clock milliseconds of the request)</td></tr>
 *   <tr><td>40+G+N+B+11P</td><td>H</td><td>heard bitmap: bit i is set when the sender hears the
 *       node with index i in id order (heartbeats within the detection time); H = 0 means the
 *       sender does not say, and receivers assume it hears them</td></tr>
 *   <tr><td>40+G+N+B+11P+H</td><td>2</td><td>suspension count S (0..256)</td></tr>
 *   <tr><td>42+G+N+B+11P+H</td><td>5×S</td><td>flap suspensions the sender knows of, each: u8
 *       node index in id order, u32 milliseconds it still lasts (0xFFFFFFFF: until an operator
 *       clears it). The sender's own, when it is suspended, and the last one each peer advertised
 *       of itself, echoed while it lasts, so that a restarted process learns its own.</td></tr>
 *   <tr><td>42+G+N+B+11P+H+5S</td><td>32</td><td>HMAC-SHA256 over every byte before it, with
 *       the key named by keyId</td></tr>
 * </table>
 *
 * <p>A packet is therefore {@code 74 + G + N + B + 11P + H + 5S} bytes: at least {@value
 * #MIN_LENGTH}, at most {@value #MAX_LENGTH}. Version 1 had no suspension section.
 */
public final class HeartbeatCodec {
  /** {@code "VH"}. */
  public static final int MAGIC = 0x5648;
  /** The only version this codec reads and writes. */
  public static final int VERSION = 2;

  public static final int TYPE_HEARTBEAT = 1;
  public static final int TYPE_LEAVING = 2;

  /** The node may own VIPs. */
  public static final int FLAG_ELIGIBLE = 1;
  /** The node is handing its VIPs over before maintenance. */
  public static final int FLAG_DRAINING = 1 << 1;
  /** The node sees a quorum of the group. */
  public static final int FLAG_HAS_QUORUM = 1 << 2;
  /** The node is suspended by the flap limit or an operator. */
  public static final int FLAG_SUSPENDED = 1 << 3;
  /** Every defined flag; the other bits must be 0. */
  public static final int FLAGS_MASK = 0x0F;

  public static final int MAX_NAME_LENGTH = 64;
  /** 65,536 VIPs, one bit each. */
  public static final int MAX_BITMAP_LENGTH = 8192;
  public static final int MAC_LENGTH = 32;

  static final int MAGIC_OFFSET = 0;
  static final int VERSION_OFFSET = 2;
  static final int TYPE_OFFSET = 3;
  static final int KEY_ID_OFFSET = 4;
  static final int FLAGS_OFFSET = 5;
  static final int GROUP_LENGTH_OFFSET = 6;
  static final int NODE_LENGTH_OFFSET = 7;
  static final int INCARNATION_OFFSET = 8;
  static final int SEQUENCE_OFFSET = 16;
  static final int PRIORITY_OFFSET = 24;
  static final int HEARD_LENGTH_OFFSET = 28;
  static final int PIN_COUNT_OFFSET = 29;
  /** Longest heard bitmap: 256 nodes. */
  public static final int MAX_HEARD_LENGTH = 32;
  /** Bytes of one switchover pin. */
  public static final int PIN_LENGTH = 11;
  /** Most pins in one packet. */
  public static final int MAX_PINS = 64;
  /** Pin VIP index meaning the whole group. */
  public static final int PIN_GROUP = 0xFFFF;
  /** Pin target meaning the request was cleared. */
  public static final int PIN_CLEARED = 0xFF;
  static final int BITMAP_LENGTH_OFFSET = 30;
  static final int CONFIG_DIGEST_OFFSET = 32;
  /** Size of the fixed header; the group name starts here. */
  public static final int HEADER_LENGTH = 40;
  /** Bytes of the suspension count. */
  public static final int SUSPENSION_COUNT_LENGTH = 2;
  /** Bytes of one suspension entry. */
  public static final int SUSPENSION_LENGTH = 5;
  /** Most suspension entries in one packet: one per node. */
  public static final int MAX_SUSPENSIONS = 256;
  /** Suspension time meaning until an operator clears the node. */
  public static final long UNTIL_CLEARED = 0xFFFF_FFFFL;

  /** Smallest valid packet: one-byte names, no bitmap. */
  public static final int MIN_LENGTH = HEADER_LENGTH + 1 + 1 + SUSPENSION_COUNT_LENGTH
      + MAC_LENGTH;
  /** Largest valid packet: 64-byte names and a full bitmap. */
  public static final int MAX_LENGTH =
      HEADER_LENGTH + 2 * MAX_NAME_LENGTH + MAX_BITMAP_LENGTH + MAX_PINS * PIN_LENGTH
          + MAX_HEARD_LENGTH + SUSPENSION_COUNT_LENGTH + MAX_SUSPENSIONS * SUSPENSION_LENGTH
          + MAC_LENGTH;

  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private HeartbeatCodec() {}

  /** Length of a packet with the given name and bitmap lengths in bytes, and no pins. */
  public static int packetLength(int groupLength, int nodeIdLength, int bitmapLength) {
    return packetLength(groupLength, nodeIdLength, bitmapLength, 0);
  }

  /** Length of a packet with the given name and bitmap lengths in bytes and pin count. */
  public static int packetLength(int groupLength, int nodeIdLength, int bitmapLength, int pins) {
    return packetLength(groupLength, nodeIdLength, bitmapLength, pins, 0);
  }

  /** Length of a packet with the given name, bitmap and heard lengths in bytes and pin count. */
  public static int packetLength(int groupLength, int nodeIdLength, int bitmapLength, int pins,
      int heardLength) {
    return packetLength(groupLength, nodeIdLength, bitmapLength, pins, heardLength, 0);
  }

  /** The same with {@code suspensions} suspension entries. */
  public static int packetLength(int groupLength, int nodeIdLength, int bitmapLength, int pins,
      int heardLength, int suspensions) {
    return suspensionCountOffset(groupLength, nodeIdLength, bitmapLength, pins, heardLength)
        + SUSPENSION_COUNT_LENGTH + suspensions * SUSPENSION_LENGTH + MAC_LENGTH;
  }

  /** Where the suspension count lies in a packet with these lengths, from its start. */
  static int suspensionCountOffset(int groupLength, int nodeIdLength, int bitmapLength, int pins,
      int heardLength) {
    return HEADER_LENGTH + groupLength + nodeIdLength + bitmapLength + pins * PIN_LENGTH
        + heardLength;
  }

  /**
   * Writes suspension entry {@code i} into {@code entries}, laid out as on the wire: node {@code
   * nodeIndex} is suspended for {@code millis} more (at most {@link #UNTIL_CLEARED}, which means
   * until cleared).
   */
  public static void setSuspension(byte[] entries, int i, int nodeIndex, long millis) {
    int o = i * SUSPENSION_LENGTH;
    entries[o] = (byte) nodeIndex;
    INT.set(entries, o + 1, (int) Math.min(Math.max(0, millis), UNTIL_CLEARED));
  }

  /** Writes pin {@code i} into {@code pins}, laid out as on the wire. */
  public static void setPin(byte[] pins, int i, int vipIndex, int targetIndex, long epoch) {
    int o = i * PIN_LENGTH;
    SHORT.set(pins, o, (short) vipIndex);
    pins[o + 2] = (byte) targetIndex;
    LONG.set(pins, o + 3, epoch);
  }

  /** Bytes of bitmap needed for {@code vipCount} VIPs. */
  public static int bitmapLength(int vipCount) {
    return (vipCount + 7) >>> 3;
  }

  /** Sets bit {@code vipIndex} in a bitmap laid out as on the wire. */
  public static void setOwned(byte[] bitmap, int vipIndex) {
    bitmap[vipIndex >>> 3] |= (byte) (1 << (vipIndex & 7));
  }

  /** Clears bit {@code vipIndex} in a bitmap laid out as on the wire. */
  public static void clearOwned(byte[] bitmap, int vipIndex) {
    bitmap[vipIndex >>> 3] &= (byte) ~(1 << (vipIndex & 7));
  }

  /** Whether bit {@code vipIndex} is set in a bitmap laid out as on the wire. */
  public static boolean isOwned(byte[] bitmap, int vipIndex) {
    return (bitmap[vipIndex >>> 3] & (1 << (vipIndex & 7))) != 0;
  }

  static int u8(byte[] b, int i) {
    return b[i] & 0xFF;
  }

  static int u16(byte[] b, int i) {
    return (short) SHORT.get(b, i) & 0xFFFF;
  }

  static int i32(byte[] b, int i) {
    return (int) INT.get(b, i);
  }

  static long i64(byte[] b, int i) {
    return (long) LONG.get(b, i);
  }

  static void put16(byte[] b, int i, int v) {
    SHORT.set(b, i, (short) v);
  }

  static void put32(byte[] b, int i, int v) {
    INT.set(b, i, v);
  }

  static void put64(byte[] b, int i, long v) {
    LONG.set(b, i, v);
  }

  /**
   * Whether {@code b[off, off+len)} is well-formed UTF-8 (Unicode table 3-7: no overlong forms,
   * no surrogates, nothing above U+10FFFF, no truncated sequence). Allocation-free.
   */
  static boolean isWellFormedUtf8(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      int c = b[i] & 0xFF;
      if (c < 0x80) {
        i++;
        continue;
      }
      int need;
      int lo = 0x80;
      int hi = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
      } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0) {
          lo = 0xA0;
        } else if (c == 0xED) {
          hi = 0x9F;
        }
      } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0) {
          lo = 0x90;
        } else if (c == 0xF4) {
          hi = 0x8F;
        }
      } else {
        return false;
      }
      if (end - i - 1 < need) {
        return false;
      }
      int c1 = b[i + 1] & 0xFF;
      if (c1 < lo || c1 > hi) {
        return false;
      }
      for (int k = 2; k <= need; k++) {
        int ck = b[i + k] & 0xFF;
        if (ck < 0x80 || ck > 0xBF) {
          return false;
        }
      }
      i += need + 1;
    }
    return true;
  }

  /**
   * Whether well-formed UTF-8 {@code b[off, off+len)} encodes exactly {@code s}, compared in place
   * without allocating.
   */
  static boolean utf8Equals(byte[] b, int off, int len, String s) {
    int i = off;
    int end = off + len;
    int j = 0;
    int n = s.length();
    while (i < end) {
      int c = b[i] & 0xFF;
      int cp;
      if (c < 0x80) {
        cp = c;
        i++;
      } else if (c < 0xE0) {
        cp = ((c & 0x1F) << 6) | (b[i + 1] & 0x3F);
        i += 2;
      } else if (c < 0xF0) {
        cp = ((c & 0x0F) << 12) | ((b[i + 1] & 0x3F) << 6) | (b[i + 2] & 0x3F);
        i += 3;
      } else {
        cp = ((c & 0x07) << 18) | ((b[i + 1] & 0x3F) << 12) | ((b[i + 2] & 0x3F) << 6)
            | (b[i + 3] & 0x3F);
        i += 4;
      }
      if (cp < 0x10000) {
        if (j >= n || s.charAt(j) != cp) {
          return false;
        }
        j++;
      } else {
        if (j + 1 >= n
            || s.charAt(j) != Character.highSurrogate(cp)
            || s.charAt(j + 1) != Character.lowSurrogate(cp)) {
          return false;
        }
        j += 2;
      }
    }
    return j == n;
  }
}
