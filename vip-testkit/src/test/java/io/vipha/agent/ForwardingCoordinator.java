package io.vipha.agent;

import io.vipha.spi.Coordinator;
import java.io.IOException;

/**
 * A coordinator that passes start, publishNow, leave and close on to another (every other method
 * keeps its default); tests override what they watch or change.
 */
class ForwardingCoordinator implements Coordinator {
  private final Coordinator inner;

  ForwardingCoordinator(Coordinator inner) {
    this.inner = inner;
  }

  @Override
  public void start(Context ctx) throws IOException {
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
