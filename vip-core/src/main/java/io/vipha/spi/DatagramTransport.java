package io.vipha.spi;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Sends and receives datagrams for the heartbeat protocol. A real transport uses UDP; a simulated
 * one delivers through a virtual network.
 */
public interface DatagramTransport extends AutoCloseable {
  /** Receives datagrams; called on the agent's event loop. */
  @FunctionalInterface
  interface Receiver {
    /** One datagram; {@code data} is valid only during the call. */
    void receive(InetSocketAddress from, byte[] data, int offset, int length);
  }

  /** Starts receiving; datagrams are handed to {@code receiver} through {@code loop}. */
  void open(Scheduler loop, Receiver receiver) throws IOException;

  /** Sends one datagram; a failure to send is counted, never thrown (datagrams may be lost). */
  void send(InetSocketAddress to, byte[] data, int offset, int length);

  /** Stops receiving and releases the socket. */
  @Override
  void close();
}
