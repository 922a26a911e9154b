package io.vipha.mover.aws;

import static io.vipha.mover.aws.Ec2Fixture.FAST;
import static io.vipha.mover.aws.Ec2Fixture.TIMEOUT;
import static io.vipha.mover.aws.Ec2Fixture.await;
import static io.vipha.mover.aws.Ec2Fixture.vip;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VirtualIp;
import io.vipha.spi.MoverResult;
import io.vipha.spi.MoverResult.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ElasticIpMoverTest extends FakeEc2Test {
  static final String ALLOC = "eipalloc-0aaaaaaaaaaaaaaa1";
  static final VirtualIp EIP = vip("203.0.113.7/32");

  @BeforeEach
  void start() {
    fake.eip(ALLOC, "203.0.113.7");
  }

  ElasticIpMover mover(String node, String eni, String... more) {
    List<String> kv = new ArrayList<>(List.of("allocationId", ALLOC, "networkInterfaceId", eni));
    kv.addAll(List.of(more));
    ElasticIpMover m = Ec2Fixture.eip(node,
        Ec2Fixture.settings(fake, credentials, kv.toArray(String[]::new)), FAST);
    return closedAfter(m);
  }

  @Test
  void observeOfAnUnassociatedAddressFindsNoTargetAndNoEpoch() {
    MoverResult r = await(mover("a", ENI_A).observe(EIP, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(r.target()).isNull();
    assertThat(r.epoch()).isZero();
    assertThat(r.version()).isEqualTo("none@0");
    assertThat(fake.calls()).isEqualTo(1);
  }

  @Test
  void claimTagsAssociatesAndReadsBack() {
    MoverResult r = await(mover("a", ENI_A).claim(EIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(r.target()).isEqualTo(ENI_A);
    assertThat(r.epoch()).isEqualTo(5);
    FakeEc2.Eip state = fake.eipState(ALLOC);
    assertThat(state.eni).isEqualTo(ENI_A);
    assertThat(state.privateIp).isEqualTo("10.0.1.10");
    assertThat(state.tags).containsEntry("vipha:epoch", "5").containsEntry("vipha:node", "a");
    assertThat(r.version()).isEqualTo(state.associationId + "@5");
    assertThat(fake.log()).extracting(l -> l.substring(0, l.indexOf(' ')))
        .containsExactly("DescribeAddresses", "CreateTags", "AssociateAddress",
            "DescribeAddresses");
    assertThat(fake.log().get(2)).contains("AllowReassociation=true");
  }

  @Test
  void claimAgainUnderTheSameEpochIsAlreadyOwnedWithoutAWrite() {
    ElasticIpMover a = mover("a", ENI_A);
    await(a.claim(EIP, 5, null, TIMEOUT));
    fake.resetCounts();

    MoverResult r = await(a.claim(EIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.ALREADY_OWNED);
    assertThat(r.target()).isEqualTo(ENI_A);
    assertThat(fake.calls()).isEqualTo(1);
  }

  @Test
  void claimUnderAHigherEpochOfAnOwnedAddressRaisesTheTagOnly() {
    ElasticIpMover a = mover("a", ENI_A);
    await(a.claim(EIP, 5, null, TIMEOUT));
    String association = fake.eipState(ALLOC).associationId;
    fake.resetCounts();

    MoverResult r = await(a.claim(EIP, 8, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.ALREADY_OWNED);
    assertThat(r.epoch()).isEqualTo(8);
    assertThat(r.version()).isEqualTo(association + "@8");
    assertThat(fake.eipState(ALLOC).tags).containsEntry("vipha:epoch", "8");
    assertThat(fake.eipState(ALLOC).associationId).isEqualTo(association);
    assertThat(fake.calls("AssociateAddress")).isZero();
  }

  @Test
  void claimUnderALowerEpochThanStoredIsStaleAndMovesNothing() {
    fake.associate(ALLOC, ENI_B);
    fake.tag(ALLOC, "vipha:epoch", "9");

    MoverResult r = await(mover("a", ENI_A).claim(EIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.STALE_EPOCH);
    assertThat(r.epoch()).isEqualTo(9);
    assertThat(r.target()).isEqualTo(ENI_B);
    assertThat(fake.eipState(ALLOC).eni).isEqualTo(ENI_B);
    assertThat(fake.calls("CreateTags") + fake.calls("AssociateAddress")).isZero();
  }

  @Test
  void aLaterOwnerOutranksTheEarlierOneWhoseClaimAndReleaseAreThenStale() {
    ElasticIpMover a = mover("a", ENI_A);
    ElasticIpMover b = mover("b", ENI_B);
    assertThat(await(a.claim(EIP, 5, null, TIMEOUT)).outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(await(b.claim(EIP, 6, null, TIMEOUT)).outcome()).isEqualTo(Outcome.ACCEPTED);

    MoverResult claim = await(a.claim(EIP, 5, null, TIMEOUT));
    MoverResult release = await(a.release(EIP, 5, TIMEOUT));

    assertThat(claim.outcome()).isEqualTo(Outcome.STALE_EPOCH);
    assertThat(release.outcome()).isEqualTo(Outcome.STALE_EPOCH);
    assertThat(fake.eipState(ALLOC).eni).isEqualTo(ENI_B);
    assertThat(fake.eipState(ALLOC).tags).containsEntry("vipha:node", "b");
  }

  @Test
  void claimWithAnExpectedVersionThatNoLongerHoldsIsAConflict() {
    ElasticIpMover a = mover("a", ENI_A);
    String seen = await(a.observe(EIP, TIMEOUT)).version();
    fake.associate(ALLOC, ENI_B);

    MoverResult r = await(a.claim(EIP, 5, seen, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.CONFLICT);
    assertThat(r.target()).isEqualTo(ENI_B);
    assertThat(fake.eipState(ALLOC).eni).isEqualTo(ENI_B);
  }

  @Test
  void claimWithTheExpectedVersionGoesThrough() {
    ElasticIpMover a = mover("a", ENI_A);
    fake.associate(ALLOC, ENI_B);
    String seen = await(a.observe(EIP, TIMEOUT)).version();

    MoverResult r = await(a.claim(EIP, 5, seen, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(fake.eipState(ALLOC).eni).isEqualTo(ENI_A);
  }

  @Test
  void aHigherEpochReadBackAfterTheMoveIsAConflict() {
    fake.after("AssociateAddress", f -> {
      f.associate(ALLOC, ENI_B);
      f.tag(ALLOC, "vipha:epoch", "7");
    });

    MoverResult r = await(mover("a", ENI_A).claim(EIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.CONFLICT);
    assertThat(r.target()).isEqualTo(ENI_B);
    assertThat(r.detail()).contains("epoch 7");
  }

  @Test
  void anotherAssociationReadBackUnderOurEpochIsAConflict() {
    fake.after("AssociateAddress", f -> f.associate(ALLOC, ENI_B));

    MoverResult r = await(mover("a", ENI_A).claim(EIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.CONFLICT);
    assertThat(r.target()).isEqualTo(ENI_B);
    assertThat(fake.calls("DescribeAddresses")).isEqualTo(1 + FAST.reads());
  }

  @Test
  void staleReadsAfterTheWriteAreReadAgainUntilTheMoveShows() {
    fake.staleReads(2);

    MoverResult r = await(mover("a", ENI_A).claim(EIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(fake.calls("DescribeAddresses")).isEqualTo(1 + 3);
  }

  @Test
  void aMoveStillInvisibleAfterTheBoundedReadsIsTimedOutAndARetryFindsItOwned() {
    fake.staleReads(FAST.reads() + 1);
    ElasticIpMover a = mover("a", ENI_A);

    MoverResult r = await(a.claim(EIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.TIMED_OUT);
    assertThat(r.detail()).contains("not visible yet after " + FAST.reads() + " reads");
    assertThat(fake.calls("DescribeAddresses")).isEqualTo(1 + FAST.reads());
    fake.staleReads(0);
    assertThat(await(a.claim(EIP, 5, null, TIMEOUT)).outcome())
        .isEqualTo(Outcome.ALREADY_OWNED);
  }

  @Test
  void requestLimitExceededIsThrottledWithTheDefaultWait() {
    fake.throttle(1, 503, null);

    MoverResult r = await(mover("a", ENI_A).claim(EIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.THROTTLED);
    assertThat(r.retryAfter()).isEqualTo(Ec2Errors.DEFAULT_RETRY_AFTER);
    assertThat(r.detail()).contains("DescribeAddresses", "RequestLimitExceeded");
    assertThat(fake.calls()).as("no retry inside the SDK").isEqualTo(1);
  }

  @Test
  void throttlingTakesItsWaitFromRetryAfterAndHttp429Counts() {
    fake.throttle(1, 429, 7);

    MoverResult r = await(mover("a", ENI_A).observe(EIP, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.THROTTLED);
    assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void throttlingOfTheWriteIsThrottledToo() {
    ElasticIpMover a = mover("a", ENI_A);
    fake.after("CreateTags", f -> f.throttle(1, 503, null));

    MoverResult r = await(a.claim(EIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.THROTTLED);
    assertThat(r.detail()).contains("AssociateAddress");
    assertThat(fake.eipState(ALLOC).associationId).isNull();
  }

  @Test
  void aCallWithoutAnswerTimesOutWithinTheCallsTimeout() {
    fake.hang(1, "AssociateAddress");
    Duration timeout = Duration.ofMillis(800);
    long start = System.nanoTime();

    MoverResult r = await(mover("a", ENI_A).claim(EIP, 5, null, timeout));

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(r.outcome()).isEqualTo(Outcome.TIMED_OUT);
    assertThat(took).as("not the 60 s the fake hangs").isGreaterThanOrEqualTo(timeout)
        .isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void aMoveThatEc2AppliedAfterTheTimeoutIsFoundOwnedByTheRetry() {
    ElasticIpMover a = mover("a", ENI_A);
    fake.hang(1, "AssociateAddress", true);

    MoverResult first = await(a.claim(EIP, 5, null, Duration.ofMillis(800)));
    MoverResult retry = await(a.claim(EIP, 5, null, TIMEOUT));

    assertThat(first.outcome()).isEqualTo(Outcome.TIMED_OUT);
    assertThat(retry.outcome()).isEqualTo(Outcome.ALREADY_OWNED);
    assertThat(fake.calls("AssociateAddress")).isEqualTo(1);
  }

  @Test
  void aRefusedCallNamesThePermissionAndAnUnknownAllocationItsError() {
    fake.deny("AssociateAddress");
    MoverResult denied = await(mover("a", ENI_A).claim(EIP, 5, null, TIMEOUT));
    ElasticIpMover unknown = closedAfter(Ec2Fixture.eip("a", Ec2Fixture.settings(fake, credentials,
        "allocationId", "eipalloc-0ccccccccccccccc3", "networkInterfaceId", ENI_A), FAST));
    MoverResult missing = await(unknown.claim(EIP, 5, null, TIMEOUT));

    assertThat(denied.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(denied.detail()).contains("UnauthorizedOperation", "ec2:AssociateAddress");
    assertThat(missing.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(missing.detail()).contains("InvalidAllocationID.NotFound");
  }

  @Test
  void releaseDisassociatesAndKeepsTheEpochAsTheHighWaterMark() {
    ElasticIpMover a = mover("a", ENI_A);
    await(a.claim(EIP, 5, null, TIMEOUT));

    MoverResult r = await(a.release(EIP, 5, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(fake.eipState(ALLOC).associationId).isNull();
    assertThat(fake.eipState(ALLOC).tags).containsEntry("vipha:epoch", "5");
    assertThat(await(mover("b", ENI_B).claim(EIP, 4, null, TIMEOUT)).outcome())
        .isEqualTo(Outcome.STALE_EPOCH);
  }

  @Test
  void releaseOfAnAddressPointingElsewhereDoesNothing() {
    fake.associate(ALLOC, ENI_B);

    MoverResult r = await(mover("a", ENI_A).release(EIP, 5, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.ALREADY_OWNED);
    assertThat(r.target()).isEqualTo(ENI_B);
    assertThat(fake.eipState(ALLOC).eni).isEqualTo(ENI_B);
    assertThat(fake.calls("DisassociateAddress")).isZero();
  }

  @Test
  void withoutAllocationIdTheElasticIpIsFoundByTheVipsAddress() {
    ElasticIpMover a = closedAfter(Ec2Fixture.eip("a", Ec2Fixture.settings(fake, credentials,
        "instanceId", "i-0aaaaaaaaaaaaaaa1"), FAST));

    MoverResult r = await(a.claim(EIP, 3, null, TIMEOUT));
    MoverResult other = await(a.claim(vip("198.51.100.9/32"), 3, null, TIMEOUT));
    MoverResult v6 = await(a.claim(vip("2001:db8::9/128"), 3, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(fake.eipState(ALLOC).instance).isEqualTo("i-0aaaaaaaaaaaaaaa1");
    assertThat(fake.log().get(0)).contains("PublicIp.1=203.0.113.7");
    assertThat(other.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(other.detail()).contains("InvalidAddress.NotFound");
    assertThat(v6.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(v6.detail()).contains("IPv4");
  }

  @Test
  void aPrivateAddressSettingPicksTheAssociatedAddress() {
    fake.assign(ENI_A, "10.0.1.11");
    ElasticIpMover a = mover("a", ENI_A, "privateIpAddress", "10.0.1.11");
    fake.associate(ALLOC, ENI_A);

    MoverResult r = await(a.claim(EIP, 2, null, TIMEOUT));

    assertThat(r.outcome()).as("on the primary address, not ours yet").isEqualTo(Outcome.ACCEPTED);
    assertThat(fake.eipState(ALLOC).privateIp).isEqualTo("10.0.1.11");
  }

  @Test
  void anUnreadableEpochTagFailsWithAClearDetail() {
    fake.tag(ALLOC, "vipha:epoch", "soon");

    MoverResult r = await(mover("a", ENI_A).claim(EIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.detail()).contains("vipha:epoch", "\"soon\"", "not an epoch");
  }

  @Test
  void afterCloseEveryCallFails() {
    ElasticIpMover a = mover("a", ENI_A);
    a.close();

    MoverResult r = await(a.claim(EIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.detail()).contains("closed");
    assertThat(fake.calls()).isZero();
  }
}
