package io.vipha.internal.heartbeat;

import static io.vipha.internal.heartbeat.HeartbeatCodec.put16;
import static io.vipha.internal.heartbeat.HeartbeatCodec.put32;
import static io.vipha.internal.heartbeat.HeartbeatCodec.put64;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Writes signed heartbeat packets of one node of one group into a caller's buffer.
 *
 * <p>The fields are set with the setters and kept until changed, so a sender sets its
 * incarnation once and then only advances the sequence:
 *
 * <pre>{@code
 * HeartbeatEncoder enc = new HeartbeatEncoder(keys, "web", "n1").incarnation(bootMillis);
 * ...
 * int len = enc.sequence(++seq).flags(f).priority(p).configDigest(d)
 *     .owned(bitmap, 0, bitmapLength).encode(packet, 0);
 * }</pre>
 *
 * <p>{@link #encode} allocates nothing: the names are encoded once in the constructor, the owned
 * bitmap is read from the caller's array, and the MAC is computed by a reused HMAC-SHA256. Not
 * thread-safe.
 */
public final class HeartbeatEncoder {
  private static final byte[] NO_BITMAP = new byte[0];

  private final byte[] group;
  private final byte[] nodeId;
  private HmacSha256 mac;
  private int keyId;

  private int type = HeartbeatCodec.TYPE_HEARTBEAT;
  private int flags;
  private long incarnation;
  private long sequence;
  private int priority;
  private long configDigest;
  private byte[] bitmap = NO_BITMAP;
  private int bitmapOff;
  private int bitmapLen;
  private byte[] pins = NO_BITMAP;
  private int pinCount;
  private byte[] heard = NO_BITMAP;
  private int heardLen;
  private byte[] suspensions = NO_BITMAP;
  private int suspensionCount;

  /**
   * An encoder for {@code nodeId} in {@code group}, signing with the current key of {@code keys}.
   *
   * @throws IllegalArgumentException when a name is empty, longer than 64 UTF-8 bytes, or not
   *     valid Unicode (an unpaired surrogate)
   */
  public HeartbeatEncoder(HeartbeatKeys keys, String group, String nodeId) {
    this.group = name("group name", group);
    this.nodeId = name("node id", nodeId);
    this.mac = keys.currentMac();
    this.keyId = keys.currentId();
  }

  /** Signs from now on with the current key of {@code keys} (allocates; for key rotation). */
  public HeartbeatEncoder keys(HeartbeatKeys keys) {
    this.mac = keys.currentMac();
    this.keyId = keys.currentId();
    return this;
  }

  /** HEARTBEAT (the default) or LEAVING. */
  public HeartbeatEncoder type(MessageType type) {
    this.type = type.code();
    return this;
  }

  /**
   * The flag bits, any of {@link HeartbeatCodec#FLAG_ELIGIBLE}, {@code FLAG_DRAINING}, {@code
   * FLAG_HAS_QUORUM}, {@code FLAG_SUSPENDED}.
   *
   * @throws IllegalArgumentException when another bit is set
   */
  public HeartbeatEncoder flags(int flags) {
    if ((flags & ~HeartbeatCodec.FLAGS_MASK) != 0) {
      throw new IllegalArgumentException("flags 0x" + Integer.toHexString(flags)
          + " set undefined bits; only 0x" + Integer.toHexString(HeartbeatCodec.FLAGS_MASK)
          + " are defined");
    }
    this.flags = flags;
    return this;
  }

  /** The sender's incarnation (unsigned): it must grow on every restart. */
  public HeartbeatEncoder incarnation(long incarnation) {
    this.incarnation = incarnation;
    return this;
  }

  /**
   * The sequence (unsigned) within the incarnation: 1 for the first packet, then increasing.
   *
   * @throws IllegalArgumentException when 0
   */
  public HeartbeatEncoder sequence(long sequence) {
    if (sequence == 0) {
      throw new IllegalArgumentException("sequence 0 is never valid; start at 1");
    }
    this.sequence = sequence;
    return this;
  }

  /** The sender's effective priority. */
  public HeartbeatEncoder priority(int priority) {
    this.priority = priority;
    return this;
  }

  /** The 64-bit digest of the sender's group configuration. */
  public HeartbeatEncoder configDigest(long configDigest) {
    this.configDigest = configDigest;
    return this;
  }

  /**
   * The owned bitmap, laid out as on the wire (see {@link HeartbeatCodec#setOwned}). The array is
   * read, not copied, by each later {@link #encode}.
   *
   * @throws IllegalArgumentException when the range lies outside the array or is longer than 8192
   */
  public HeartbeatEncoder owned(byte[] bitmap, int off, int len) {
    Objects.requireNonNull(bitmap, "bitmap");
    if (len < 0 || len > HeartbeatCodec.MAX_BITMAP_LENGTH) {
      throw new IllegalArgumentException("bitmap length " + len + " is not 0.."
          + HeartbeatCodec.MAX_BITMAP_LENGTH);
    }
    if (off < 0 || off > bitmap.length - len) {
      throw new IllegalArgumentException("bitmap range [" + off + ", " + off + "+" + len
          + ") lies outside an array of " + bitmap.length);
    }
    this.bitmap = bitmap;
    this.bitmapOff = off;
    this.bitmapLen = len;
    return this;
  }

  /**
   * The switchover pins, {@code count} entries laid out as on the wire (see {@link
   * HeartbeatCodec#setPin}). The array is read, not copied, by each later {@link #encode}.
   *
   * @throws IllegalArgumentException when count is above 64 or the array is too short
   */
  public HeartbeatEncoder pins(byte[] entries, int count) {
    Objects.requireNonNull(entries, "entries");
    if (count < 0 || count > HeartbeatCodec.MAX_PINS
        || entries.length < count * HeartbeatCodec.PIN_LENGTH) {
      throw new IllegalArgumentException(count + " pins do not fit 0.." + HeartbeatCodec.MAX_PINS
          + " or an array of " + entries.length + " bytes");
    }
    this.pins = entries;
    this.pinCount = count;
    return this;
  }

  /**
   * The nodes the sender hears, {@code length} bytes (bit i: node index i in id order). The
   * array is read, not copied, by each later {@link #encode}.
   *
   * @throws IllegalArgumentException when length is above 32 or the array is too short
   */
  public HeartbeatEncoder heard(byte[] bits, int length) {
    Objects.requireNonNull(bits, "bits");
    if (length < 0 || length > HeartbeatCodec.MAX_HEARD_LENGTH || bits.length < length) {
      throw new IllegalArgumentException("a heard bitmap of " + length + " bytes does not fit 0.."
          + HeartbeatCodec.MAX_HEARD_LENGTH + " or an array of " + bits.length + " bytes");
    }
    this.heard = bits;
    this.heardLen = length;
    return this;
  }

  /**
   * The flap suspensions the sender lists, {@code count} entries laid out as on the wire (see
   * {@link HeartbeatCodec#setSuspension}). The array is read, not copied, by each later {@link
   * #encode}.
   *
   * @throws IllegalArgumentException when count is above 256 or the array is too short
   */
  public HeartbeatEncoder suspensions(byte[] entries, int count) {
    Objects.requireNonNull(entries, "entries");
    if (count < 0 || count > HeartbeatCodec.MAX_SUSPENSIONS
        || entries.length < count * HeartbeatCodec.SUSPENSION_LENGTH) {
      throw new IllegalArgumentException(count + " suspensions do not fit 0.."
          + HeartbeatCodec.MAX_SUSPENSIONS + " or an array of " + entries.length + " bytes");
    }
    this.suspensions = entries;
    this.suspensionCount = count;
    return this;
  }

  /** The length of the packet {@link #encode} writes with the current fields. */
  public int encodedLength() {
    return HeartbeatCodec.packetLength(group.length, nodeId.length, bitmapLen, pinCount,
        heardLen, suspensionCount);
  }

  /**
   * Writes the packet at {@code buf[off]} and returns its length.
   *
   * @throws IllegalStateException when no sequence was set
   * @throws IllegalArgumentException when the packet does not fit in {@code buf} from {@code off}
   */
  public int encode(byte[] buf, int off) {
    if (sequence == 0) {
      throw new IllegalStateException("set the sequence (1, 2, ...) before encoding");
    }
    int len = encodedLength();
    if (off < 0 || off > buf.length - len) {
      throw new IllegalArgumentException("a " + len + "-byte packet does not fit at offset " + off
          + " of a " + buf.length + "-byte buffer");
    }
    put16(buf, off + HeartbeatCodec.MAGIC_OFFSET, HeartbeatCodec.MAGIC);
    buf[off + HeartbeatCodec.VERSION_OFFSET] = (byte) HeartbeatCodec.VERSION;
    buf[off + HeartbeatCodec.TYPE_OFFSET] = (byte) type;
    buf[off + HeartbeatCodec.KEY_ID_OFFSET] = (byte) keyId;
    buf[off + HeartbeatCodec.FLAGS_OFFSET] = (byte) flags;
    buf[off + HeartbeatCodec.GROUP_LENGTH_OFFSET] = (byte) group.length;
    buf[off + HeartbeatCodec.NODE_LENGTH_OFFSET] = (byte) nodeId.length;
    put64(buf, off + HeartbeatCodec.INCARNATION_OFFSET, incarnation);
    put64(buf, off + HeartbeatCodec.SEQUENCE_OFFSET, sequence);
    put32(buf, off + HeartbeatCodec.PRIORITY_OFFSET, priority);
    buf[off + HeartbeatCodec.HEARD_LENGTH_OFFSET] = (byte) heardLen;
    buf[off + HeartbeatCodec.PIN_COUNT_OFFSET] = (byte) pinCount;
    put16(buf, off + HeartbeatCodec.BITMAP_LENGTH_OFFSET, bitmapLen);
    put64(buf, off + HeartbeatCodec.CONFIG_DIGEST_OFFSET, configDigest);
    int p = off + HeartbeatCodec.HEADER_LENGTH;
    System.arraycopy(group, 0, buf, p, group.length);
    p += group.length;
    System.arraycopy(nodeId, 0, buf, p, nodeId.length);
    p += nodeId.length;
    System.arraycopy(bitmap, bitmapOff, buf, p, bitmapLen);
    p += bitmapLen;
    System.arraycopy(pins, 0, buf, p, pinCount * HeartbeatCodec.PIN_LENGTH);
    p += pinCount * HeartbeatCodec.PIN_LENGTH;
    System.arraycopy(heard, 0, buf, p, heardLen);
    p += heardLen;
    put16(buf, p, suspensionCount);
    p += HeartbeatCodec.SUSPENSION_COUNT_LENGTH;
    System.arraycopy(suspensions, 0, buf, p, suspensionCount * HeartbeatCodec.SUSPENSION_LENGTH);
    p += suspensionCount * HeartbeatCodec.SUSPENSION_LENGTH;
    mac.mac(buf, off, p - off, buf, p);
    return len;
  }

  private static byte[] name(String what, String name) {
    byte[] b = name.getBytes(StandardCharsets.UTF_8);
    if (b.length == 0 || b.length > HeartbeatCodec.MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(what + " \"" + name + "\" is " + b.length
          + " UTF-8 bytes; a heartbeat carries 1.." + HeartbeatCodec.MAX_NAME_LENGTH);
    }
    if (!new String(b, StandardCharsets.UTF_8).equals(name)) {
      throw new IllegalArgumentException(what + " \"" + name
          + "\" holds an unpaired surrogate and has no UTF-8 form");
    }
    return b;
  }
}
