package io.vipha.internal.heartbeat;

import static io.vipha.internal.heartbeat.HeartbeatCodec.HEADER_LENGTH;
import static io.vipha.internal.heartbeat.HeartbeatCodec.MAC_LENGTH;
import static io.vipha.internal.heartbeat.HeartbeatCodec.MAX_BITMAP_LENGTH;
import static io.vipha.internal.heartbeat.HeartbeatCodec.MAX_NAME_LENGTH;
import static io.vipha.internal.heartbeat.HeartbeatCodec.i64;
import static io.vipha.internal.heartbeat.HeartbeatCodec.u16;
import static io.vipha.internal.heartbeat.HeartbeatCodec.u8;

import io.vipha.internal.DropCounters;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Validates, authenticates and replay-checks heartbeat packets, allocation-free.
 *
 * <p>{@link #decode} returns the decoder's {@link HeartbeatView} for an accepted packet and a
 * {@link Rejection} otherwise; it never throws, whatever the bytes. The checks run in the order
 * of {@link Rejection}'s constants (except that an offset and length that do not lie within the
 * buffer are {@link Rejection#BAD_LENGTH} before anything else):
 *
 * <ol>
 *   <li>the fixed header: length, magic, version, type, flags, then the declared lengths and the
 *       pin count against the packet length, which locates the MAC;
 *   <li>the key named by keyId, then the HMAC, compared in constant time;
 *   <li>only then the contents of the variable-length fields: UTF-8 and the group name;
 *   <li>last the {@link ReplayGuard}, which is updated only when the packet is accepted.
 * </ol>
 *
 * <p>Every rejection is counted per kind and every acceptance in total; the counters may be
 * read from any thread. The decoder itself is single-threaded: one per receiving thread.
 */
public final class HeartbeatDecoder {
  private ReplayGuard guard;
  private final HeartbeatView view = new HeartbeatView();
  private final byte[] computed = new byte[MAC_LENGTH];
  private final byte[] received = new byte[MAC_LENGTH];
  private final DropCounters<Rejection> counters = new DropCounters<>(Rejection.class);

  private int currentId;
  private HmacSha256 current;
  private int previousId;
  private @Nullable HmacSha256 previous;

  private @Nullable String groupRef;
  private byte[] groupBytes = new byte[0];

  /** A decoder accepting packets signed with either key of {@code keys}. */
  public HeartbeatDecoder(HeartbeatKeys keys, ReplayGuard guard) {
    this.guard = guard;
    this.currentId = keys.currentId();
    this.current = keys.currentMac();
    this.previousId = keys.previousId();
    this.previous = keys.previousMac();
  }

  /** Accepts from now on the keys of {@code keys} (allocates; for key rotation). */
  public void keys(HeartbeatKeys keys) {
    this.currentId = keys.currentId();
    this.current = keys.currentMac();
    this.previousId = keys.previousId();
    this.previous = keys.previousMac();
  }

  /** Consults and updates {@code guard} from now on (for a changed group). */
  public void guard(ReplayGuard guard) {
    this.guard = guard;
  }

  /** The replay guard this decoder updates. */
  public ReplayGuard guard() {
    return guard;
  }

  /**
   * Decodes the packet in {@code buf[off, off+len)}, which must belong to {@code expectedGroup}.
   *
   * @return the decoder's view (valid until the next call) or the reason the packet is dropped
   */
  public DecodeResult decode(byte[] buf, int off, int len, String expectedGroup) {
    Rejection r = check(buf, off, len, expectedGroup);
    if (r != null) {
      counters.drop(r);
      return r;
    }
    counters.accept();
    return view;
  }

  /** Packets dropped for {@code reason} since this decoder was built. */
  public long rejected(Rejection reason) {
    return counters.dropped(reason);
  }

  /** Packets dropped for any reason since this decoder was built. */
  public long rejectedTotal() {
    return counters.droppedTotal();
  }

  /** A copy of the rejection counters, indexed by {@link Rejection#ordinal()}. */
  public long[] rejectedCounts() {
    return counters.droppedCounts();
  }

  /** Packets accepted since this decoder was built. */
  public long accepted() {
    return counters.accepted();
  }

  private @Nullable Rejection check(byte[] buf, int off, int len, String expectedGroup) {
    if (off < 0 || len < 0 || off > buf.length - len) {
      return Rejection.BAD_LENGTH;
    }
    if (len < HeartbeatCodec.MIN_LENGTH) {
      return Rejection.TOO_SHORT;
    }
    if (u16(buf, off + HeartbeatCodec.MAGIC_OFFSET) != HeartbeatCodec.MAGIC) {
      return Rejection.BAD_MAGIC;
    }
    if (u8(buf, off + HeartbeatCodec.VERSION_OFFSET) != HeartbeatCodec.VERSION) {
      return Rejection.BAD_VERSION;
    }
    int type = u8(buf, off + HeartbeatCodec.TYPE_OFFSET);
    if (type != HeartbeatCodec.TYPE_HEARTBEAT && type != HeartbeatCodec.TYPE_LEAVING) {
      return Rejection.BAD_TYPE;
    }
    if ((u8(buf, off + HeartbeatCodec.FLAGS_OFFSET) & ~HeartbeatCodec.FLAGS_MASK) != 0) {
      return Rejection.BAD_FLAGS;
    }
    int groupLen = u8(buf, off + HeartbeatCodec.GROUP_LENGTH_OFFSET);
    int nodeLen = u8(buf, off + HeartbeatCodec.NODE_LENGTH_OFFSET);
    int bitmapLen = u16(buf, off + HeartbeatCodec.BITMAP_LENGTH_OFFSET);
    int pins = u8(buf, off + HeartbeatCodec.PIN_COUNT_OFFSET);
    int heardLen = u8(buf, off + HeartbeatCodec.HEARD_LENGTH_OFFSET);
    if (groupLen == 0 || groupLen > MAX_NAME_LENGTH
        || nodeLen == 0 || nodeLen > MAX_NAME_LENGTH
        || bitmapLen > MAX_BITMAP_LENGTH
        || pins > HeartbeatCodec.MAX_PINS
        || heardLen > HeartbeatCodec.MAX_HEARD_LENGTH) {
      return Rejection.BAD_LENGTH;
    }
    int countAt = HeartbeatCodec.suspensionCountOffset(groupLen, nodeLen, bitmapLen, pins,
        heardLen);
    if (countAt + HeartbeatCodec.SUSPENSION_COUNT_LENGTH + MAC_LENGTH > len) {
      return Rejection.BAD_LENGTH;
    }
    int suspensions = u16(buf, off + countAt);
    if (suspensions > HeartbeatCodec.MAX_SUSPENSIONS
        || HeartbeatCodec.packetLength(groupLen, nodeLen, bitmapLen, pins, heardLen,
            suspensions) != len) {
      return Rejection.BAD_LENGTH;
    }
    int keyId = u8(buf, off + HeartbeatCodec.KEY_ID_OFFSET);
    HmacSha256 mac;
    if (keyId == currentId) {
      mac = current;
    } else if (keyId == previousId && previous != null) {
      mac = previous;
    } else {
      return Rejection.UNKNOWN_KEY;
    }
    int signed = len - MAC_LENGTH;
    mac.mac(buf, off, signed, computed, 0);
    System.arraycopy(buf, off + signed, received, 0, MAC_LENGTH);
    if (!MessageDigest.isEqual(computed, received)) {
      return Rejection.BAD_MAC;
    }
    int groupOff = off + HEADER_LENGTH;
    int nodeOff = groupOff + groupLen;
    if (!HeartbeatCodec.isWellFormedUtf8(buf, groupOff, groupLen)
        || !HeartbeatCodec.isWellFormedUtf8(buf, nodeOff, nodeLen)) {
      return Rejection.BAD_UTF8;
    }
    byte[] expected = groupBytes(expectedGroup);
    if (!Arrays.equals(expected, 0, expected.length, buf, groupOff, groupOff + groupLen)) {
      return Rejection.WRONG_GROUP;
    }
    int peer = guard.lookup(buf, nodeOff, nodeLen);
    if (peer < 0) {
      return Rejection.UNKNOWN_NODE;
    }
    Rejection replay = guard.check(peer,
        i64(buf, off + HeartbeatCodec.INCARNATION_OFFSET),
        i64(buf, off + HeartbeatCodec.SEQUENCE_OFFSET));
    if (replay != null) {
      return replay;
    }
    view.wrap(buf, off, len, nodeOff, nodeLen, nodeOff + nodeLen, bitmapLen, pins, heardLen,
        suspensions, peer);
    return null;
  }

  /** The UTF-8 form of the expected group, cached while callers pass the same name. */
  @SuppressWarnings("ReferenceEquality") // identity is the fast path; equals() follows
  private byte[] groupBytes(String expectedGroup) {
    if (expectedGroup != groupRef) {
      if (!expectedGroup.equals(groupRef)) {
        groupBytes = expectedGroup.getBytes(StandardCharsets.UTF_8);
      }
      groupRef = expectedGroup;
    }
    return groupBytes;
  }
}
