package io.vipha.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads the netlink messages of one received datagram, and the attributes of one message, in
 * place (a flyweight over the receive buffer). Every length is checked against the datagram
 * before it is used; a violation is a {@link MalformedReplyException}, never an index error.
 */
final class MessageReader {
  private final ByteBuffer buf;
  private int limit;
  private int next;
  private int start = -1;
  private int length;
  // attribute cursor
  private int attrNext;
  private int attrEnd;
  private int attrStart;
  private int attrLength;

  /** A reader over {@code buf}, whose byte order must be native. */
  MessageReader(ByteBuffer buf) {
    this.buf = buf;
  }

  /** Starts reading the datagram in bytes {@code [0, limit)}. */
  MessageReader reset(int limit) {
    this.limit = limit;
    this.next = 0;
    this.start = -1;
    return this;
  }

  /** Moves to the next message; false at the end of the datagram. */
  boolean next() throws MalformedReplyException {
    if (next >= limit) {
      return false;
    }
    if (limit - next < Nl.HEADER) {
      throw new MalformedReplyException("a netlink header needs 16 bytes, " + (limit - next)
          + " remain");
    }
    int len = buf.getInt(next);
    if (len < Nl.HEADER || len > limit - next) {
      throw new MalformedReplyException("netlink message length " + len + " at offset " + next
          + " does not fit the " + limit + "-byte datagram");
    }
    start = next;
    length = len;
    next = Math.min(limit, start + Nl.align(len));
    return true;
  }

  int type() {
    return buf.getShort(start + 4) & 0xFFFF;
  }

  int flags() {
    return buf.getShort(start + 6) & 0xFFFF;
  }

  int seq() {
    return buf.getInt(start + 8);
  }

  /** Bytes after the 16-byte header. */
  int payloadLength() {
    return length - Nl.HEADER;
  }

  /** Requires at least {@code n} payload bytes. */
  void requirePayload(int n, String what) throws MalformedReplyException {
    if (payloadLength() < n) {
      throw new MalformedReplyException(what + " needs " + n + " bytes, the message has "
          + payloadLength());
    }
  }

  /** A byte of the payload. */
  int u8(int offset) {
    return buf.get(start + Nl.HEADER + offset) & 0xFF;
  }

  /** A 32-bit value of the payload. */
  int i32(int offset) {
    return buf.getInt(start + Nl.HEADER + offset);
  }

  /** Starts reading the attributes that follow a fixed header of {@code fixed} payload bytes. */
  void attributes(int fixed) throws MalformedReplyException {
    if (fixed < 0) {
      throw new MalformedReplyException("attributes cannot start at offset " + fixed);
    }
    requirePayload(fixed, "the message's fixed header");
    attrNext = start + Nl.HEADER + Nl.align(fixed);
    attrEnd = start + length;
    attrStart = -1;
  }

  /** Moves to the next attribute; false after the last one. */
  boolean nextAttribute() throws MalformedReplyException {
    if (attrNext >= attrEnd) {
      return false;
    }
    if (attrEnd - attrNext < 4) {
      throw new MalformedReplyException("an attribute header needs 4 bytes, " + (attrEnd
          - attrNext) + " remain");
    }
    int len = buf.getShort(attrNext) & 0xFFFF;
    if (len < 4 || len > attrEnd - attrNext) {
      throw new MalformedReplyException("attribute length " + len + " does not fit the "
          + (attrEnd - attrNext) + " bytes left in the message");
    }
    attrStart = attrNext;
    attrLength = len;
    attrNext = Math.min(attrEnd, attrStart + Nl.align(len));
    return true;
  }

  /** The attribute's type, without the nested and byte-order flags. */
  int attrType() {
    return buf.getShort(attrStart + 2) & 0x3FFF;
  }

  int attrLength() {
    return attrLength - 4;
  }

  int attrU8() throws MalformedReplyException {
    requireAttr(1);
    return buf.get(attrStart + 4) & 0xFF;
  }

  int attrU32() throws MalformedReplyException {
    requireAttr(4);
    return buf.getInt(attrStart + 4);
  }

  /** The {@code index}th 32-bit word of the attribute. */
  int attrU32(int index) throws MalformedReplyException {
    requireAttr(4 * (index + 1));
    return buf.getInt(attrStart + 4 + 4 * index);
  }

  /** Where the attribute's value starts in the buffer (for {@link #copy}). */
  int attrOffset() {
    return attrStart + 4;
  }

  /** Copies {@code length} bytes of the buffer from {@code offset} into {@code to}. */
  void copy(int offset, byte[] to, int length) {
    buf.get(offset, to, 0, length);
  }

  byte[] attrBytes() {
    byte[] b = new byte[attrLength()];
    buf.get(attrStart + 4, b);
    return b;
  }

  /** The attribute as a string, up to its first NUL. */
  String attrString() {
    int n = 0;
    while (n < attrLength() && buf.get(attrStart + 4 + n) != 0) {
      n++;
    }
    byte[] b = new byte[n];
    buf.get(attrStart + 4, b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private void requireAttr(int n) throws MalformedReplyException {
    if (attrLength() < n) {
      throw new MalformedReplyException("attribute " + attrType() + " needs " + n
          + " bytes, has " + attrLength());
    }
  }
}
