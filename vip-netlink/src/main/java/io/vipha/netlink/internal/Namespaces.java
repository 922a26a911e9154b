package io.vipha.netlink.internal;

import com.sun.jna.LastErrorException;
import io.vipha.spi.BackendException;
import io.vipha.spi.BackendException.Kind;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Opens sockets inside a named network namespace: a short-lived thread enters it with {@code
 * setns(CLONE_NEWNET)}, runs the opener, and returns to its own namespace. A socket stays in the
 * namespace it was created in, so the rest of the process is unaffected.
 */
public final class Namespaces {
  private Namespaces() {}

  /** Something that opens a socket (or several). */
  public interface Opener<T> {
    T open() throws BackendException;
  }

  /**
   * The path of namespace {@code name}: a name from {@code ip netns} ({@code
   * /var/run/netns/NAME}), or an absolute path such as {@code /proc/PID/ns/net}.
   */
  public static String path(String name) {
    return name.startsWith("/") ? name : "/var/run/netns/" + name;
  }

  /** Runs {@code opener} in namespace {@code name}, or on the calling thread when null. */
  public static <T> T open(@Nullable String name, Opener<T> opener) throws BackendException {
    if (name == null) {
      return opener.open();
    }
    AtomicReference<@Nullable T> result = new AtomicReference<>();
    AtomicReference<@Nullable BackendException> error = new AtomicReference<>();
    AtomicReference<@Nullable RuntimeException> crash = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        result.set(inside(name, opener));
      } catch (BackendException e) {
        error.set(e);
      } catch (RuntimeException e) {
        crash.set(e);
      }
    }, "vipha-netns-" + name);
    t.setDaemon(true);
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException(Kind.TRANSIENT, "interrupted while opening sockets in network"
          + " namespace " + name);
    }
    BackendException e = error.get();
    if (e != null) {
      throw e;
    }
    RuntimeException r = crash.get();
    if (r != null) {
      throw r;
    }
    T value = result.get();
    if (value == null) {
      throw new BackendException(Kind.OTHER, "opening sockets in network namespace " + name
          + " returned nothing");
    }
    return value;
  }

  private static <T> T inside(String name, Opener<T> opener) throws BackendException {
    String path = path(name);
    int target = openFile(path, "network namespace " + name);
    int home;
    try {
      home = openFile("/proc/thread-self/ns/net", "this thread's network namespace");
    } catch (BackendException e) {
      LibC.closeQuietly(target);
      throw e;
    }
    try {
      try {
        LibC.setns(target, Nl.CLONE_NEWNET);
      } catch (LastErrorException e) {
        if (Errno.kind(e.getErrorCode()) == Kind.PERMISSION) {
          throw new BackendException(Kind.PERMISSION, "entering network namespace " + name
              + " was refused with " + Errno.name(e.getErrorCode()) + ": setns needs"
              + " CAP_SYS_ADMIN (run as root to manage addresses in another namespace)");
        }
        throw Errno.error(e.getErrorCode(), "entering network namespace " + name, "CAP_SYS_ADMIN",
            "");
      }
      try {
        return opener.open();
      } finally {
        try {
          LibC.setns(home, Nl.CLONE_NEWNET);
        } catch (LastErrorException e) {
          // This thread ends right after; no other code runs in the foreign namespace.
        }
      }
    } finally {
      LibC.closeQuietly(target);
      LibC.closeQuietly(home);
    }
  }

  private static int openFile(String path, String what) throws BackendException {
    try {
      return LibC.open(path, Nl.O_RDONLY | Nl.O_CLOEXEC);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == Errno.ENOENT) {
        throw new BackendException(Kind.OTHER, what + " does not exist (no " + path + ");"
            + " create it with `ip netns add NAME`, or name an existing one");
      }
      throw Errno.error(e.getErrorCode(), "opening " + path + " (" + what + ")", "CAP_SYS_ADMIN",
          "");
    }
  }
}
