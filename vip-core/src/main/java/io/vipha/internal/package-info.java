/** Implementation helpers of vipha; not exported. */
@NullMarked
package io.vipha.internal;

import org.jspecify.annotations.NullMarked;
