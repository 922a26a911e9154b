package io.vipha.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The timer heap: order, moving and removing entries, many entries, clock wrap-around. */
class TimerHeapTest {
  private static final class E extends TimerHeap.Entry {
    final String name;

    E(String name) {
      this.name = name;
    }
  }

  private static List<String> drain(TimerHeap<E> h) {
    List<String> out = new ArrayList<>();
    for (E e = h.poll(); e != null; e = h.poll()) {
      assertThat(e.queued()).isFalse();
      out.add(e.name);
    }
    return out;
  }

  @Test
  void entriesComeOutByDueTimeThenInTheOrderTheyWereQueued() {
    TimerHeap<E> h = new TimerHeap<>();
    h.add(new E("c"), 30);
    h.add(new E("a1"), 10);
    h.add(new E("b"), 20);
    h.add(new E("a2"), 10);
    assertThat(h.size()).isEqualTo(4);
    assertThat(h.peek()).extracting(e -> e.name).isEqualTo("a1");
    assertThat(drain(h)).containsExactly("a1", "a2", "b", "c");
    assertThat(h.peek()).isNull();
    assertThat(h.poll()).isNull();
  }

  @Test
  void addingAQueuedEntryMovesItEarlierOrLater() {
    TimerHeap<E> h = new TimerHeap<>();
    E x = new E("x");
    E y = new E("y");
    h.add(x, 10);
    h.add(y, 20);
    h.add(new E("m"), 15);
    h.add(x, 30); // later
    h.add(y, 5); // earlier
    assertThat(h.size()).isEqualTo(3);
    assertThat(x.due()).isEqualTo(30);
    assertThat(drain(h)).containsExactly("y", "m", "x");
  }

  @Test
  void reQueueingAtTheSameTimeGoesBehindTheOthersDueThen() {
    TimerHeap<E> h = new TimerHeap<>();
    E x = new E("x");
    h.add(x, 10);
    h.add(new E("y"), 10);
    h.add(x, 10);
    assertThat(drain(h)).containsExactly("y", "x");
  }

  @Test
  void removedEntriesAreGoneAndCanBeQueuedAgain() {
    TimerHeap<E> h = new TimerHeap<>();
    E a = new E("a");
    E b = new E("b");
    E c = new E("c");
    h.add(a, 1);
    h.add(b, 2);
    h.add(c, 3);
    assertThat(h.remove(b)).isTrue();
    assertThat(h.remove(b)).isFalse();
    assertThat(b.queued()).isFalse();
    assertThat(h.remove(c)).isTrue(); // the last one
    assertThat(drain(h)).containsExactly("a");
    h.add(b, 7);
    assertThat(drain(h)).containsExactly("b");
  }

  @Test
  void manyEntriesMovedAndRemovedAtRandomMatchASortedList() {
    Random r = new Random(42);
    TimerHeap<E> h = new TimerHeap<>();
    List<E> all = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      all.add(new E("e" + i));
    }
    for (int round = 0; round < 20_000; round++) {
      E e = all.get(r.nextInt(all.size()));
      if (r.nextInt(4) == 0) {
        h.remove(e);
      } else {
        h.add(e, r.nextInt(1_000));
      }
    }
    List<E> expected = new ArrayList<>();
    for (E e : all) {
      if (e.queued()) {
        expected.add(e);
      }
    }
    assertThat(h.size()).isEqualTo(expected.size()).isGreaterThan(1_000);
    expected.sort(Comparator.comparingLong(TimerHeap.Entry::due));
    List<Long> dues = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (E e = h.poll(); e != null; e = h.poll()) {
      dues.add(e.due());
      names.add(e.name);
    }
    assertThat(dues).isSorted().hasSize(expected.size());
    assertThat(names).containsExactlyInAnyOrderElementsOf(
        expected.stream().map(e -> e.name).toList());
  }

  @Test
  void dueTimesAreComparedAcrossTheWrapOfTheClock() {
    TimerHeap<E> h = new TimerHeap<>();
    long now = Long.MAX_VALUE - 5;
    h.add(new E("after the wrap"), TimerHeap.dueAfter(now, 10));
    h.add(new E("before it"), TimerHeap.dueAfter(now, 1));
    assertThat(drain(h)).containsExactly("before it", "after the wrap");
  }

  @Test
  void delaysAreCutToTheRangeTheClockCanCompare() {
    assertThat(TimerHeap.dueAfter(100, -5)).isEqualTo(100);
    assertThat(TimerHeap.dueAfter(100, Long.MAX_VALUE)).isEqualTo(100 + TimerHeap.MAX_DELAY);
    TimerHeap<E> h = new TimerHeap<>();
    h.add(new E("forever"), TimerHeap.dueAfter(0, Long.MAX_VALUE));
    h.add(new E("soon"), TimerHeap.dueAfter(0, 1));
    assertThat(drain(h)).containsExactly("soon", "forever");
  }
}
