package io.vipha.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vipha.agent.EventLoopScheduler;
import io.vipha.agent.UdpTransport;
import io.vipha.testkit.Privileged;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Threads raised to real-time scheduling, read back from {@code /proc/thread-self/stat} (field
 * 41 the policy, 40 the real-time priority). Needs CAP_SYS_NICE (root); skipped loudly without
 * it, failed when {@value Privileged#REQUIRE_ENV}=1. The refusal without the capability is in
 * {@link ChildProcessTest}.
 */
class RealtimeTest {
  private static final int SCHED_OTHER = 0;
  private static final int SCHED_FIFO = 1;
  private static final int SCHED_RR = 2;
  private static final int CAP_SYS_NICE = 23;

  @BeforeEach
  void needsCapSysNice() {
    Privileged.gate(hasCapability(CAP_SYS_NICE) ? null : "CAP_SYS_NICE (run the tests as root)"
        + " to raise threads to real-time scheduling", Privileged.required(System.getenv()));
  }

  @Test
  void aThreadOfTheFactoryRunsItsTaskAtTheRealTimePolicyAndPriority() throws Exception {
    ThreadFactory rr = Realtime.threadFactory(Realtime.Policy.RR, 7);
    assertThat(onThreadOf(rr)).containsExactly(SCHED_RR, 7);
    ThreadFactory fifo = Realtime.threadFactory(Realtime.Policy.FIFO, 3);
    assertThat(onThreadOf(fifo)).containsExactly(SCHED_FIFO, 3);
    assertThat(onThreadOf(Thread::new)).containsExactly(SCHED_OTHER, 0);
  }

  @Test
  void threadsAndProcessesARaisedThreadStartsAreScheduledNormally() throws Exception {
    CompletableFuture<int[]> child = new CompletableFuture<>();
    CompletableFuture<String> process = new CompletableFuture<>();
    Thread t = Realtime.threadFactory(Realtime.Policy.RR, 5).newThread(() -> {
      Thread inner = new Thread(() -> child.complete(schedulingOfThisThread()));
      inner.start();
      try {
        Process p = new ProcessBuilder("cat", "/proc/self/stat").start();
        process.complete(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException | RuntimeException e) {
        process.completeExceptionally(e);
      }
    });
    t.start();
    assertThat(child.get(10, TimeUnit.SECONDS)).as("a thread it starts")
        .containsExactly(SCHED_OTHER, 0);
    assertThat(scheduling(process.get(10, TimeUnit.SECONDS))).as("a process it starts")
        .containsExactly(SCHED_OTHER, 0);
  }

  @Test
  void theEventLoopAndTheUdpReceiverRunOnThreadsOfTheFactory() throws Exception {
    ThreadFactory rr = Realtime.threadFactory(Realtime.Policy.RR, 9);
    EventLoopScheduler loop = new EventLoopScheduler("rt-test-loop", rr);
    try {
      CompletableFuture<String> name = new CompletableFuture<>();
      CompletableFuture<int[]> onLoop = new CompletableFuture<>();
      loop.execute(() -> {
        name.complete(Thread.currentThread().getName());
        onLoop.complete(schedulingOfThisThread());
      });
      assertThat(name.get(10, TimeUnit.SECONDS)).isEqualTo("rt-test-loop");
      assertThat(onLoop.get(10, TimeUnit.SECONDS)).containsExactly(SCHED_RR, 9);

      UdpTransport udp = new UdpTransport(new InetSocketAddress("127.0.0.1", 0), rr);
      udp.open(loop, (from, data, offset, length) -> { });
      try {
        // The receiver thread is vipha-udp-/127.0.0.1:0, its comm the first 15 characters.
        assertThat(schedulingOfThreadNamed("vipha-udp-/127.0.0.1:0"))
            .containsExactly(SCHED_RR, 9);
      } finally {
        udp.close();
      }
    } finally {
      loop.close();
    }
  }

  @Test
  void checkPassesWithTheCapabilityAndABadPriorityIsRefusedBeforeAnyCall() throws Exception {
    Realtime.check(Realtime.Policy.RR, 99);
    Realtime.check(Realtime.Policy.FIFO, 1);
    for (int p : List.of(0, 100, -1)) {
      assertThatThrownBy(() -> Realtime.threadFactory(Realtime.Policy.RR, p))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("a real-time priority is 1-99; got " + p);
      assertThatThrownBy(() -> Realtime.check(Realtime.Policy.RR, p))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** The policy and priority its task saw on a thread of {@code f}. */
  private static int[] onThreadOf(ThreadFactory f) throws Exception {
    CompletableFuture<int[]> seen = new CompletableFuture<>();
    f.newThread(() -> seen.complete(schedulingOfThisThread())).start();
    return seen.get(10, TimeUnit.SECONDS);
  }

  private static int[] schedulingOfThisThread() {
    try {
      return scheduling(Files.readString(Path.of("/proc/thread-self/stat")));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The scheduling of this process's thread whose {@code comm} begins the name, once it is not
   * normal (a thread raises itself as it starts) or after 5 s.
   */
  private static int[] schedulingOfThreadNamed(String name) throws Exception {
    String comm = name.substring(0, Math.min(15, name.length()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      int[] found = null;
      try (var tasks = Files.list(Path.of("/proc/self/task"))) {
        for (Path task : tasks.toList()) {
          try {
            if (Files.readString(task.resolve("comm")).strip().equals(comm)) {
              found = scheduling(Files.readString(task.resolve("stat")));
            }
          } catch (IOException e) {
            // a thread that ended meanwhile
          }
        }
      }
      if (found != null && (found[0] != SCHED_OTHER || System.nanoTime() > deadline)) {
        return found;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no thread " + comm + " in /proc/self/task");
      }
      Thread.sleep(10);
    }
  }

  /** Fields 41 (policy) and 40 (rt_priority) of a {@code stat} line. */
  static int[] scheduling(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    // f[0] is field 3 (state)
    return new int[] {Integer.parseInt(f[41 - 3]), Integer.parseInt(f[40 - 3])};
  }

  /** Whether capability {@code bit} is in this process's effective set. */
  static boolean hasCapability(int bit) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << bit)) != 0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }
}
