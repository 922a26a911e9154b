/** Runnable examples of vipha, starting with {@link io.vipha.examples.AdvisorExample}. */
@NullMarked
package io.vipha.examples;

import org.jspecify.annotations.NullMarked;
