package io.vipha.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.spi.Cancellable;
import io.vipha.spi.Scheduler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShadowLoopTest {
  @Test
  void runsWhatIsDueInTimeOrderOnlyWhenAdvanced() {
    ShadowLoop loop = new ShadowLoop();
    List<String> ran = new ArrayList<>();
    loop.schedule(30, () -> ran.add("c@" + loop.nanoTime()));
    loop.schedule(10, () -> {
      ran.add("a@" + loop.nanoTime());
      loop.schedule(5, () -> ran.add("b@" + loop.nanoTime()));
    });
    loop.execute(() -> ran.add("now@" + loop.nanoTime()));
    Cancellable gone = loop.schedule(20, () -> ran.add("cancelled"));
    assertThat(ran).isEmpty();
    gone.cancel();

    loop.advance(29);
    assertThat(ran).containsExactly("now@0", "a@10", "b@15");
    assertThat(loop.nanoTime()).isEqualTo(29);
    assertThat(loop.pending()).isEqualTo(1);
    loop.advance(1);
    assertThat(ran).containsExactly("now@0", "a@10", "b@15", "c@30");
    assertThat(loop.wallMillis()).isZero();
    assertThat(loop.pending()).isZero();
  }

  @Test
  void timersRearm() {
    ShadowLoop loop = new ShadowLoop();
    int[] fired = new int[1];
    Scheduler.Timer t = loop.timer(() -> fired[0]++);
    t.arm(1_000_000);
    t.arm(3_000_000); // moved
    loop.advance(2_000_000);
    assertThat(fired[0]).isZero();
    loop.advance(1_000_000);
    assertThat(fired[0]).isEqualTo(1);
    assertThat(loop.wallMillis()).isEqualTo(3);
  }
}
