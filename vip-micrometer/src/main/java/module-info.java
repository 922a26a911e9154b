/**
 * Micrometer metrics of a vipha agent: {@link io.vipha.micrometer.VipAgentMetrics} binds an agent
 * (and its heartbeat coordinator) to a meter registry.
 * Micrometer's jars are automatic modules; the API hands out their types, hence transitive.
 */
@SuppressWarnings("requires-transitive-automatic")
module io.vipha.micrometer {
  requires transitive io.vipha.core;
  requires transitive micrometer.core;
  requires static org.jspecify;

  exports io.vipha.micrometer;
}
