package io.vipha.testkit;

import io.vipha.spi.Coordinator;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A coordinator that exchanges nothing and shows the state {@code status} supplies ({@link
 * Coordinator#status()}): for tests of what shows a coordinator's own state.
 */
public final class StatusCoordinator implements Coordinator {
  private final Supplier<Optional<Status>> status;

  /** Shows what {@code status} supplies each time it is asked. */
  public StatusCoordinator(Supplier<Optional<Status>> status) {
    this.status = status;
  }

  @Override
  public void start(Context context) {}

  @Override
  public void publishNow() {}

  @Override
  public void leave() {}

  @Override
  public void close() {}

  @Override
  public Optional<Status> status() {
    return status.get();
  }
}
