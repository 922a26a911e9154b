package io.vipha.vipd;

import static io.vipha.vipd.NamespaceDaemons.log;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipha.testkit.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code daemon.realtime} in vipd as users run it (a child JVM in a network namespace): which of
 * its threads run at real-time scheduling, read from {@code /proc/PID/task/TID/stat} (field 41
 * the policy, 40 the priority), and what a process without CAP_SYS_NICE is told. Needs root;
 * skipped loudly without it, failed when {@value Privileged#REQUIRE_ENV}=1.
 */
class VipdRealtimeNamespaceTest {
  private static final int SCHED_OTHER = 0;
  private static final int SCHED_RR = 2;
  /** Without CAP_SYS_NICE and with RLIMIT_RTPRIO 0, whatever the host's defaults. */
  private static final List<String> UNPRIVILEGED = List.of("prlimit", "--rtprio=0:0",
      "setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-sys_nice");

  @RegisterExtension final NamespaceDaemons net = new NamespaceDaemons();

  /** The namespace fixtures' configuration with {@code daemon} fields added. */
  private Path config(String daemon) throws IOException {
    String key = "\"daemon\": {\"keyFile\": \"" + net.dir().resolve("web.key") + "\",";
    String text = Files.readString(net.config("eth0"));
    assertThat(text).contains(key);
    return net.write("vipha-rt.json", text.replace(key, key + " " + daemon));
  }

  @Test
  void theLoopAndTheReceiveAndWatchThreadsRunAtTheConfiguredPriorityAndNoOtherThread()
      throws Exception {
    String[] ns = net.twoHosts();
    String rr = "\"realtime\": {\"policy\": \"rr\", \"priority\": 12},";
    // The receive thread of heartbeats, then of VRRP (which takes no key file).
    List<List<String>> runs = List.of(List.of("vipha-udp-/198.", rr),
        List.of("vipha-vrrp-web", rr + " \"coordinator\": {\"vrrp\": {\"vrid\": 51}},"));
    for (List<String> run : runs) {
      Path config = config(run.get(1));
      if (run.get(0).contains("vrrp")) {
        net.write("vipha-rt.json", Files.readString(config).replace("\"keyFile\": \""
            + net.dir().resolve("web.key") + "\",", ""));
      }
      Path log = net.dir().resolve("n1-" + run.get(0).substring(6, 9) + ".log");
      Process vipd = net.vipd(ns[0], config, "n1", log);
      awaitStarted(vipd, log);
      Map<String, int[]> threads = threads(vipd.pid());
      List<String> raised = List.of("vipd-n1", run.get(0), "vipha-netlink-w");
      for (String name : raised) {
        assertThat(threads).as("threads of vipd; log:\n%s", log(log)).containsKey(name);
        assertThat(threads.get(name)).as(name).containsExactly(SCHED_RR, 12);
      }
      threads.forEach((name, s) -> {
        if (!raised.contains(name)) {
          assertThat(s).as("thread %s", name).containsExactly(SCHED_OTHER, 0);
        }
      });
      // "java" is the process's first thread, which runs main
      assertThat(threads).as("normal threads").containsKeys("java", "vipd-control",
          "VM Thread");
      assertThat(log(log)).contains("the event loop and the receive and watch threads run at"
          + " SCHED_RR priority 12");
      assertThat(net.ok("n1", "status")).contains("\nscheduling SCHED_RR 12 (configured rr)");
      JsonNode json = new ObjectMapper().readTree(net.ok("n1", "status", "--json"));
      assertThat(json.path("scheduling").toString()).isEqualTo("{\"configured\":\"rr\","
          + "\"policy\":\"SCHED_RR\",\"priority\":12,\"memoryLocked\":false}");
      vipd.destroy();
      assertThat(vipd.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(vipd.exitValue()).as("log:\n%s", log(log)).isZero();
    }
  }

  @Test
  void withoutCapSysNiceAnExplicitPolicyEndsTheStartAndAutoWarnsAndRunsNormally()
      throws Exception {
    Privileged.requireTool("setpriv");
    Privileged.requireTool("prlimit");
    String[] ns = net.twoHosts();
    List<String> prefix = new ArrayList<>(List.of("ip", "netns", "exec", ns[0]));
    prefix.addAll(UNPRIVILEGED);

    Path refusedLog = net.dir().resolve("n1-rr.log");
    Process refused = net.start(prefix, config("\"realtime\": {\"policy\": \"rr\"},"), "n1",
        refusedLog);
    assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(refused.exitValue()).as("log:\n%s", log(refusedLog)).isEqualTo(77);
    assertThat(log(refusedLog)).contains("vipd: daemon.realtime.policy rr cannot be applied:"
        + " raising thread vipha-realtime-check to SCHED_RR priority 10 was refused with EPERM:"
        + " it needs CAP_SYS_NICE (or an RLIMIT_RTPRIO of at least 10; this process's is 0)");

    Path autoLog = net.dir().resolve("n1-auto.log");
    Process auto = net.start(prefix, config(""), "n1", autoLog);
    awaitStarted(auto, autoLog);
    assertThat(log(autoLog)).containsOnlyOnce("daemon.realtime auto: the event loop and the"
        + " receive and watch threads run at normal scheduling: raising thread"
        + " vipha-realtime-check to SCHED_RR priority 10 was refused with EPERM");
    Map<String, int[]> threads = threads(auto.pid());
    assertThat(threads).containsKeys("vipd-n1", "vipha-netlink-w");
    threads.forEach((name, s) -> assertThat(s).as("thread %s", name)
        .containsExactly(SCHED_OTHER, 0));
    assertThat(net.ok("n1", "status")).contains("\nscheduling SCHED_OTHER (configured auto,"
        + " not permitted: vipctl status --json says why)");
  }

  private static void awaitStarted(Process vipd, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!log(log).contains("started; SIGTERM")) {
      assertThat(vipd.isAlive()).as("vipd runs; log:\n%s", log(log)).isTrue();
      assertThat(System.nanoTime() < deadline).as("vipd started; log:\n%s", log(log)).isTrue();
      Thread.sleep(50);
    }
  }

  /** Each thread of process {@code pid} by its {@code comm}: policy and real-time priority. */
  private static Map<String, int[]> threads(long pid) throws IOException {
    Map<String, int[]> out = new TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks.toList()) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
          // f[0] is field 3; a name held by several threads keeps the last one read
          int[] s = {Integer.parseInt(f[41 - 3]), Integer.parseInt(f[40 - 3])};
          out.put(comm, s);
        } catch (IOException e) {
          // a thread that ended meanwhile
        }
      }
    }
    return out;
  }
}
