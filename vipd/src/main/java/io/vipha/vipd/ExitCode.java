package io.vipha.vipd;

import io.vipha.spi.BackendException;

/** vipd's exit codes, as documented in the README and {@code vipd --help}. */
enum ExitCode {
  /** Stopped by SIGTERM or SIGINT after a graceful stop; or --check, --help, --version. */
  OK(0),
  /** Something unexpected; the log says what. */
  FAILURE(1),
  /** The command line or the configuration (or its key file) is wrong. */
  CONFIG(2),
  /** The heartbeat socket cannot be opened: port in use, or the address is not on this host. */
  HEARTBEAT(3),
  /** An interface the group uses (a VIP's, or the multicast one) does not exist. */
  NO_SUCH_INTERFACE(4),
  /** The platform cannot run the Linux backend (not Linux, or a 32-bit JVM). */
  UNSUPPORTED(5),
  /** The node state file cannot be read, is corrupt, or cannot be written. */
  STATE(6),
  /**
   * The control socket cannot be opened: another vipd answers on it, its path is not a socket,
   * or its directory cannot be made.
   */
  CONTROL_SOCKET(7),
  /** The metrics endpoint cannot be opened: its port is in use or its address is not local. */
  METRICS(8),
  /** No server of the ZooKeeper ensemble ({@code daemon.coordinator.zookeeper}) answered. */
  ZOOKEEPER(9),
  /** The process lacks a privilege: CAP_NET_ADMIN, CAP_NET_RAW (or CAP_SYS_ADMIN for a namespace). */
  PERMISSION(77);

  final int code;

  ExitCode(int code) {
    this.code = code;
  }

  /** The exit code for a backend error of {@code kind}. */
  static ExitCode of(BackendException.Kind kind) {
    return switch (kind) {
      case PERMISSION -> PERMISSION;
      case NO_SUCH_INTERFACE -> NO_SUCH_INTERFACE;
      case UNSUPPORTED -> UNSUPPORTED;
      case TRANSIENT, OTHER -> FAILURE;
    };
  }
}
