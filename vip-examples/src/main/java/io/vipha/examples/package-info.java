/**
 * Runnable examples of vipha: {@link io.vipha.examples.SimulationDemo}, the simulated cluster
 * demo, and {@link io.vipha.examples.AdvisorExample}, the mode advisor.
 */
@NullMarked
package io.vipha.examples;

import org.jspecify.annotations.NullMarked;
