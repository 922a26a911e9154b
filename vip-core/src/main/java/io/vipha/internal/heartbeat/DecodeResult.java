package io.vipha.internal.heartbeat;

/**
 * What {@link HeartbeatDecoder#decode} returns: the decoder's {@link HeartbeatView} when the
 * packet is accepted, otherwise the {@link Rejection}. Neither is allocated per packet.
 *
 * <pre>{@code
 * DecodeResult r = decoder.decode(buf, 0, len, group);
 * if (r instanceof HeartbeatView hb) {
 *   ... hb.sequence(), hb.owns(i) ...
 * }
 * }</pre>
 */
public sealed interface DecodeResult permits HeartbeatView, Rejection {
  /** True for a {@link HeartbeatView}, false for a {@link Rejection}. */
  boolean accepted();
}
