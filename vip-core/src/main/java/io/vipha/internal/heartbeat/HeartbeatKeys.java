package io.vipha.internal.heartbeat;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The HMAC keys of a group: the current key, which signs outgoing packets, and optionally a
 * second accepted key for rotation. Packets signed with either are accepted.
 *
 * <p>Rotation without a moment where two nodes reject each other takes three rollouts, each
 * finished on every node before the next starts:
 *
 * <ol>
 *   <li>{@code of(old, new)}: still sign with the old key, also accept the new one;
 *   <li>{@code of(new, old)}: sign with the new key, still accept the old one;
 *   <li>{@code of(new)}: the old key is gone.
 * </ol>
 *
 * <p>The key bytes are copied in and never handed out; {@link #toString()} shows only the ids.
 */
public final class HeartbeatKeys {
  /** HMAC-SHA256 keys shorter than the hash give away strength (RFC 2104 section 3). */
  public static final int MIN_KEY_LENGTH = 32;

  private final int currentId;
  private final byte[] current;
  private final int previousId;
  private final byte @Nullable [] previous;

  private HeartbeatKeys(int currentId, byte[] current, int previousId, byte @Nullable [] previous) {
    this.currentId = currentId;
    this.current = current;
    this.previousId = previousId;
    this.previous = previous;
  }

  /**
   * A single key.
   *
   * @throws IllegalArgumentException when the id is not 0..255 or the key is shorter than
   *     {@value #MIN_KEY_LENGTH} bytes
   */
  public static HeartbeatKeys of(int id, byte[] key) {
    return new HeartbeatKeys(checkId("key", id), checkKey("key", id, key), -1, null);
  }

  /**
   * The current key, which signs, and a second key that is still (or already) accepted.
   *
   * @throws IllegalArgumentException when an id is not 0..255, a key is shorter than
   *     {@value #MIN_KEY_LENGTH} bytes, or both keys have the same id
   */
  public static HeartbeatKeys of(int currentId, byte[] currentKey, int previousId,
      byte[] previousKey) {
    checkId("current key", currentId);
    checkId("previous key", previousId);
    if (currentId == previousId) {
      throw new IllegalArgumentException("the previous key has the same id " + currentId
          + " as the current key; give every new key a new id (0..255), since the id in a packet"
          + " is all that tells the receiver which key to check it with");
    }
    return new HeartbeatKeys(currentId, checkKey("current key", currentId, currentKey),
        previousId, checkKey("previous key", previousId, previousKey));
  }

  /** The id that outgoing packets carry. */
  public int currentId() {
    return currentId;
  }

  /** Whether a second key is accepted. */
  public boolean hasPrevious() {
    return previous != null;
  }

  /** The id of the second accepted key, or -1 when there is none. */
  public int previousId() {
    return previousId;
  }

  HmacSha256 currentMac() {
    return new HmacSha256(current);
  }

  @Nullable HmacSha256 previousMac() {
    byte[] p = previous;
    return p == null ? null : new HmacSha256(p);
  }

  /** Ids only; the keys are secret. */
  @Override
  public String toString() {
    return previous == null
        ? "HeartbeatKeys[current=" + currentId + "]"
        : "HeartbeatKeys[current=" + currentId + ", previous=" + previousId + "]";
  }

  private static int checkId(String what, int id) {
    if (id < 0 || id > 255) {
      throw new IllegalArgumentException(what + " id " + id + " is out of range; use 0..255");
    }
    return id;
  }

  private static byte[] checkKey(String what, int id, byte[] key) {
    Objects.requireNonNull(key, what);
    if (key.length < MIN_KEY_LENGTH) {
      throw new IllegalArgumentException(what + " " + id + " is " + key.length
          + " bytes; an HMAC-SHA256 key needs at least " + MIN_KEY_LENGTH
          + " random bytes");
    }
    return key.clone();
  }
}
