package io.vipha.internal.heartbeat;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HMAC-SHA256 (RFC 2104) over one reused {@link MessageDigest}, allocation-free per message.
 *
 * <p>Why not {@code javax.crypto.Mac}: on JDK 17 and 25 its {@code doFinal(byte[], int)} calls
 * {@code doFinal()}, which returns a fresh array, so every MAC allocates 48 bytes.
 * {@link MessageDigest#digest(byte[], int, int)} writes in place. The output is byte-identical
 * to {@code Mac.getInstance("HmacSHA256")}; the tests check RFC 4231's vectors and random
 * inputs against it. Not thread-safe.
 */
final class HmacSha256 {
  static final int LENGTH = 32;
  private static final int BLOCK = 64;

  private final MessageDigest md;
  private final byte[] innerPad = new byte[BLOCK];
  private final byte[] outerPad = new byte[BLOCK];
  private final byte[] inner = new byte[LENGTH];

  HmacSha256(byte[] key) {
    md = sha256();
    byte[] k = key.length > BLOCK ? md.digest(key) : key;
    for (int i = 0; i < BLOCK; i++) {
      byte b = i < k.length ? k[i] : 0;
      innerPad[i] = (byte) (b ^ 0x36);
      outerPad[i] = (byte) (b ^ 0x5c);
    }
    if (k != key) {
      Arrays.fill(k, (byte) 0);
    }
  }

  /** Writes the MAC of {@code in[off, off+len)} to {@code out[outOff, outOff+32)}. */
  void mac(byte[] in, int off, int len, byte[] out, int outOff) {
    md.reset();
    md.update(innerPad);
    md.update(in, off, len);
    finish(inner, 0);
    md.update(outerPad);
    md.update(inner);
    finish(out, outOff);
  }

  private void finish(byte[] out, int outOff) {
    try {
      md.digest(out, outOff, LENGTH);
    } catch (DigestException e) {
      // Only thrown when fewer than 32 bytes are available, which callers rule out.
      throw new IllegalStateException(e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
