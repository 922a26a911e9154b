package io.vipha.netlink;

import io.vipha.Lease;
import io.vipha.VirtualIp;
import io.vipha.spi.BackendException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child JVM for the tests that need a process of its own: one that is killed while it holds a
 * lease, or one that runs without capabilities.
 *
 * <ul>
 *   <li>{@code lease NS IFACE CIDR SECONDS}: assigns the VIP with that lease and renews it every
 *       third of the lease, printing {@code RENEWED <epoch ms>} after each renewal, until killed.
 *   <li>{@code try NS IFACE CIDR}: lists; watches; takes the VIP ({@code assignAndAnnounce},
 *       printing {@code UNANNOUNCED KIND message} if only its announcement failed); lists from
 *       another thread (op {@code unlocked}: the take left the watch free); assigns; announces:
 *       printing {@code OK op} or {@code FAILED op KIND message} for each, then exits.
 *   <li>{@code realtime POLICY PRIORITY}: checks that a thread can be raised to real-time
 *       scheduling, then locks the memory, printing {@code OK op} or {@code FAILED op
 *       PERMISSION|OTHER errno message} for each, then exits.
 * </ul>
 */
public final class ChildMain {
  private ChildMain() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("realtime")) {
      Realtime.Policy policy = Realtime.Policy.valueOf(args[1]);
      int priority = Integer.parseInt(args[2]);
      realtime("check", () -> Realtime.check(policy, priority));
      realtime("lock", Realtime::lockMemory);
      return;
    }
    String ns = args[1];
    VirtualIp vip = VirtualIp.of(args[3], args[2]);
    try (NetlinkBackend backend = NetlinkBackend.builder().namespace(ns).build()) {
      if (args[0].equals("lease")) {
        Lease lease = Lease.of(Duration.ofSeconds(Long.parseLong(args[4])));
        long every = Long.parseLong(args[4]) * 1000 / 3;
        while (true) {
          backend.assign(vip, lease);
          System.out.println("RENEWED " + System.currentTimeMillis());
          Thread.sleep(every);
        }
      }
      attempt("list", () -> backend.list(Set.of(vip.interfaceName())));
      attempt("watch", () -> backend.watch(new Heard()));
      attempt("take", () -> {
        BackendException unannounced = backend.assignAndAnnounce(vip, Lease.forever(), 0);
        if (unannounced != null) {
          System.out.println("UNANNOUNCED " + unannounced.kind() + " "
              + unannounced.getMessage());
        }
      });
      attempt("unlocked", () -> {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
          other.submit(() -> backend.list(Set.of(vip.interfaceName()))).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
          throw new BackendException(BackendException.Kind.OTHER, "another thread could not"
              + " list: " + e);
        } finally {
          other.shutdownNow();
        }
      });
      attempt("assign", () -> backend.assign(vip, Lease.forever()));
      attempt("announce", () -> backend.announce(vip));
    } catch (BackendException e) {
      System.out.println("FAILED build " + e.kind() + " " + e.getMessage());
    }
  }

  private interface RealtimeAction {
    void run() throws Realtime.Refused;
  }

  private static void realtime(String op, RealtimeAction action) {
    try {
      action.run();
      System.out.println("OK " + op);
    } catch (Realtime.Refused e) {
      System.out.println("FAILED " + op + " " + (e.permission() ? "PERMISSION" : "OTHER") + " "
          + e.errno() + " " + e.getMessage());
    }
  }

  private interface Action {
    void run() throws BackendException;
  }

  private static void attempt(String op, Action action) {
    try {
      action.run();
      System.out.println("OK " + op);
    } catch (BackendException e) {
      System.out.println("FAILED " + op + " " + e.kind() + " " + e.getMessage());
    }
  }
}
