package io.vipha.mover.aws;

import io.vipha.VirtualIp;
import io.vipha.spi.AddressMover;
import io.vipha.spi.MoverResult;
import io.vipha.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Hands a real mover's answers to a simulation in virtual time: each call runs against the real
 * mover (and so the fake provider over HTTP) while the simulation waits, and its answer arrives
 * on the simulation's clock as long after the call as the real call took. The provider's state
 * changes at the call's virtual instant; what the agents see of the answer is its real latency.
 */
final class VirtualTimeMover implements AddressMover {
  /** One call and its answer, on the simulation's clock. */
  record Call(String node, String operation, long epoch, long sentAt, long answeredAt,
      MoverResult result) {}

  private final String node;
  private final AddressMover real;
  private final Supplier<Scheduler> clock;
  private final List<Call> calls;

  VirtualTimeMover(String node, AddressMover real, Supplier<Scheduler> clock, List<Call> calls) {
    this.node = node;
    this.real = real;
    this.clock = clock;
    this.calls = calls;
  }

  @Override
  public CompletionStage<MoverResult> observe(VirtualIp vip, Duration timeout) {
    return bridge("observe", 0, () -> real.observe(vip, timeout));
  }

  @Override
  public CompletionStage<MoverResult> claim(VirtualIp vip, long epoch,
      @Nullable String expectedVersion, Duration timeout) {
    return bridge("claim", epoch, () -> real.claim(vip, epoch, expectedVersion, timeout));
  }

  @Override
  public CompletionStage<MoverResult> release(VirtualIp vip, long epoch, Duration timeout) {
    return bridge("release", epoch, () -> real.release(vip, epoch, timeout));
  }

  private CompletionStage<MoverResult> bridge(String operation, long epoch,
      Supplier<CompletionStage<MoverResult>> call) {
    Scheduler s = clock.get();
    long sentAt = s.nanoTime();
    long start = System.nanoTime();
    MoverResult r = Ec2Fixture.await(call.get());
    long took = System.nanoTime() - start;
    CompletableFuture<MoverResult> out = new CompletableFuture<>();
    s.schedule(took, () -> {
      synchronized (calls) {
        calls.add(new Call(node, operation, epoch, sentAt, s.nanoTime(), r));
      }
      out.complete(r);
    });
    return out;
  }

  @Override
  public void close() {
    real.close();
  }
}
