package io.vipha;

/**
 * How many of a group's nodes a node must see alive (itself included) before it may own VIPs.
 *
 * @param kind {@link Kind#NONE}, {@link Kind#MAJORITY} or {@link Kind#SIZE}
 * @param size the explicit size for {@link Kind#SIZE}, otherwise 0
 */
public record Quorum(Kind kind, int size) {
  /** The kinds of quorum. */
  public enum Kind {
    /** No quorum: a node alone may own VIPs (two-node pairs, keepalived-like behaviour). */
    NONE,
    /** More than half of the configured nodes. */
    MAJORITY,
    /** An explicit number of nodes. */
    SIZE
  }

  private static final Quorum NONE = new Quorum(Kind.NONE, 0);
  private static final Quorum MAJORITY = new Quorum(Kind.MAJORITY, 0);

  /** Checks that {@code size} is set exactly for {@link Kind#SIZE}. */
  public Quorum {
    java.util.Objects.requireNonNull(kind, "kind");
    if (kind == Kind.SIZE ? size < 1 : size != 0) {
      throw new ValidationException(java.util.List.of(new ValidationException.Problem("quorum",
          String.valueOf(size), kind == Kind.SIZE ? "is not a valid quorum size; use 1 or more"
              : "sets a size on quorum " + kind + "; sizes belong to an explicit number")));
    }
  }

  /** No quorum. */
  public static Quorum none() {
    return NONE;
  }

  /** A majority of the configured nodes. */
  public static Quorum majority() {
    return MAJORITY;
  }

  /** Exactly {@code size} nodes, at least 1. */
  public static Quorum ofSize(int size) {
    return new Quorum(Kind.SIZE, size);
  }

  /** How many alive nodes are needed in a group of {@code nodeCount} nodes. */
  public int required(int nodeCount) {
    switch (kind) {
      case NONE:
        return 1;
      case MAJORITY:
        return nodeCount / 2 + 1;
      default:
        return size;
    }
  }

  @Override
  public String toString() {
    return kind == Kind.SIZE ? String.valueOf(size) : kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
