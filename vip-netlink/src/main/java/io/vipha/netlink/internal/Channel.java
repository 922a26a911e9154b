package io.vipha.netlink.internal;

import io.vipha.spi.BackendException;
import java.nio.ByteBuffer;

/** A datagram path to the kernel's rtnetlink: the real socket, or a scripted one in tests. */
interface Channel extends AutoCloseable {
  /** Sends bytes {@code [0, length)} of {@code message} (a direct buffer) as one datagram. */
  void send(ByteBuffer message, int length) throws BackendException;

  /**
   * Receives one datagram into {@link #receiveBuffer()} and returns its length; throws a
   * {@link BackendException} of kind TRANSIENT when nothing arrives within the timeout.
   */
  int receive() throws BackendException;

  /** Where {@link #receive()} puts datagrams (native byte order). */
  ByteBuffer receiveBuffer();

  @Override
  void close();
}
