package io.vipha.vipd;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vipha.ValidationException;
import io.vipha.VipGroup;
import io.vipha.config.DaemonSettings;
import io.vipha.config.NotifySettings;
import io.vipha.health.HealthCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads vipd's configuration: reads the same {@code --config} file and key files again,
 * checks all of it, and applies the changes that keep the node's role to the running daemon, or
 * rejects the whole reload with every problem and leaves the running configuration as it is.
 *
 * <p>Reloads run one at a time. {@link #reload} (vipctl) runs on the caller's thread; {@link
 * #signal} (SIGHUP) asks for one on a thread of its own and returns at once, and signals that
 * come while one waits are one reload.
 */
final class Reloader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("vipd");
  /** How long a reload waits for the agent to take a changed group (within vipctl's 10 s). */
  static final Duration APPLY_WAIT = Duration.ofSeconds(5);

  /** The running daemon, as a reload changes it. */
  interface Target {
    /** Hands the agent a changed group and health checks; fails listing the problems. */
    CompletableFuture<Void> reconfigure(VipGroup group, List<HealthCheck> healthChecks);

    /** Signs and accepts heartbeats with {@code keys} from the next packet on. */
    void rekey(KeySet keys);

    /** Runs {@code notify}'s hooks for the events from now on. */
    void hooks(NotifySettings notify);

    /** Checks that the interfaces {@code group} and {@code daemon} name exist. */
    void checkInterfaces(VipGroup group, DaemonSettings daemon) throws Failure;
  }

  /**
   * How a reload ended.
   *
   * @param at when it ended
   * @param ok whether it was applied
   * @param generation the configuration's generation after it
   * @param changes what changed, one line each (empty when rejected or when nothing changed)
   * @param problems why it was rejected, one line each (empty when applied)
   */
  record Outcome(Instant at, boolean ok, int generation, List<String> changes,
      List<String> problems) {
    Outcome {
      changes = List.copyOf(changes);
      problems = List.copyOf(problems);
    }
  }

  /** A reload that was rejected; the running configuration stays. */
  static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Outcome outcome;

    Rejected(Outcome outcome) {
      super(message(outcome.problems()));
      this.outcome = outcome;
    }

    /** The message: a line that says so, then one line per problem. */
    static String message(List<String> problems) {
      return "reload rejected, the running configuration stays; " + problems.size()
          + (problems.size() == 1 ? " problem:" : " problems:") + "\n  "
          + String.join("\n  ", problems);
    }
  }

  /** What the status shows: counts and the last reload, replaced whole by each reload. */
  private record State(int generation, int applied, int rejected, @Nullable Outcome last) {}

  private final Options options;
  private final String defaultStateFile;
  private final Target target;
  private final Supplier<Instant> clock;
  private final ExecutorService signals = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "vipd-reload");
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean signalled = new AtomicBoolean();
  // Guarded by this.
  private Setup running;
  private volatile State state = new State(0, 0, 0, null);

  /**
   * A reloader of the daemon started with {@code options} from {@code running}; {@code
   * defaultStateFile} as for {@link Setup#read}.
   */
  Reloader(Options options, String defaultStateFile, Setup running, Target target,
      Supplier<Instant> clock) {
    this.options = options;
    this.defaultStateFile = defaultStateFile;
    this.running = running;
    this.target = target;
    this.clock = clock;
  }

  /** The configuration that runs. */
  synchronized Setup running() {
    return running;
  }

  /**
   * Asks for a reload (SIGHUP) and returns at once. One that comes while a reload runs makes one
   * more after it; several that come meanwhile make one.
   */
  void signal() {
    if (signalled.compareAndSet(false, true)) {
      signals.execute(() -> {
        signalled.set(false);
        LOG.info("SIGHUP: reloading {}", options.config());
        try {
          reload();
        } catch (Rejected e) {
          // logged by reload
        } catch (RuntimeException e) {
          LOG.error("reload failed", e);
        }
      });
    }
  }

  /** Reloads now, after any reload that runs; the outcome, or {@link Rejected}. */
  synchronized Outcome reload() throws Rejected {
    List<String> problems = new ArrayList<>();
    Setup next = null;
    try {
      next = Setup.read(options, defaultStateFile);
    } catch (Failure f) {
      f.problems.forEach(p -> problems.add(f.role ? p + "; another group or node id needs a"
          + " restart" : p));
    }
    List<String> changes = new ArrayList<>();
    if (next != null) {
      try {
        target.checkInterfaces(next.group(), next.daemon());
      } catch (Failure f) {
        problems.addAll(f.problems);
      }
      problems.addAll(running.keys().problemsWith(next.keys()));
      ConfigDiff.Result diff = ConfigDiff.of(running.group(), running.daemon(), next.group(),
          next.daemon(), Objects.requireNonNull(options.node()), options.controlSocket() != null);
      problems.addAll(diff.restart());
      changes.addAll(diff.changes());
      changes.addAll(running.keys().changesTo(next.keys()));
    }
    if (next != null && problems.isEmpty()) {
      problems.addAll(apply(next));
    }
    State s = state;
    if (next == null || !problems.isEmpty()) {
      Outcome o = new Outcome(clock.get(), false, s.generation(), List.of(), problems);
      state = new State(s.generation(), s.applied(), s.rejected() + 1, o);
      LOG.warn("reload rejected, the running configuration stays: {}",
          String.join("; ", problems));
      throw new Rejected(o);
    }
    running = next;
    Outcome o = new Outcome(clock.get(), true, s.generation() + 1, changes, List.of());
    state = new State(s.generation() + 1, s.applied() + 1, s.rejected(), o);
    LOG.info("reload {} applied: {}", o.generation(), changes.isEmpty() ? "no changes"
        : String.join("; ", changes));
    return o;
  }

  /**
   * Applies {@code next} to the target: the group and checks first (the agent may still refuse
   * them and then changes nothing), then the keys and the hooks; the agent's problems, if any.
   */
  private List<String> apply(Setup next) {
    if (!running.group().equals(next.group())
        || !running.daemon().healthChecks().equals(next.daemon().healthChecks())) {
      try {
        target.reconfigure(next.group(), next.daemon().healthChecks())
            .get(APPLY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        return cause instanceof ValidationException v
            ? v.problems().stream().map(Object::toString).toList()
            : List.of("the agent could not apply the configuration: " + cause);
      } catch (TimeoutException e) {
        return List.of("the agent did not take the configuration within "
            + Vipd.text(APPLY_WAIT) + " (its event loop is busy); try again");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of("interrupted while the agent took the configuration");
      }
    }
    if (!running.keys().sameAs(next.keys())) {
      target.rekey(next.keys());
    }
    NotifySettings notify = next.daemon().notifications();
    if (!running.daemon().notifications().hooks().equals(notify.hooks())) {
      target.hooks(notify);
    }
    return List.of();
  }

  /** The {@code config} object of the status. */
  ObjectNode status() {
    State s = state;
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    Path file = Objects.requireNonNull(options.config());
    o.put("file", file.toAbsolutePath().normalize().toString());
    o.put("generation", s.generation());
    o.put("applied", s.applied());
    o.put("rejected", s.rejected());
    Outcome last = s.last();
    if (last == null) {
      o.putNull("lastReload");
    } else {
      ObjectNode l = o.putObject("lastReload");
      l.put("at", last.at().toString());
      l.put("ok", last.ok());
      ArrayNode changes = l.putArray("changes");
      last.changes().forEach(changes::add);
      ArrayNode problems = l.putArray("problems");
      last.problems().forEach(problems::add);
    }
    return o;
  }

  /** The reply to a reload that was applied: its generation and changes. */
  static ObjectNode result(Outcome o) {
    ObjectNode r = JsonNodeFactory.instance.objectNode();
    r.put("generation", o.generation());
    ArrayNode changes = r.putArray("changes");
    o.changes().forEach(changes::add);
    return r;
  }

  /** Stops taking signals; a reload that runs finishes. */
  @Override
  public void close() {
    signals.shutdownNow();
  }
}
