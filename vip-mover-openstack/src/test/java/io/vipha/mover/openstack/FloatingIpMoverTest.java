package io.vipha.mover.openstack;

import static io.vipha.mover.openstack.FakeOpenStack.FIP;
import static io.vipha.mover.openstack.FakeOpenStack.PORT_A;
import static io.vipha.mover.openstack.FakeOpenStack.PORT_B;
import static io.vipha.mover.openstack.FakeOpenStack.PORT_C;
import static io.vipha.mover.openstack.FakeOpenStack.VIP;
import static io.vipha.mover.openstack.FakeOpenStack.await;
import static io.vipha.mover.openstack.FakeOpenStack.claim;
import static io.vipha.mover.openstack.FakeOpenStack.observe;
import static io.vipha.mover.openstack.FakeOpenStack.release;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.spi.MoverResult;
import io.vipha.spi.MoverResult.Outcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FloatingIpMoverTest {
  private FakeOpenStack cloud;
  private NeutronMover<?> a;
  private NeutronMover<?> b;

  @BeforeEach
  void start() throws Exception {
    cloud = new FakeOpenStack();
    a = cloud.floatingIp("a", PORT_A);
    b = cloud.floatingIp("b", PORT_B);
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    cloud.close();
  }

  @Test
  void observeReportsThePortTheRevisionAndTheStoredEpoch() {
    MoverResult r = observe(a);

    assertThat(r.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(r.target()).isEqualTo(PORT_C);
    assertThat(r.version()).isEqualTo("1");
    assertThat(r.epoch()).isZero();
  }

  @Test
  void claimPointsTheFloatingIpAtThisPortAndStoresTheEpochTag() {
    MoverResult r = claim(a, 7);

    assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ACCEPTED);
    assertThat(r.target()).isEqualTo(PORT_A);
    assertThat(r.epoch()).isEqualTo(7);
    assertThat(cloud.fipPort()).isEqualTo(PORT_A);
    assertThat(cloud.neutron.state("floatingips/" + FIP).path("fixed_ip_address").asText())
        .isEqualTo("192.0.2.21");
    assertThat(cloud.neutron.state("floatingips/" + FIP).path("tags").toString())
        .isEqualTo("[\"vipha-epoch-7\"]");
    assertThat(r.version()).isEqualTo("3"); // one write for the port, one for the tag
    List<String> writes = cloud.neutron.calls().stream()
        .filter(c -> c.method().equals("PUT")).map(FakeNeutron.Call::path).toList();
    assertThat(writes).containsExactly("/v2.0/floatingips/" + FIP,
        "/v2.0/floatingips/" + FIP + "/tags");
  }

  @Test
  void claimKeepsTagsOfOthersAndSendsTheFixedIpWhenSet() throws Exception {
    cloud.neutron.write("floatingips/" + FIP, f -> f.putArray("tags").add("team-web"));
    NeutronMover<?> fixed = (NeutronMover<?>) new FloatingIpMoverProvider(cloud.environment())
        .create("a", java.util.Map.of("floatingIpId", FIP, "portId", PORT_A,
            "fixedIpAddress", "192.0.2.99"));
    try {
      assertThat(claim(fixed, 3).outcome()).isEqualTo(Outcome.ACCEPTED);
      assertThat(cloud.neutron.state("floatingips/" + FIP).path("fixed_ip_address").asText())
          .isEqualTo("192.0.2.99");
      assertThat(cloud.neutron.state("floatingips/" + FIP).path("tags").toString())
          .isEqualTo("[\"team-web\",\"vipha-epoch-3\"]");
      // The same port with another fixed IP is not ours.
      cloud.neutron.write("floatingips/" + FIP, f -> f.put("fixed_ip_address", "192.0.2.21"));
      assertThat(claim(fixed, 3).outcome()).isEqualTo(Outcome.ACCEPTED);
    } finally {
      fixed.close();
    }
  }

  @Test
  void claimingAgainUnderTheSameOrAHigherEpochIsAlreadyOwnedAndRaisesTheTag() {
    claim(a, 7);
    cloud.neutron.clearCalls();

    MoverResult same = claim(a, 7);
    assertThat(same.outcome()).isEqualTo(Outcome.ALREADY_OWNED);
    assertThat(cloud.neutron.calls()).hasSize(1); // one read, no write

    MoverResult higher = claim(a, 9);
    assertThat(higher.outcome()).isEqualTo(Outcome.ALREADY_OWNED);
    assertThat(higher.epoch()).isEqualTo(9);
    assertThat(cloud.fipEpoch()).isEqualTo(9);
  }

  @Test
  void aLowerEpochThanTheStoredOneIsStaleWhoeverHoldsTheAddress() {
    claim(b, 10);

    FakeOpenStack.assertStale(claim(a, 9), 10, PORT_B);
    assertThat(cloud.fipPort()).isEqualTo(PORT_B);

    MoverResult own = claim(b, 8);
    assertThat(own.outcome()).isEqualTo(Outcome.STALE_EPOCH);
  }

  @Test
  void aHigherEpochTakesTheAddressFromAnotherNode() {
    claim(b, 10);

    MoverResult r = claim(a, 11);
    assertThat(r.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(cloud.fipPort()).isEqualTo(PORT_A);
    assertThat(cloud.fipEpoch()).isEqualTo(11);
  }

  @Test
  void anExpectedVersionThatNoLongerHoldsIsAConflictWithoutAWrite() {
    MoverResult seen = observe(a);
    cloud.neutron.write("floatingips/" + FIP, f -> f.put("description", "edited"));

    MoverResult r = await(a.claim(VIP, 5, seen.version(), FakeOpenStack.TIMEOUT));
    assertThat(r.outcome()).isEqualTo(Outcome.CONFLICT);
    assertThat(r.version()).isEqualTo("2");
    assertThat(cloud.fipPort()).isEqualTo(PORT_C);

    MoverResult ok = await(a.claim(VIP, 5, r.version(), FakeOpenStack.TIMEOUT));
    assertThat(ok.outcome()).as(ok.detail()).isEqualTo(Outcome.ACCEPTED);
  }

  @Test
  void a412ReadsAgainAndRetriesWhenTheEpochStillAllows() {
    cloud.neutron.interfere("floatingips/" + FIP, f -> f.put("description", "someone"));

    MoverResult r = claim(a, 5);
    assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.ACCEPTED);
    assertThat(cloud.fipPort()).isEqualTo(PORT_A);
    assertThat(cloud.neutron.calls().stream().filter(c -> c.status() == 412)).hasSize(1);
  }

  @Test
  void a412FromANewerOwnerEndsStale() {
    cloud.neutron.interfere("floatingips/" + FIP, f -> {
      f.put("port_id", PORT_B);
      f.putArray("tags").add("vipha-epoch-20");
    });

    FakeOpenStack.assertStale(claim(a, 5), 20, PORT_B);
    assertThat(cloud.fipPort()).isEqualTo(PORT_B);
  }

  @Test
  void twoConflictsInARowAreAConflict() {
    cloud.neutron.interfere("floatingips/" + FIP, f -> f.put("description", "one"))
        .interfere("floatingips/" + FIP, f -> f.put("description", "two"));

    MoverResult r = claim(a, 5);
    assertThat(r.outcome()).isEqualTo(Outcome.CONFLICT);
    assertThat(r.detail()).contains("412").contains("twice");
    assertThat(cloud.fipPort()).isEqualTo(PORT_C);
  }

  @Test
  void eventuallyConsistentReadsAreReadAgainUntilTheWriteShows() {
    cloud.neutron.staleReads(2);

    MoverResult r = claim(a, 4);
    assertThat(r.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(r.detail()).contains("read back 3 times");
    assertThat(r.version()).isEqualTo("3");
  }

  @Test
  void aWriteThatNeverShowsIsStillAcceptedAndSaysSo() {
    cloud.neutron.staleReads(50);

    MoverResult r = claim(a, 4);
    assertThat(r.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(r.version()).isNull();
    assertThat(r.detail()).contains("not yet visible");
    assertThat(cloud.fipPort()).isEqualTo(PORT_A);
  }

  @Test
  void throttlingIsThrottledWithRetryAfter() {
    cloud.neutron.throttle(1, 429, "7");
    MoverResult r = claim(a, 4);
    assertThat(r.outcome()).isEqualTo(Outcome.THROTTLED);
    assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(7));

    cloud.neutron.throttle(1, 503, "Mon, 01 Jun 2026 12:00:30 GMT");
    MoverResult unavailable = claim(a, 4);
    assertThat(unavailable.outcome()).isEqualTo(Outcome.THROTTLED);
    assertThat(unavailable.retryAfter()).isEqualTo(Duration.ofSeconds(30));

    assertThat(claim(a, 4).outcome()).isEqualTo(Outcome.ACCEPTED);
  }

  @Test
  void aRequestThatNeverAnswersTimesOutWithinTheTimeout() {
    cloud.neutron.hang(1);
    long start = System.nanoTime();

    MoverResult r = await(a.claim(VIP, 4, null, Duration.ofMillis(300)));

    assertThat(r.outcome()).isEqualTo(Outcome.TIMED_OUT);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(claim(a, 4).outcome()).isEqualTo(Outcome.ACCEPTED);
  }

  @Test
  void latencyBeyondTheTimeoutIsTimedOut() {
    cloud.neutron.latency(Duration.ofMillis(400));

    assertThat(await(a.observe(VIP, Duration.ofMillis(150))).outcome())
        .isEqualTo(Outcome.TIMED_OUT);
    assertThat(await(a.observe(VIP, Duration.ofSeconds(5))).outcome())
        .isEqualTo(Outcome.ACCEPTED);
  }

  @Test
  void a401AuthenticatesAgainOnceAndAnExpiredTokenIsRenewed() {
    claim(a, 1);
    assertThat(cloud.keystone.issued()).hasSize(1);

    cloud.keystone.revokeAll();
    assertThat(claim(a, 2).outcome()).isEqualTo(Outcome.ALREADY_OWNED);
    assertThat(cloud.keystone.issued()).hasSize(2);

    cloud.clock.advance(Duration.ofMinutes(59).plusSeconds(30));
    assertThat(observe(a).outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(cloud.keystone.issued()).hasSize(3);
    assertThat(cloud.neutron.calls().stream().filter(c -> c.status() == 401)).hasSize(1);
  }

  @Test
  void refusedCredentialsFail() {
    cloud.keystone.user("vipha", "rotated");

    MoverResult r = claim(a, 1);
    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.detail()).contains("Keystone refused").contains("user vipha")
        .doesNotContain(FakeOpenStack.PASSWORD);
  }

  @Test
  void aTokenNeutronRefusesTwiceFails() {
    claim(a, 1);
    cloud.neutron.fail(401, "Unauthorized", "no").fail(401, "Unauthorized", "no");

    MoverResult r = claim(a, 2);
    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.detail()).contains("401");
    assertThat(cloud.keystone.issued()).hasSize(2);
  }

  @Test
  void neutronErrorsMapToFailedOrConflict() {
    cloud.neutron.fail(404, "FloatingIPNotFound", "Floating IP could not be found.");
    MoverResult missing = claim(a, 1);
    assertThat(missing.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(missing.detail()).contains("404").contains("could not be found");

    cloud.neutron.fail(403, "PolicyNotAuthorized", "rule:update_floatingip is disallowed");
    MoverResult forbidden = claim(a, 1);
    assertThat(forbidden.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(forbidden.detail()).contains("policy").contains("update_floatingip");

    cloud.neutron.fail(500, "InternalServerError", "boom");
    assertThat(claim(a, 1).outcome()).isEqualTo(Outcome.FAILED);

    cloud.neutron.fail("PUT", 409, "FloatingIPPortAlreadyAssociated", "port has a floating IP");
    MoverResult taken = claim(a, 1);
    assertThat(taken.outcome()).isEqualTo(Outcome.CONFLICT);
    assertThat(taken.detail()).contains("409").contains("port has a floating IP");
    assertThat(cloud.fipPort()).isEqualTo(PORT_C);
  }

  @Test
  void releaseLetsGoOnlyOfWhatIsStillOurs() {
    claim(a, 5);

    assertThat(release(b, 5).detail()).contains("nothing to release");
    assertThat(cloud.fipPort()).isEqualTo(PORT_A);

    assertThat(release(a, 4).outcome()).isEqualTo(Outcome.STALE_EPOCH);
    assertThat(cloud.fipPort()).isEqualTo(PORT_A);

    MoverResult r = release(a, 5);
    assertThat(r.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(r.target()).isNull();
    assertThat(cloud.fipPort()).isNull();
    assertThat(cloud.fipEpoch()).as("the fence stays after a release").isEqualTo(5);
    assertThat(claim(b, 4).outcome()).isEqualTo(Outcome.STALE_EPOCH);
  }

  @Test
  void aClosedMoverFailsItsCallsAndAnsweredNoneLate() {
    observe(a); // the token
    cloud.neutron.hang(1);
    var hanging = a.claim(VIP, 4, null, Duration.ofMinutes(5));
    var queued = a.observe(VIP, Duration.ofMinutes(5));

    a.close();

    assertThat(await(hanging).detail()).contains("closed");
    assertThat(await(queued).outcome()).isEqualTo(Outcome.FAILED);
    assertThat(observe(a).outcome()).isEqualTo(Outcome.FAILED);
  }
}
