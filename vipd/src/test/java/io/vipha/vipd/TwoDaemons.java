package io.vipha.vipd;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The base of tests that steer two daemons of this JVM ({@link LocalDaemons#withOwner}, started
 * on first use and stopped after each test) with vipctl.
 */
abstract class TwoDaemons {
  @TempDir Path dir;
  private @Nullable LocalDaemons daemons;
  final VipctlRunner vipctl = new VipctlRunner();

  /** The daemons, started on first use; n1 holds both VIPs. */
  LocalDaemons d() throws Exception {
    LocalDaemons d = daemons;
    if (d == null) {
      d = LocalDaemons.withOwner(dir);
      daemons = d;
    }
    return d;
  }

  @AfterEach
  void stopDaemons() throws Exception {
    LocalDaemons d = daemons;
    if (d != null) {
      d.close();
    }
  }
}
