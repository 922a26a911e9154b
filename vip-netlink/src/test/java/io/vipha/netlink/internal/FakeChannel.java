package io.vipha.netlink.internal;

import io.vipha.spi.BackendException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A scripted {@link Channel}: every datagram sent is answered by {@link Responder}, whose
 * datagrams are then received one by one; when none are left, {@link #receive()} fails as the
 * real socket's timeout does.
 */
final class FakeChannel implements Channel {
  /** The kernel's side. */
  interface Responder {
    /** The datagrams that answer the request datagram {@code request}. */
    List<byte[]> respond(byte[] request);
  }

  private final Responder responder;
  private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
  private final ByteBuffer in = ByteBuffer.allocateDirect(256 * 1024)
      .order(ByteOrder.nativeOrder());
  int sent;

  FakeChannel(Responder responder) {
    this.responder = responder;
  }

  @Override
  public void send(ByteBuffer message, int length) {
    byte[] b = new byte[length];
    message.get(0, b);
    sent++;
    pending.addAll(responder.respond(b));
  }

  @Override
  public int receive() throws BackendException {
    byte[] d = pending.poll();
    if (d == null) {
      throw new BackendException(BackendException.Kind.TRANSIENT, "rtnetlink did not answer in"
          + " time");
    }
    in.clear();
    in.put(d);
    return d.length;
  }

  @Override
  public ByteBuffer receiveBuffer() {
    return in;
  }

  @Override
  public void close() {
    pending.clear();
  }
}
