package io.vipha.spi;

import io.vipha.VirtualIp;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Points a VIP at this node through something outside the host: a cloud API, a script.
 *
 * <p>In a cloud, a gratuitous ARP moves nothing: the provider decides where a public or secondary
 * private address goes. A mover asks it, under a fencing epoch that the provider stores with the
 * target, so that a node that lost ownership while partitioned away cannot take the address back
 * with an older epoch. Every call returns at once; its stage completes on the mover's own thread,
 * never on the caller's, within {@code timeout} (or with {@link MoverResult.Outcome#TIMED_OUT}).
 * A stage never completes exceptionally: a failure is a {@link MoverResult.Outcome#FAILED}
 * result. Implementations are safe for concurrent calls.
 */
public interface AddressMover extends AutoCloseable {
  /** Where {@code vip} points now, with the provider's version of that record. */
  CompletionStage<MoverResult> observe(VirtualIp vip, Duration timeout);

  /**
   * Points {@code vip} at this node under fencing {@code epoch}; conditional on {@code
   * expectedVersion} when not null (from a prior observe). Idempotent: already ours under this
   * epoch or a lower one = ALREADY_OWNED (and the epoch is raised to ours).
   */
  CompletionStage<MoverResult> claim(VirtualIp vip, long epoch, @Nullable String expectedVersion,
      Duration timeout);

  /** Lets go of {@code vip} if it still points at this node under an epoch ≤ {@code epoch}. */
  CompletionStage<MoverResult> release(VirtualIp vip, long epoch, Duration timeout);

  /** Frees what the mover holds (clients, threads); by default nothing. */
  @Override
  default void close() {}
}
