package io.vipha.netlink.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.vipha.spi.BackendException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jspecify.annotations.Nullable;

/** A NETLINK_ROUTE socket: the real {@link Channel}. */
final class NetlinkSocket implements Channel {
  private static final int RECEIVE_BUFFER = 256 * 1024;

  private final int fd;
  private final ByteBuffer in = ByteBuffer.allocateDirect(RECEIVE_BUFFER)
      .order(ByteOrder.nativeOrder());
  private final Pointer inPointer = Native.getDirectBufferPointer(in);
  private static final int PEEK_BYTES = 16;
  /** Where {@link #awaitOrErrno()} peeks (a datagram's first bytes, left queued). */
  private final Memory peek = new Memory(PEEK_BYTES);
  /** The buffer last sent from, and its pointer. */
  private @Nullable ByteBuffer sendBuffer;
  private @Nullable Pointer sendPointer;
  private boolean closed;

  /**
   * Opens a socket in the calling thread's network namespace.
   *
   * @param groups rtnetlink multicast groups to join (0: none)
   * @param kernelBuffer socket receive buffer in bytes (forced past rmem_max when permitted)
   * @param timeoutMillis how long {@link #receive()} waits
   */
  NetlinkSocket(int groups, int kernelBuffer, int timeoutMillis) throws BackendException {
    int s;
    try {
      s = LibC.socket(Nl.AF_NETLINK, Nl.SOCK_RAW | Nl.SOCK_CLOEXEC, Nl.NETLINK_ROUTE);
    } catch (LastErrorException e) {
      throw Errno.error(e.getErrorCode(), "opening a NETLINK_ROUTE socket", "CAP_NET_ADMIN", "");
    }
    this.fd = s;
    try {
      optional(Nl.SOL_NETLINK, Nl.NETLINK_CAP_ACK, 1);
      optional(Nl.SOL_NETLINK, Nl.NETLINK_EXT_ACK, 1);
      if (!optional(Nl.SOL_SOCKET, Nl.SO_RCVBUFFORCE, kernelBuffer)) {
        optional(Nl.SOL_SOCKET, Nl.SO_RCVBUF, kernelBuffer);
      }
      optional(Nl.SOL_SOCKET, Nl.SO_SNDBUF, 1024 * 1024);
      Memory tv = new Memory(16);
      tv.setLong(0, timeoutMillis / 1000);
      tv.setLong(8, (timeoutMillis % 1000) * 1000L);
      LibC.setsockopt(fd, Nl.SOL_SOCKET, Nl.SO_RCVTIMEO, tv, 16);
      Memory sa = new Memory(12);
      sa.clear();
      sa.setShort(0, (short) Nl.AF_NETLINK);
      sa.setInt(8, groups);
      LibC.bind(fd, sa, 12);
    } catch (LastErrorException e) {
      close();
      throw Errno.error(e.getErrorCode(), "setting up a NETLINK_ROUTE socket", "CAP_NET_ADMIN",
          "");
    }
  }

  private boolean optional(int level, int name, int value) {
    Memory v = new Memory(4);
    v.setInt(0, value);
    try {
      LibC.setsockopt(fd, level, name, v, 4);
      return true;
    } catch (LastErrorException e) {
      return false;
    }
  }

  @Override
  public void send(ByteBuffer message, int length) throws BackendException {
    Pointer from = sendPointer;
    if (from == null || message != sendBuffer) { // (the one request buffer's, made once)
      from = Native.getDirectBufferPointer(message);
      sendPointer = from;
      sendBuffer = message;
    }
    try {
      LibC.sendto(fd, from, length, 0, Pointer.NULL, 0);
    } catch (LastErrorException e) {
      throw Errno.error(e.getErrorCode(), "sending to rtnetlink", "CAP_NET_ADMIN", "");
    }
  }

  @Override
  public int receive() throws BackendException {
    try {
      return (int) LibC.recv(fd, inPointer, RECEIVE_BUFFER, 0);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == Errno.EAGAIN) {
        throw new BackendException(BackendException.Kind.TRANSIENT, "rtnetlink did not answer"
            + " in time");
      }
      throw Errno.error(e.getErrorCode(), "receiving from rtnetlink", "CAP_NET_ADMIN", "");
    }
  }

  /** Receives one datagram; its length, or the negated errno when the receive failed. */
  int receiveOrErrno() {
    return orErrno(LibC.Quiet.recv(fd, inPointer, RECEIVE_BUFFER, 0));
  }

  /**
   * Waits (up to the socket's timeout) until a datagram can be received, without taking it; a
   * positive number when one can, or the negated errno (EAGAIN after the timeout).
   */
  int awaitOrErrno() {
    return orErrno(LibC.Quiet.recv(fd, peek, PEEK_BYTES, Nl.MSG_PEEK));
  }

  /** {@link #receiveOrErrno()} without waiting: -EAGAIN when nothing is queued. */
  int receiveNowOrErrno() {
    return orErrno(LibC.Quiet.recv(fd, inPointer, RECEIVE_BUFFER, Nl.MSG_DONTWAIT));
  }

  /** A quiet call's result, or the negated errno when it failed. */
  private static int orErrno(long result) {
    return result < 0 ? -LibC.Quiet.errno() : (int) result;
  }

  @Override
  public ByteBuffer receiveBuffer() {
    return in;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      LibC.closeQuietly(fd);
    }
  }
}
