/**
 * vipha core: the VIP model, JSON configuration, the failover planner, the mode advisor and the
 * health checks.
 */
module io.vipha.core {
  requires static transitive org.jspecify;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires java.net.http;

  exports io.vipha;
  exports io.vipha.plan;
  exports io.vipha.health;
}
