package io.vipha.internal.heartbeat;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Shared fixtures. MACs here come from the JDK's {@code javax.crypto.Mac}, not the codec's. */
final class TestPackets {
  static final String GROUP = "web";
  static final List<String> NODES = List.of("n1", "n2", "n3");
  static final byte[] KEY_A = key(0x11);
  static final byte[] KEY_B = key(0x22);
  static final byte[] KEY_C = key(0x33);

  private TestPackets() {}

  static byte[] key(int seed) {
    byte[] k = new byte[32];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (seed * 31 + i * 7);
    }
    return k;
  }

  /** HMAC-SHA256 of {@code in[off, off+len)} by the JDK. */
  static byte[] jdkMac(byte[] key, byte[] in, int off, int len) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(in, off, len);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** Rewrites the trailing MAC of the packet {@code p[0, len)} with {@code key}. */
  static byte[] resign(byte[] key, byte[] p) {
    byte[] mac = jdkMac(key, p, 0, p.length - HeartbeatCodec.MAC_LENGTH);
    System.arraycopy(mac, 0, p, p.length - HeartbeatCodec.MAC_LENGTH, mac.length);
    return p;
  }

  /** A standard encoder for node {@code node} of {@link #GROUP}, signing with {@link #KEY_A}. */
  static HeartbeatEncoder encoder(String node) {
    return new HeartbeatEncoder(HeartbeatKeys.of(1, KEY_A), GROUP, node)
        .incarnation(1000).sequence(1).priority(100).flags(HeartbeatCodec.FLAG_ELIGIBLE);
  }

  /** A decoder of {@link #GROUP} for {@link #NODES} that accepts {@link #KEY_A} as key 1. */
  static HeartbeatDecoder decoder() {
    return new HeartbeatDecoder(HeartbeatKeys.of(1, KEY_A), ReplayGuard.forNodes(NODES));
  }

  /** The packet {@code enc} writes now, as an exact-length array. */
  static byte[] packet(HeartbeatEncoder enc) {
    byte[] buf = new byte[HeartbeatCodec.MAX_LENGTH];
    int len = enc.encode(buf, 0);
    return Arrays.copyOf(buf, len);
  }
}
