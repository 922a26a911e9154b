package io.vipha.mover.openstack;

/** Neutron answered 412: the resource's revision is no longer the one in {@code If-Match}. */
final class PreconditionFailed extends Exception {
  private static final long serialVersionUID = 1L;

  PreconditionFailed(String what) {
    super(what + " changed since it was read (412 on If-Match)", null, false, false);
  }
}
