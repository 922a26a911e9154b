package io.vipha.health;

import io.vipha.internal.Addresses;
import io.vipha.internal.Durations;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Probes a {@link HealthCheck.Tcp} target: healthy when a TCP connection is established within the
 * timeout ({@link Socket#connect(java.net.SocketAddress, int)}); the connection is closed at once.
 * Cancelling closes the socket.
 */
public final class TcpProber implements Prober<HealthCheck.Tcp> {
  /** A TCP prober. */
  public TcpProber() {}

  @Override
  public ProbeResult probe(HealthCheck.Tcp target, Duration timeout, Cancellation cancellation) {
    String where = Addresses.text(target.address());
    long start = System.nanoTime();
    Socket socket = new Socket();
    cancellation.onCancel(() -> closeQuietly(socket));
    try (socket) {
      socket.connect(target.address(), timeoutMillis(timeout));
      return ProbeResult.healthy("connected to " + where + " in "
          + (System.nanoTime() - start) / 1_000_000 + "ms");
    } catch (SocketTimeoutException e) {
      return ProbeResult.unhealthy("connect to " + where + " timed out after "
          + Durations.format(timeout));
    } catch (IOException e) {
      return ProbeResult.failed("connect to " + where, e);
    }
  }

  /** A positive number of milliseconds: 0 would mean no timeout at all. */
  static int timeoutMillis(Duration timeout) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do: the probe is being abandoned
    }
  }
}
