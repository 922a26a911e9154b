package io.vipha.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes netlink messages into a direct buffer in native byte order, one after another (several
 * messages may go in one datagram). A flyweight: no object per message or attribute.
 */
final class MessageWriter {
  private final ByteBuffer buf;
  private int start = -1;

  MessageWriter(int capacity) {
    this.buf = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
  }

  /** The buffer; bytes {@code [0, size())} are the messages written since {@link #clear()}. */
  ByteBuffer buffer() {
    return buf;
  }

  int size() {
    return buf.position();
  }

  int remaining() {
    return buf.capacity() - buf.position();
  }

  MessageWriter clear() {
    buf.clear();
    start = -1;
    return this;
  }

  /** Starts a message: its header, with the length filled in by {@link #end()}. */
  MessageWriter begin(int type, int flags, int seq) {
    start = buf.position();
    buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
    return this;
  }

  /** {@code struct ifaddrmsg}. */
  MessageWriter ifaddrmsg(int family, int prefixLength, int flags, int scope, int index) {
    buf.put((byte) family).put((byte) prefixLength).put((byte) flags).put((byte) scope)
        .putInt(index);
    return this;
  }

  /** {@code struct ifinfomsg}. */
  MessageWriter ifinfomsg(int family, int index) {
    return ifinfomsg(family, index, 0);
  }

  /** {@code struct ifinfomsg} with {@code IFF_*} flags (as the kernel's replies carry them). */
  MessageWriter ifinfomsg(int family, int index, int flags) {
    buf.put((byte) family).put((byte) 0).putShort((short) 0).putInt(index).putInt(flags)
        .putInt(0);
    return this;
  }

  /** A 32-bit field of a fixed header (such as {@code nlmsgerr.error}). */
  MessageWriter i32(int value) {
    buf.putInt(value);
    return this;
  }

  MessageWriter attr(int type, byte[] value) {
    attrHeader(type, value.length);
    buf.put(value);
    return pad();
  }

  MessageWriter attrU32(int type, int value) {
    attrHeader(type, 4);
    buf.putInt(value);
    return this;
  }

  /** A NUL-terminated string attribute. */
  MessageWriter attrString(int type, String value) {
    if (isAscii(value)) { // (interface names and labels: written as they are, no copy)
      attrHeader(type, value.length() + 1);
      for (int i = 0; i < value.length(); i++) {
        buf.put((byte) value.charAt(i));
      }
      buf.put((byte) 0);
      return pad();
    }
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    attrHeader(type, b.length + 1);
    buf.put(b).put((byte) 0);
    return pad();
  }

  private static boolean isAscii(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** {@code IFA_CACHEINFO}: preferred and valid lifetimes in seconds. */
  MessageWriter cacheInfo(int preferred, int valid) {
    attrHeader(Nl.IFA_CACHEINFO, 16);
    buf.putInt(preferred).putInt(valid).putInt(0).putInt(0);
    return this;
  }

  /** Ends the message started by {@link #begin}: fills in its length and aligns. */
  MessageWriter end() {
    buf.putInt(start, buf.position() - start);
    start = -1;
    return pad();
  }

  private void attrHeader(int type, int length) {
    buf.putShort((short) (4 + length)).putShort((short) type);
  }

  private MessageWriter pad() {
    while ((buf.position() & 3) != 0) {
      buf.put((byte) 0);
    }
    return this;
  }
}
