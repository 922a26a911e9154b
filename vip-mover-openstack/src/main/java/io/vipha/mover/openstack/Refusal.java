package io.vipha.mover.openstack;

import io.vipha.spi.MoverResult;

/** Ends a mover call early with {@code result}: throttled, failed, timed out, refused. */
final class Refusal extends Exception {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // never serialized
  final MoverResult result;

  Refusal(MoverResult result) {
    super(result.detail(), null, false, false);
    this.result = result;
  }
}
