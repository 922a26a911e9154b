/**
 * vipha core: the VIP model, JSON configuration, the failover planner and the mode advisor.
 */
module io.vipha.core {
  requires static transitive org.jspecify;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports io.vipha;
  exports io.vipha.plan;
  exports io.vipha.health;
}
