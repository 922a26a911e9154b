package io.vipha.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.spi.Scheduler.Timer;
import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * The real event loop and UDP transport make no garbage in a steady exchange: three loops on
 * loopback, each sending a datagram to both others from a re-armed timer, and each receiving
 * from two senders in turn. After a warm-up, the allocation counter of every loop thread and
 * receive thread stays where it was for a whole second. (Nothing here creates objects per
 * datagram or per timer, compiled or not; while the JIT is still at work the JDK's send path
 * may allocate a few bytes now and then, hence a few seconds' grace.)
 */
class LoopbackAllocationTest {
  private static final int NODES = 3;
  private static final long PERIOD = TimeUnit.MILLISECONDS.toNanos(2);

  @Test
  void loopsAndReceiveThreadsAllocateNothingInASteadyExchange() throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    InetSocketAddress[] addr = new InetSocketAddress[NODES];
    for (int i = 0; i < NODES; i++) {
      try (DatagramSocket s = new DatagramSocket(0, lo)) {
        addr[i] = new InetSocketAddress(lo, s.getLocalPort());
      }
    }
    AtomicLongArray received = new AtomicLongArray(NODES);
    AtomicLongArray strangers = new AtomicLongArray(NODES);
    List<EventLoopScheduler> loops = new ArrayList<>();
    List<UdpTransport> transports = new ArrayList<>();
    try {
      for (int i = 0; i < NODES; i++) {
        int self = i;
        EventLoopScheduler loop = new EventLoopScheduler("alloc-loop-" + i);
        loops.add(loop);
        UdpTransport tr = new UdpTransport(addr[i]);
        transports.add(tr);
        tr.open(loop, (from, data, off, len) -> {
          if (len == 100 && from.getPort() != addr[self].getPort()) {
            received.incrementAndGet(self);
          } else {
            strangers.incrementAndGet(self);
          }
        });
        byte[] payload = new byte[100];
        Timer[] tick = new Timer[1];
        tick[0] = loop.timer(() -> {
          for (int j = 0; j < NODES; j++) {
            if (j != self) {
              tr.send(addr[j], payload, 0, payload.length);
            }
          }
          tick[0].arm(PERIOD);
        });
        loop.execute(() -> tick[0].arm(0));
      }
      Thread.sleep(2_000);
      List<Thread> threads = new ArrayList<>();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        for (int i = 0; i < NODES; i++) {
          if (t.getName().equals("alloc-loop-" + i)
              || t.getName().equals("vipha-udp-" + addr[i])) {
            threads.add(t);
          }
        }
      }
      assertThat(threads).hasSize(2 * NODES);
      long[] ids = threads.stream().mapToLong(Thread::getId).toArray();
      com.sun.management.ThreadMXBean mx =
          (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      List<String> allocated = new ArrayList<>();
      for (int window = 0; window < 20; window++) {
        long[] before = mx.getThreadAllocatedBytes(ids);
        long[] receivedBefore = new long[NODES];
        for (int i = 0; i < NODES; i++) {
          receivedBefore[i] = received.get(i);
        }
        Thread.sleep(1_000);
        long[] after = mx.getThreadAllocatedBytes(ids);
        allocated.clear();
        boolean none = true;
        for (int k = 0; k < ids.length; k++) {
          allocated.add(threads.get(k).getName() + ": " + (after[k] - before[k]) + " B");
          none &= after[k] == before[k];
        }
        for (int i = 0; i < NODES; i++) {
          assertThat(received.get(i) - receivedBefore[i]).as("datagrams received by %d", i)
              .isGreaterThan(100);
          assertThat(strangers.get(i)).isZero();
        }
        if (none) {
          return;
        }
      }
      assertThat(allocated).as("bytes allocated in the last second")
          .allMatch(a -> a.endsWith(": 0 B"), "nothing allocated");
    } finally {
      for (UdpTransport t : transports) {
        t.close();
      }
      for (EventLoopScheduler l : loops) {
        l.close();
      }
    }
  }
}
