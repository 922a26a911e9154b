package io.vipha.plan;

import io.vipha.VirtualIp;
import org.jspecify.annotations.Nullable;

/**
 * One VIP changing owner.
 *
 * @param vip the VIP
 * @param from the previous owner's id, or null if it had none
 * @param to the new owner's id, or null if no node can own it now
 * @param reason why it moved
 * @param makeBeforeBreak true when the previous owner is still reachable, so the new owner should
 *     add and announce the VIP before the previous owner releases it
 */
public record Move(
    VirtualIp vip, @Nullable String from, @Nullable String to, MoveReason reason,
    boolean makeBeforeBreak) {

  @Override
  public String toString() {
    return vip.cidr() + ": " + (from == null ? "-" : from) + " -> " + (to == null ? "-" : to)
        + " (" + reason + (makeBeforeBreak ? ", make-before-break" : "") + ")";
  }
}
