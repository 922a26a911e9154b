package io.vipha.internal.heartbeat;

/**
 * Why a heartbeat packet was dropped. The decoder checks in the order declared here and the first
 * failed check names the rejection: the fixed header first, then the key and the MAC, and only
 * then the contents of the variable-length fields and the replay state. (An offset and length
 * that do not lie within the buffer are {@link #BAD_LENGTH} before anything else.)
 *
 * <p>Since the group name is checked after the MAC, a packet of another group arrives as
 * {@link #WRONG_GROUP} only when both groups use the same key; otherwise it is {@link
 * #UNKNOWN_KEY} or {@link #BAD_MAC}.
 */
public enum Rejection implements DecodeResult {
  /** Shorter than the smallest valid packet ({@value HeartbeatCodec#MIN_LENGTH} bytes). */
  TOO_SHORT,
  /** The first two bytes are not {@code "VH"}. */
  BAD_MAGIC,
  /** A version this codec does not speak. */
  BAD_VERSION,
  /** The type byte is neither HEARTBEAT nor LEAVING. */
  BAD_TYPE,
  /** An undefined flag bit is set. */
  BAD_FLAGS,
  /**
   * The declared lengths do not add up to the packet length, a name is empty or longer than 64
   * bytes, the bitmap is longer than 8192 bytes, there are more than 64 pins, or the offset and
   * length passed in do not lie within the buffer.
   */
  BAD_LENGTH,
  /** No key with the packet's keyId is configured. */
  UNKNOWN_KEY,
  /** The HMAC does not match: the packet was forged, corrupted or signed with another key. */
  BAD_MAC,
  /** The group name or node id is not well-formed UTF-8 (checked after the MAC). */
  BAD_UTF8,
  /** The packet belongs to another group that uses the same key (checked after the MAC). */
  WRONG_GROUP,
  /** The sender is not one of the guard's nodes, or the guard is full. */
  UNKNOWN_NODE,
  /** The incarnation is lower than the sender's highest seen: a packet of an earlier run. */
  STALE_INCARNATION,
  /** The sequence was already seen or is older than the replay window, or is 0. */
  REPLAYED;

  /** Always false. */
  @Override
  public boolean accepted() {
    return false;
  }
}
