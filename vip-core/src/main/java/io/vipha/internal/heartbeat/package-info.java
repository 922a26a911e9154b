/**
 * The heartbeat wire format: allocation-free encoding and decoding, HMAC-SHA256 authentication
 * with key rotation, and anti-replay. No networking: callers hand in byte arrays.
 *
 * <p>{@link io.vipha.internal.heartbeat.HeartbeatCodec} documents the packet layout. Encoders,
 * decoders and replay guards are single-threaded; their counters may be read from any thread.
 */
@NullMarked
package io.vipha.internal.heartbeat;

import org.jspecify.annotations.NullMarked;
