import java.nio.*;
import java.util.*;
import java.util.concurrent.locks.LockSupport;

/**
 * How much slower a compiled path runs when no thread touched it for a while, and how close to
 * its run a warm-up must come (docs/failover.md, "A warm take-over"). A path of about a
 * microsecond (a netlink-like request encoded into a direct buffer, a map lookup, a small
 * allocation) is compiled by 200,000 runs; then, 30 times per mode, the thread waits 300 ms and
 * times the path's first run and its second: parked, spinning, running the path again and again
 * in the last 250 µs (or every 20 µs in the last 400 µs), or running it once 1.5 ms (then
 * parking or spinning), 200 µs or 50 µs before. The waits stay in {@code main}, beside the
 * timed runs: a warm-up run from another method warmed the timed runs less (2.5 µs against
 * 0.7 µs), its call of the path being compiled into other code.
 *
 * <p>usage: {@code chrt -r 10 java benchmarks/ColdPath.java} (JDK 17 or later)
 */
public class ColdPath {
  static final Map<String, int[]> links = new HashMap<>();
  static final ByteBuffer buf = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
  static long sink;

  static long work() {
    long s = 0;
    for (int k = 0; k < 8; k++) {
      int[] l = links.get("veth" + (k % 4));
      buf.clear();
      buf.putInt(0).putShort((short) 20).putShort((short) 0x605).putInt(k).putInt(0);
      buf.put((byte) 2).put((byte) 24).put((byte) 0).put((byte) 0).putInt(l[0]);
      for (int a = 0; a < 4; a++) {
        buf.putShort((short) 8).putShort((short) a).putInt(0xc0000200 + a);
      }
      buf.putInt(0, buf.position());
      s += buf.getInt(0) + l[1];
      s += new StringBuilder("x").append(k).length();
    }
    return s;
  }

  static void spin(long until) {
    while (System.nanoTime() - until < 0) {
      Thread.onSpinWait();
    }
  }

  public static void main(String[] args) {
    for (int i = 0; i < 4; i++) {
      links.put("veth" + i, new int[] {i + 3, i});
    }
    for (int i = 0; i < 200_000; i++) {
      sink += work();
    }
    String[] modes = {"park", "spin300ms", "park+spinprep", "prep1.5+park", "prep1.5+spin",
        "prep200us+spin", "prep50us+spin", "prepevery20"};
    Map<String, List<Long>> first = new LinkedHashMap<>();
    Map<String, List<Long>> second = new LinkedHashMap<>();
    for (String m : modes) {
      first.put(m, new ArrayList<>());
      second.put(m, new ArrayList<>());
    }
    for (int r = 0; r < 30; r++) {
      for (String m : modes) {
        long due = System.nanoTime() + 300_000_000L;
        switch (m) {
          case "park" -> {
            while (System.nanoTime() - due < 0) {
              LockSupport.parkNanos(due - System.nanoTime());
            }
          }
          case "spin300ms" -> spin(due);
          case "prep1.5+park" -> {
            LockSupport.parkNanos(due - 1_500_000 - System.nanoTime());
            sink += work();
            LockSupport.parkNanos(due - 250_000 - System.nanoTime());
            spin(due);
          }
          case "prep1.5+spin" -> {
            LockSupport.parkNanos(due - 1_500_000 - System.nanoTime());
            sink += work();
            spin(due);
          }
          case "prep200us+spin" -> {
            LockSupport.parkNanos(due - 400_000 - System.nanoTime());
            spin(due - 200_000);
            sink += work();
            spin(due);
          }
          case "prep50us+spin" -> {
            LockSupport.parkNanos(due - 400_000 - System.nanoTime());
            spin(due - 50_000);
            sink += work();
            spin(due);
          }
          case "prepevery20" -> {
            LockSupport.parkNanos(due - 400_000 - System.nanoTime());
            while (System.nanoTime() - due < 0) {
              sink += work();
              spin(Math.min(due, System.nanoTime() + 20_000));
            }
          }
          case "park+spinprep" -> {
            LockSupport.parkNanos(due - 250_000 - System.nanoTime());
            while (System.nanoTime() - due < 0) {
              sink += work();
            }
          }
          default -> throw new IllegalArgumentException(m);
        }
        long t0 = System.nanoTime();
        sink += work();
        long t1 = System.nanoTime();
        sink += work();
        long t2 = System.nanoTime();
        first.get(m).add(t1 - t0);
        second.get(m).add(t2 - t1);
      }
    }
    for (String m : modes) {
      List<Long> f = first.get(m);
      List<Long> s = second.get(m);
      Collections.sort(f);
      Collections.sort(s);
      System.out.printf("%-14s first median %6.1f us p90 %6.1f | second median %6.1f us%n", m,
          f.get(f.size() / 2) / 1e3, f.get(f.size() * 9 / 10) / 1e3, s.get(s.size() / 2) / 1e3);
    }
    System.out.println(sink);
  }
}
