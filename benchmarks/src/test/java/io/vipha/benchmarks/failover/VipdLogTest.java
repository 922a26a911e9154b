package io.vipha.benchmarks.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link VipdLog} on vipd's log lines (slf4j-simple, the format of vipd's resources). */
class VipdLogTest {
  @Test
  void sortsVipdsEventLinesByKind() {
    List<VipdLog.Line> lines = VipdLog.parse("""
        2026-11-26T11:02:12.143Z INFO vipd - acquired 192.0.2.10/24 on eth0 (ELECTED)
        2026-11-26T11:02:13.000Z WARN vipd - event loop stalled for 45 ms; peers may have \
        declared this node dead
        2026-11-26T11:02:13.010Z INFO vipd - released 192.0.2.10/24 on eth0 (STALLED)
        2026-11-26T11:02:13.020Z WARN vipd - peer n1 down: no heartbeat for the dead-after time
        2026-11-26T11:02:13.030Z INFO vipd - peer n1 suspect: a heartbeat is late
        2026-11-26T11:02:13.040Z INFO vipd - peer n1 up (incarnation 3)
        2026-11-26T12:02:13.050+01:00 WARN vipd - quorum lost: 1 node(s) reachable, 2 required
        2026-11-26T11:02:13.055Z WARN vipd - conflict: peer n3 also holds 192.0.2.10/24 on eth0; \
        re-announced it
        2026-11-26T11:02:13.060Z INFO vipd - started; SIGTERM or SIGINT stops gracefully
        pressure: 149.8 MB/s over the last 60 s (ring 15 MB)
        OpenJDK 64-Bit Server VM warning: something

        """);
    assertThat(lines).extracting(VipdLog.Line::kind).containsExactly("acquired", "stalled",
        "released", "peer down", VipdLog.SUSPECT, "peer up", "quorum", "conflict", "log",
        "pressure", "output");
    assertThat(lines.get(0).at()).isEqualTo(Instant.parse("2026-11-26T11:02:12.143Z"));
    assertThat(lines.get(6).at()).isEqualTo(Instant.parse("2026-11-26T11:02:13.050Z"));
    assertThat(lines.get(9).at()).isNull();
    assertThat(VipdLog.pressureRates(lines)).containsExactly(149.8);
    assertThat(lines).filteredOn(l -> VipdLog.isFailover(l.kind())).extracting(VipdLog.Line::kind)
        .containsExactly("acquired", "stalled", "released", "peer down", "quorum", "conflict",
            "log");
  }

  @Test
  void measuresHowLongEachLateHeartbeatKeptItsPeerSuspect() {
    List<VipdLog.Line> lines = VipdLog.parse("""
        2026-11-26T11:02:13.000Z DEBUG vipd - peer n2 suspect: a heartbeat is late
        2026-11-26T11:02:13.003Z DEBUG vipd - peer n3 suspect: a heartbeat is late
        2026-11-26T11:02:13.004Z DEBUG vipd - peer n2 suspect: a heartbeat is late
        2026-11-26T11:02:13.012Z DEBUG vipd - peer n2 up (incarnation 3)
        2026-11-26T11:02:13.020Z WARN vipd - peer n3 down: no heartbeat for the dead-after time
        2026-11-26T11:02:13.500Z DEBUG vipd - peer n3 up (incarnation 4)
        2026-11-26T11:02:14.000Z DEBUG vipd - peer n2 suspect: a heartbeat is late
        """);
    // n2: 12 ms from its first suspect; n3 went down (no late heartbeat); n2's last is open.
    assertThat(VipdLog.suspectMs(lines)).containsExactly(12.0);
  }
}
