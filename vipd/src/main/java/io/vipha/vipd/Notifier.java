package io.vipha.vipd;

import io.vipha.agent.AgentEvent;
import io.vipha.agent.AgentListener;
import io.vipha.config.NotifySettings;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the notify hooks and feeds the sinks of one node, off the agent's event loop.
 *
 * <p>{@link #on} (the agent's listener, on its loop) and {@link #daemon} give each event the
 * node's next sequence number and put it into a bounded queue; they never block. When the queue
 * is full the oldest event is dropped, counted and logged. One dispatcher thread takes the
 * events in order, writes each to the sinks and runs the hooks that want it, one at a time; a
 * hook still running at its timeout is killed with its descendants.
 */
final class Notifier implements AgentListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("vipd.notify");
  /** How much of a failing hook's stderr the log shows. */
  static final int STDERR_TAIL = 1024;

  /** An event waiting, with the hooks that were set when it came. */
  private record Pending(long seq, String name, Instant time, @Nullable AgentEvent event,
      @Nullable String reason, List<NotifySettings.Hook> hooks) {}

  private final String group;
  private final String node;
  private final NotifySettings settings;
  private final Supplier<Instant> clock;
  private final List<LineSink> sinks = new ArrayList<>();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final Thread dispatcher;
  private final Path stderr;
  // Guarded by queue.
  private List<NotifySettings.Hook> hooks;
  private long seq;
  private long dropped;
  private long droppedSinceLog;
  private boolean closing;
  // Written by the dispatcher thread.
  private final AtomicLong ran = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong timedOut = new AtomicLong();
  private volatile @Nullable Process running;

  private Notifier(String group, String node, NotifySettings settings, Supplier<Instant> clock)
      throws IOException {
    this.group = group;
    this.node = node;
    this.settings = settings;
    this.clock = clock;
    this.hooks = settings.hooks();
    this.stderr = Files.createTempFile("vipd-hook-", ".stderr");
    stderr.toFile().deleteOnExit();
    Path fifo = settings.fifo();
    if (fifo != null) {
      sinks.add(LineSink.fifo(fifo, settings.queueSize()));
    }
    Path socket = settings.socket();
    if (socket != null) {
      sinks.add(LineSink.socket(socket, settings.queueSize()));
    }
    warnNotExecutable(settings.hooks());
    this.dispatcher = new Thread(this::dispatch, "vipd-notify-" + node);
    dispatcher.setDaemon(true);
    dispatcher.start();
  }

  /** A notifier for node {@code node} of group {@code group}, its thread started. */
  static Notifier start(String group, String node, NotifySettings settings) throws IOException {
    return new Notifier(group, node, settings, Instant::now);
  }

  private static void warnNotExecutable(List<NotifySettings.Hook> hooks) {
    for (NotifySettings.Hook h : hooks) {
      Path command = Path.of(h.command().get(0));
      if (!Files.isExecutable(command)) {
        LOG.warn("notify hook {} is not an executable file (yet); each run will fail until it"
            + " is", command);
      }
    }
  }

  /**
   * Runs {@code notify}'s hooks for the events that come from now on (a reload); the events
   * already queued run the hooks they came with. The sinks and the queue size stay.
   */
  void hooks(NotifySettings notify) {
    warnNotExecutable(notify.hooks());
    synchronized (queue) {
      hooks = notify.hooks();
    }
  }

  /** An agent event; called on the agent's loop, never blocks. */
  @Override
  public void on(AgentEvent event) {
    enqueue(Notice.name(event), event, null);
  }

  /** A daemon event ({@code started}, {@code stopping}, {@code stopped}); never blocks. */
  void daemon(String name, @Nullable String reason) {
    enqueue(name, null, reason);
  }

  private void enqueue(String name, @Nullable AgentEvent event, @Nullable String reason) {
    Instant now = clock.get();
    synchronized (queue) {
      if (closing) {
        return;
      }
      Pending p = new Pending(++seq, name, now, event, reason, hooks);
      if (queue.size() >= settings.queueSize()) {
        Pending old = queue.removeFirst();
        dropped++;
        if (droppedSinceLog++ == 0) {
          LOG.warn("notify queue full ({} events): dropped {} #{}, the oldest; the hooks are"
              + " too slow", settings.queueSize(), old.name(), old.seq());
        }
      }
      queue.addLast(p);
      queue.notifyAll();
    }
  }

  /** How many events were dropped because the queue was full. */
  long dropped() {
    synchronized (queue) {
      return dropped;
    }
  }

  /** How many hook runs ended (any way). */
  long ran() {
    return ran.get();
  }

  /** How many hook runs exited with a status other than 0 or could not start. */
  long failed() {
    return failed.get();
  }

  /** How many hook runs were killed at their timeout. */
  long timedOut() {
    return timedOut.get();
  }

  /** The sinks, FIFO first (tests). */
  List<LineSink> sinks() {
    return sinks;
  }

  private void dispatch() {
    while (true) {
      Pending p;
      long droppedNow;
      synchronized (queue) {
        while (queue.isEmpty() && !closing) {
          try {
            queue.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (queue.isEmpty()) {
          queue.notifyAll();
          return;
        }
        p = queue.removeFirst();
        droppedNow = dropped;
        if (queue.isEmpty() && droppedSinceLog > 0) {
          LOG.warn("notify queue caught up; {} events dropped meanwhile ({} in all)",
              droppedSinceLog, dropped);
          droppedSinceLog = 0;
        }
      }
      Notice n = Notice.of(p.name(), p.seq(), group, node, p.time(), droppedNow, p.event(),
          p.reason());
      String line = n.json();
      for (LineSink s : sinks) {
        s.offer(line);
      }
      for (NotifySettings.Hook h : p.hooks()) {
        if (h.wants(n.name())) {
          if (Thread.currentThread().isInterrupted()) {
            return;
          }
          run(h, n, line);
        }
      }
    }
  }

  /** Runs one hook for one event, killing it at its timeout; logs how it ended. */
  private void run(NotifySettings.Hook hook, Notice n, String line) {
    String what = hook.command().get(0) + " on " + n.name() + " #" + n.seq();
    ProcessBuilder pb = new ProcessBuilder(hook.command())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("VIPHA_"));
    env.putAll(n.environment());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      failed.incrementAndGet();
      ran.incrementAndGet();
      LOG.warn("hook {} could not start: {}", what, e.getMessage());
      return;
    }
    running = p;
    try (OutputStream in = p.getOutputStream()) {
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      LOG.debug("hook {} did not read its stdin: {}", what, e.toString());
    }
    try {
      if (!p.waitFor(hook.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
        int descendants = kill(p);
        timedOut.incrementAndGet();
        LOG.warn("hook {} still ran after its timeout of {}; killed it and {} descendant(s)",
            what, Vipd.text(hook.timeout()), descendants);
        return;
      }
      int status = p.exitValue();
      if (status != 0) {
        failed.incrementAndGet();
        LOG.warn("hook {} exited with status {}; stderr: {}", what, status, stderrTail());
      } else {
        LOG.debug("hook {} done", what);
      }
    } catch (InterruptedException e) {
      kill(p);
      Thread.currentThread().interrupt();
      LOG.warn("hook {} killed: vipd is exiting", what);
    } finally {
      running = null;
      ran.incrementAndGet();
    }
  }

  /** Kills {@code p} and its descendants (listed first); how many descendants there were. */
  private static int kill(Process p) {
    List<ProcessHandle> descendants = p.descendants().toList();
    p.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    try {
      p.waitFor(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return descendants.size();
  }

  /** The last {@link #STDERR_TAIL} bytes the last hook wrote to stderr, on one line. */
  private String stderrTail() {
    try (RandomAccessFile f = new RandomAccessFile(stderr.toFile(), "r")) {
      long length = f.length();
      byte[] tail = new byte[(int) Math.min(length, STDERR_TAIL)];
      f.seek(length - tail.length);
      f.readFully(tail);
      String text = new String(tail, StandardCharsets.UTF_8).strip().replace('\n', '|');
      return text.isEmpty() ? "(empty)" : length > STDERR_TAIL ? "..." + text : text;
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /**
   * Lets the queued events run for at most {@code grace}, then kills a running hook, drops what
   * is left and closes the sinks.
   */
  void close(Duration grace) {
    synchronized (queue) {
      closing = true;
      queue.notifyAll();
    }
    try {
      dispatcher.join(Math.max(1, grace.toMillis()));
      if (dispatcher.isAlive()) {
        int left;
        synchronized (queue) {
          left = queue.size();
          queue.clear();
        }
        LOG.warn("notify: {} events not run within {}; exiting without them", left,
            Vipd.text(grace));
        dispatcher.interrupt();
        Process p = running;
        if (p != null) {
          kill(p);
        }
        dispatcher.join(2000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (LineSink s : sinks) {
      s.close();
    }
    try {
      Files.deleteIfExists(stderr);
    } catch (IOException e) {
      LOG.debug("deleting {}", stderr, e);
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}
