/**
 * vipha core: the VIP model, JSON configuration, the failover planner, the node runtime and the
 * mode advisor. It exports the API and the SPI; {@code io.vipha.internal} stays inside, but for
 * the test kit's schedulers, which share its timer heap, and the netlink backend's VRRP decoder,
 * which shares its drop counters. The simulator and the in-memory stand-ins are module {@code
 * io.vipha.testkit} (vip-testkit).
 */
@SuppressWarnings("module") // io.vipha.testkit and io.vipha.netlink are built after this module
module io.vipha.core {
  requires static transitive org.jspecify;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires java.net.http;

  exports io.vipha;
  exports io.vipha.advisor;
  exports io.vipha.agent;
  exports io.vipha.config;
  exports io.vipha.health;
  exports io.vipha.mover;
  exports io.vipha.plan;
  exports io.vipha.spi;
  exports io.vipha.internal to io.vipha.testkit, io.vipha.netlink;

  uses io.vipha.spi.MoverProvider;

  provides io.vipha.spi.MoverProvider with io.vipha.mover.ExecMoverProvider;
}
