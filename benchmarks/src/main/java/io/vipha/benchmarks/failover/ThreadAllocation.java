package io.vipha.benchmarks.failover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * The soak's {@code --jfr}: each vipd JVM records {@code jdk.ThreadAllocationStatistics} (every
 * thread's bytes allocated so far) every second and its collections ({@code
 * jdk.GarbageCollection}), and the harness dumps the recording ({@code jcmd PID JFR.dump}) before
 * it stops the nodes; this class reads what each thread allocated in the window.
 */
final class ThreadAllocation {
  /** The recording's name in each JVM. */
  static final String RECORDING = "soak";
  /** The settings: thread allocation every second, every collection. */
  static final String SETTINGS = String.join("\n",
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
      "<configuration version=\"2.0\" label=\"vipha soak\">",
      "  <event name=\"jdk.ThreadAllocationStatistics\">",
      "    <setting name=\"enabled\">true</setting>",
      "    <setting name=\"period\">1 s</setting>",
      "  </event>",
      "  <event name=\"jdk.GarbageCollection\">",
      "    <setting name=\"enabled\">true</setting>",
      "    <setting name=\"threshold\">0 ms</setting>",
      "  </event>",
      "</configuration>",
      "");
  private static final String STATISTICS = "jdk.ThreadAllocationStatistics";

  /** Whose a thread is, by its name. */
  enum Group {
    /** vipd's and vipha's threads: {@code vipha-*}, {@code vipd-*}. */
    VIPD,
    /** {@link PressuredVipd}'s allocating thread. */
    PRESSURE,
    /** The JDK's threads and any other: main, the JFR's, the attach listener's. */
    OTHER;

    static Group of(String thread) {
      if (thread.startsWith("vipha-") || thread.startsWith("vipd-")) {
        return VIPD;
      }
      return thread.equals("pressure") ? PRESSURE : OTHER;
    }
  }

  /** A thread and what it allocated in the window, in bytes. */
  record Thread(String name, long bytes) {
    Group group() {
      return Group.of(name);
    }
  }

  /** One thread's allocated bytes so far, sampled at {@code at}. */
  private record Sample(Instant at, long allocated) {
    Sample later(Sample other) {
      return other.at().isBefore(at) ? this : other;
    }
  }

  private ThreadAllocation() {}

  /**
   * The JVM option that starts the recording with {@link #SETTINGS}, written to {@code dir}
   * (once).
   */
  static String jvmOption(Path dir) throws IOException {
    Path settings = dir.resolve("soak.jfc");
    Files.writeString(settings, SETTINGS);
    return "-XX:StartFlightRecording=name=" + RECORDING + ",settings=" + settings;
  }

  /** Dumps the recording of the JVM {@code pid} to {@code file} with {@code jcmd}. */
  static void dump(String jcmd, long pid, Path file) {
    Sh.run(jcmd, Long.toString(pid), "JFR.dump", "name=" + RECORDING, "filename=" + file);
  }

  /**
   * What each thread allocated in [from, to], most first: its last sample at or before {@code
   * to} less its last one at or before {@code from} (0 for a thread first sampled after it, one
   * that started in the window). A thread that ended in the window counts until its last
   * sample; the samples come every second, so either end is within a second of the window's.
   */
  static List<Thread> inWindow(Path recording, Instant from, Instant to) throws IOException {
    Map<Long, Sample> base = new HashMap<>();
    Map<Long, Sample> end = new HashMap<>();
    Map<Long, String> names = new HashMap<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
      if (!e.getEventType().getName().equals(STATISTICS)) {
        continue;
      }
      RecordedThread t = e.getThread("thread");
      Instant at = e.getStartTime();
      if (t == null || at.isAfter(to)) {
        continue;
      }
      long id = t.getJavaThreadId();
      String name = t.getJavaName();
      names.put(id, name == null ? "#" + id : name);
      (at.isAfter(from) ? end : base).merge(id, new Sample(at, e.getLong("allocated")),
          Sample::later);
    }
    List<Thread> threads = new ArrayList<>();
    for (Map.Entry<Long, String> n : names.entrySet()) {
      Sample first = base.getOrDefault(n.getKey(), new Sample(from, 0));
      Sample last = end.getOrDefault(n.getKey(), first);
      threads.add(new Thread(n.getValue(), last.allocated() - first.allocated()));
    }
    threads.sort(Comparator.comparingLong(Thread::bytes).reversed()
        .thenComparing(Thread::name));
    return threads;
  }

  /** The bytes {@code threads} of {@code group} allocated. */
  static long bytes(List<Thread> threads, Group group) {
    return threads.stream().filter(t -> t.group() == group).mapToLong(Thread::bytes).sum();
  }
}
