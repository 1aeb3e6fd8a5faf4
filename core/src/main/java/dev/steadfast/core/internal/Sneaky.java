package dev.steadfast.core.internal;

/** Rethrows a throwable without wrapping it, checked or not: a pipeline reports the call's own exception. */
final class Sneaky {

  private Sneaky() {}

  @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
  static <E extends Throwable> E rethrow(Throwable t) throws E {
    throw (E) t;
  }
}
