/**
 * Address movers that ship with vipha: {@link io.vipha.mover.ExecMover}, which runs a command of
 * the user's for each move (type {@code exec}). Cloud movers live in modules of their own.
 */
@NullMarked
package io.vipha.mover;

import org.jspecify.annotations.NullMarked;
