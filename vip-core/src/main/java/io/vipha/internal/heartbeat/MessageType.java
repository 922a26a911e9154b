package io.vipha.internal.heartbeat;

/** The type byte of a heartbeat packet. */
public enum MessageType {
  /** The periodic state announcement. */
  HEARTBEAT(HeartbeatCodec.TYPE_HEARTBEAT),
  /** Sent on graceful stop: the sender is leaving and releases what it owns. */
  LEAVING(HeartbeatCodec.TYPE_LEAVING);

  private final int code;

  MessageType(int code) {
    this.code = code;
  }

  /** The value of the type byte. */
  public int code() {
    return code;
  }
}
