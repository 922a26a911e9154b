@NullMarked
package io.vipha.sim;

import org.jspecify.annotations.NullMarked;
