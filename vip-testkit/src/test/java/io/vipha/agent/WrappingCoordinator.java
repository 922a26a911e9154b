package io.vipha.agent;

import io.vipha.spi.Coordinator;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * A coordinator that passes every call on to {@code inner} and keeps the context the agent gives
 * it; a test overrides what it plays itself.
 */
class WrappingCoordinator implements Coordinator {
  private final Coordinator inner;
  @Nullable Context context;

  WrappingCoordinator(Coordinator inner) {
    this.inner = inner;
  }

  @Override
  public void start(Context ctx) throws IOException {
    context = ctx;
    inner.start(ctx);
  }

  @Override
  public void publishNow() {
    inner.publishNow();
  }

  @Override
  public void leave() {
    inner.leave();
  }

  @Override
  public void close() {
    inner.close();
  }
}
