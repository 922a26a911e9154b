package io.vipha.netlink.internal;

/** A netlink reply that does not have the layout the kernel's headers define. */
final class MalformedReplyException extends Exception {
  private static final long serialVersionUID = 1L;

  MalformedReplyException(String message) {
    super(message);
  }
}
