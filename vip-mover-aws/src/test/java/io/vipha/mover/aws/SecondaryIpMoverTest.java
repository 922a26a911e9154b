package io.vipha.mover.aws;

import static io.vipha.mover.aws.Ec2Fixture.FAST;
import static io.vipha.mover.aws.Ec2Fixture.TIMEOUT;
import static io.vipha.mover.aws.Ec2Fixture.await;
import static io.vipha.mover.aws.Ec2Fixture.vip;
import static org.assertj.core.api.Assertions.assertThat;

import io.vipha.VirtualIp;
import io.vipha.spi.MoverResult;
import io.vipha.spi.MoverResult.Outcome;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SecondaryIpMoverTest extends FakeEc2Test {
  static final String ENI_OTHER_SUBNET = "eni-0ccccccccccccccc3";
  static final VirtualIp VIP = vip("10.0.1.100/24");
  static final String KEY = "vipha:epoch:10.0.1.100";

  @BeforeEach
  void start() {
    fake.eni(ENI_OTHER_SUBNET, "subnet-0b", "10.0.2.30", null);
  }

  SecondaryIpMover mover(String node, String eni) {
    SecondaryIpMover m = Ec2Fixture.secondary(node,
        Ec2Fixture.settings(fake, credentials, "networkInterfaceId", eni), FAST);
    return closedAfter(m);
  }

  @Test
  void claimTagsTheInterfaceAssignsWithReassignmentAndReadsBack() {
    fake.assign(ENI_B, "10.0.1.100");

    MoverResult r = await(mover("a", ENI_A).claim(VIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(r.target()).isEqualTo(ENI_A);
    assertThat(r.version()).isEqualTo(ENI_A + "@5");
    assertThat(fake.eniState(ENI_A).secondary).containsExactly("10.0.1.100");
    assertThat(fake.eniState(ENI_B).secondary).isEmpty();
    assertThat(fake.eniState(ENI_A).tags).containsEntry(KEY, "5");
    assertThat(fake.log()).extracting(l -> l.substring(0, l.indexOf(' '))).containsExactly(
        "DescribeNetworkInterfaces", "DescribeNetworkInterfaces", "DescribeNetworkInterfaces",
        "CreateTags", "AssignPrivateIpAddresses", "DescribeNetworkInterfaces");
    assertThat(fake.log().get(4)).contains("AllowReassignment=true");
    assertThat(fake.log().get(1)).contains("Filter.1.Name=tag-key", "Filter.1.Value.1=" + KEY,
        "Filter.2.Name=subnet-id", "Filter.2.Value.1=subnet-0a");
  }

  @Test
  void theSubnetIsReadOnceAndAVipdManagedHolderNeedsOneDescribe() {
    SecondaryIpMover a = mover("a", ENI_A);
    await(a.claim(VIP, 5, null, TIMEOUT));
    fake.resetCounts();

    MoverResult r = await(a.observe(VIP, TIMEOUT));

    assertThat(r.target()).isEqualTo(ENI_A);
    assertThat(r.epoch()).isEqualTo(5);
    assertThat(fake.calls()).isEqualTo(1);
  }

  @Test
  void theHighestEpochOfAnyInterfaceInTheSubnetIsTheStoredOne() {
    fake.tag(ENI_B, KEY, "9");
    fake.tag(ENI_OTHER_SUBNET, KEY, "50");

    MoverResult observed = await(mover("a", ENI_A).observe(VIP, TIMEOUT));
    MoverResult stale = await(mover("a", ENI_A).claim(VIP, 7, null, TIMEOUT));

    assertThat(observed.epoch()).as("the other subnet's tag is another address").isEqualTo(9);
    assertThat(observed.target()).isNull();
    assertThat(stale.outcome()).isEqualTo(Outcome.STALE_EPOCH);
    assertThat(stale.epoch()).isEqualTo(9);
    assertThat(fake.calls("AssignPrivateIpAddresses")).isZero();
  }

  @Test
  void aLaterOwnerOutranksTheEarlierOneEvenAfterItReleased() {
    SecondaryIpMover a = mover("a", ENI_A);
    SecondaryIpMover b = mover("b", ENI_B);
    await(a.claim(VIP, 5, null, TIMEOUT));
    assertThat(await(b.claim(VIP, 6, null, TIMEOUT)).outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(await(b.release(VIP, 6, TIMEOUT)).outcome()).isEqualTo(Outcome.ACCEPTED);

    MoverResult r = await(a.claim(VIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.STALE_EPOCH);
    assertThat(r.epoch()).isEqualTo(6);
    assertThat(fake.eniState(ENI_A).secondary).isEmpty();
    assertThat(fake.eniState(ENI_B).secondary).isEmpty();
  }

  @Test
  void anAddressHeldWithoutATagIsFoundByItsAddress() {
    fake.assign(ENI_B, "10.0.1.100");

    MoverResult r = await(mover("a", ENI_A).observe(VIP, TIMEOUT));

    assertThat(r.target()).isEqualTo(ENI_B);
    assertThat(r.epoch()).isZero();
    assertThat(fake.log().get(2)).contains("addresses.private-ip-address");
  }

  @Test
  void claimOfAnAddressAlreadyHereRaisesOnlyTheTag() {
    SecondaryIpMover a = mover("a", ENI_A);
    await(a.claim(VIP, 5, null, TIMEOUT));
    fake.resetCounts();

    MoverResult same = await(a.claim(VIP, 5, null, TIMEOUT));
    MoverResult higher = await(a.claim(VIP, 6, null, TIMEOUT));

    assertThat(same.outcome()).isEqualTo(Outcome.ALREADY_OWNED);
    assertThat(higher.outcome()).isEqualTo(Outcome.ALREADY_OWNED);
    assertThat(higher.version()).isEqualTo(ENI_A + "@6");
    assertThat(fake.eniState(ENI_A).tags).containsEntry(KEY, "6");
    assertThat(fake.calls("CreateTags")).isEqualTo(1);
    assertThat(fake.calls("AssignPrivateIpAddresses")).isZero();
  }

  @Test
  void aRivalsHigherTagAfterTheMoveIsAConflict() {
    fake.after("AssignPrivateIpAddresses", f -> {
      f.assign(ENI_B, "10.0.1.100");
      f.tag(ENI_B, KEY, "8");
    });

    MoverResult r = await(mover("a", ENI_A).claim(VIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.CONFLICT);
    assertThat(r.target()).isEqualTo(ENI_B);
  }

  @Test
  void staleReadsAreReadAgain() {
    fake.staleReads(2);

    MoverResult r = await(mover("a", ENI_A).claim(VIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(fake.eniState(ENI_A).secondary).containsExactly("10.0.1.100");
  }

  @Test
  void releaseUnassignsAndLeavesTheTag() {
    SecondaryIpMover a = mover("a", ENI_A);
    await(a.claim(VIP, 5, null, TIMEOUT));

    MoverResult r = await(a.release(VIP, 5, TIMEOUT));
    MoverResult again = await(a.release(VIP, 5, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(fake.eniState(ENI_A).secondary).isEmpty();
    assertThat(fake.eniState(ENI_A).tags).containsEntry(KEY, "5");
    assertThat(again.outcome()).isEqualTo(Outcome.ALREADY_OWNED);
    assertThat(fake.calls("UnassignPrivateIpAddresses")).isEqualTo(1);
  }

  @Test
  void manyTaggedInterfacesAreReadPageByPage() {
    fake.pageSize(1).tag(ENI_B, KEY, "3");
    fake.tag(ENI_A, KEY, "2");

    MoverResult r = await(mover("a", ENI_A).observe(VIP, TIMEOUT));

    assertThat(r.epoch()).isEqualTo(3);
    assertThat(fake.log()).anyMatch(l -> l.contains("NextToken=1"));
  }

  @Test
  void anIpv6VipAndAnUnknownInterfaceFailClearly() {
    MoverResult v6 = await(mover("a", ENI_A).claim(vip("2001:db8::5/64"), 5, null, TIMEOUT));
    MoverResult unknown = await(mover("a", "eni-0ddddddddddddddd4").claim(VIP, 5, null,
        TIMEOUT));

    assertThat(v6.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(v6.detail()).contains("IPv4");
    assertThat(unknown.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(unknown.detail()).contains("InvalidNetworkInterfaceID.NotFound");
  }

  @Test
  void throttlingOfTheAssignIsThrottled() {
    fake.after("CreateTags", f -> f.throttle(1, 503, null));

    MoverResult r = await(mover("a", ENI_A).claim(VIP, 5, null, TIMEOUT));

    assertThat(r.outcome()).isEqualTo(Outcome.THROTTLED);
    assertThat(r.detail()).contains("AssignPrivateIpAddresses");
  }
}
