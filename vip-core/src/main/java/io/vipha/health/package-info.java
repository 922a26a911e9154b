/**
 * Health checks: TCP, HTTP(S), exec and Java probes with rise/fall hysteresis, and the
 * {@link io.vipha.health.HealthMonitor} that runs them and turns their state into a priority
 * adjustment or a disqualification.
 *
 * <p>Instants are {@code long} nanoseconds on the caller's clock (see {@link
 * io.vipha.health.HealthMonitor.Builder#clock(java.util.function.LongSupplier)}).
 */
@NullMarked
package io.vipha.health;

import org.jspecify.annotations.NullMarked;
