package io.vipha.config;

import io.vipha.ValidationException;
import io.vipha.ValidationException.Problem;
import io.vipha.internal.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a node daemon tells other programs about its events: the {@code "notify"} object of a
 * group's {@code "daemon"} settings. Hooks are commands run once per event, one at a time in
 * event order; the FIFO and the Unix socket each receive every event as one JSON line.
 *
 * @param hooks the commands to run, in the order they run for one event
 * @param fifo a named pipe that receives every event as one JSON line (absolute), or null
 * @param socket a Unix domain socket that receives every event as one JSON line (absolute; the
 *     daemon connects to it), or null
 * @param queueSize how many events wait for the hooks at most; when more arrive, the oldest is
 *     dropped
 */
public record NotifySettings(List<Hook> hooks, @Nullable Path fifo, @Nullable Path socket,
    int queueSize) {

  /** The queue size when none is set. */
  public static final int DEFAULT_QUEUE_SIZE = 1024;

  /** The largest queue size. */
  public static final int MAX_QUEUE_SIZE = 1 << 20;

  /**
   * Every event name, in the order of the README's table: the agent's events, then the daemon's
   * own ({@code started}, {@code stopping}, {@code stopped}).
   */
  public static final List<String> EVENTS = List.of("acquired", "released", "peer-up",
      "peer-suspect", "peer-down", "quorum-lost", "quorum-regained", "health", "flap-suspended",
      "backend-error", "drift-repaired", "conflict", "stalled", "reconfigured", "mover-claimed",
      "mover-failed", "started", "stopping", "stopped");

  /** No hooks, no FIFO, no socket. */
  public static final NotifySettings NONE = new NotifySettings(List.of(), null, null,
      DEFAULT_QUEUE_SIZE);

  /** Checks every field; throws a {@link ValidationException} listing every problem. */
  public NotifySettings {
    hooks = List.copyOf(hooks);
    List<Problem> problems = problems(fifo, socket, queueSize);
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
  }

  /** Whether there is nothing to notify. */
  public boolean isEmpty() {
    return hooks.isEmpty() && fifo == null && socket == null;
  }

  /** A builder with no hooks, no sinks and the default queue size. */
  public static Builder builder() {
    return new Builder();
  }

  private static List<Problem> problems(@Nullable Path fifo, @Nullable Path socket,
      int queueSize) {
    List<Problem> problems = new ArrayList<>();
    absolute(problems, "fifo", fifo, "/run/vipha/web.events");
    absolute(problems, "socket", socket, "/run/vipha/web-events.sock");
    if (socket != null) {
      String tooLong = DaemonReader.socketPathProblem(socket.toString());
      if (tooLong != null) {
        problems.add(new Problem("socket", socket.toString(), tooLong));
      }
    }
    if (fifo != null && fifo.equals(socket)) {
      problems.add(new Problem("socket", fifo.toString(), "is the FIFO's path too; give the"
          + " socket its own path"));
    }
    if (queueSize < 1 || queueSize > MAX_QUEUE_SIZE) {
      problems.add(new Problem("queueSize", Integer.toString(queueSize), "is not between 1 and "
          + MAX_QUEUE_SIZE + "; write e.g. " + DEFAULT_QUEUE_SIZE));
    }
    return problems;
  }

  private static void absolute(List<Problem> problems, String path, @Nullable Path value,
      String example) {
    if (value != null && !value.isAbsolute()) {
      problems.add(new Problem(path, value.toString(), "is not an absolute path; write e.g. "
          + example));
    }
  }

  /** Builds {@link NotifySettings}, reporting every problem of every hook at once. */
  public static final class Builder {
    private final List<Hook.Builder> hooks = new ArrayList<>();
    private @Nullable Path fifo;
    private @Nullable Path socket;
    private int queueSize = DEFAULT_QUEUE_SIZE;

    private Builder() {}

    /** Adds a hook; it runs after the ones added before it. */
    public Builder hook(Hook.Builder hook) {
      hooks.add(Objects.requireNonNull(hook, "hook"));
      return this;
    }

    /** The FIFO that receives every event. */
    public Builder fifo(@Nullable Path fifo) {
      this.fifo = fifo;
      return this;
    }

    /** The Unix socket that receives every event. */
    public Builder socket(@Nullable Path socket) {
      this.socket = socket;
      return this;
    }

    /** How many events may wait for the hooks. */
    public Builder queueSize(int queueSize) {
      this.queueSize = queueSize;
      return this;
    }

    /** The settings; a {@link ValidationException} with every problem, paths under hooks[i]. */
    public NotifySettings build() {
      List<Problem> problems = new ArrayList<>();
      List<Hook> built = new ArrayList<>();
      for (int i = 0; i < hooks.size(); i++) {
        try {
          built.add(hooks.get(i).build());
        } catch (ValidationException e) {
          problems.addAll(e.under("hooks[" + i + "]").problems());
        }
      }
      problems.addAll(problems(fifo, socket, queueSize));
      if (!problems.isEmpty()) {
        throw new ValidationException(problems);
      }
      return new NotifySettings(built, fifo, socket, queueSize);
    }
  }

  /**
   * One command run on events.
   *
   * @param events the event names it runs on (of {@link #EVENTS}); empty for every event
   * @param command the executable (an absolute path) and its arguments, run without a shell
   * @param timeout how long it may run; then it is killed with its descendants
   */
  public record Hook(List<String> events, List<String> command, Duration timeout) {
    /** How long a hook may run when no timeout is set. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** Checks every field; throws a {@link ValidationException} listing every problem. */
    public Hook {
      events = List.copyOf(events);
      command = List.copyOf(command);
      Objects.requireNonNull(timeout, "timeout");
      List<Problem> problems = problems(events, false, command, timeout);
      if (!problems.isEmpty()) {
        throw new ValidationException(problems);
      }
    }

    /** A hook that runs {@code command} on every event, with the default timeout. */
    public static Hook of(String... command) {
      return new Hook(List.of(), List.of(command), DEFAULT_TIMEOUT);
    }

    /** Whether this hook runs on event {@code name}. */
    public boolean wants(String name) {
      return events.isEmpty() || events.contains(name);
    }

    /** A builder for every event, with the default timeout and no command yet. */
    public static Builder builder() {
      return new Builder();
    }

    private static List<Problem> problems(List<String> events, boolean emptyGiven,
        List<String> command, Duration timeout) {
      List<Problem> problems = new ArrayList<>();
      if (emptyGiven) {
        problems.add(new Problem("events", null, "lists no event; leave events out to run on"
            + " every event, or name some of: " + String.join(", ", EVENTS)));
      }
      for (int i = 0; i < events.size(); i++) {
        if (!EVENTS.contains(events.get(i))) {
          problems.add(new Problem("events[" + i + "]", events.get(i), "is not an event; use"
              + " one of " + String.join(", ", EVENTS)));
        }
      }
      if (command.isEmpty()) {
        problems.add(new Problem("command", null, "is required; name an executable by its"
            + " absolute path and its arguments, e.g. [\"/usr/local/bin/vip-changed\", \"web\"]"));
      }
      for (int i = 0; i < command.size(); i++) {
        if (command.get(i).indexOf('\0') >= 0) {
          problems.add(new Problem("command[" + i + "]", command.get(i).replace('\0', ' '),
              "holds a NUL character, which no argument can hold"));
        } else if (i == 0 && !command.get(0).startsWith("/")) {
          problems.add(new Problem("command[0]", command.get(0), "is not an absolute path;"
              + " hooks run without a shell or a PATH search; write e.g."
              + " /usr/local/bin/vip-changed"));
        }
      }
      if (timeout.isZero() || timeout.isNegative()) {
        problems.add(new Problem("timeout", Durations.format(timeout), "is not positive; write"
            + " e.g. 10s"));
      }
      return problems;
    }

    /** Builds a {@link Hook}, reporting every problem at once. */
    public static final class Builder {
      private @Nullable List<String> events;
      private List<String> command = List.of();
      private Duration timeout = DEFAULT_TIMEOUT;

      private Builder() {}

      /** The events it runs on; not calling this runs it on every event. */
      public Builder events(List<String> events) {
        this.events = List.copyOf(events);
        return this;
      }

      /** The executable (absolute path) and its arguments. */
      public Builder command(List<String> command) {
        this.command = List.copyOf(command);
        return this;
      }

      /** How long it may run. */
      public Builder timeout(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        return this;
      }

      /** The hook; a {@link ValidationException} with every problem. */
      public Hook build() {
        List<String> e = events == null ? List.of() : events;
        List<Problem> problems = problems(e, events != null && events.isEmpty(), command,
            timeout);
        if (!problems.isEmpty()) {
          throw new ValidationException(problems);
        }
        return new Hook(e, command, timeout);
      }
    }
  }
}
