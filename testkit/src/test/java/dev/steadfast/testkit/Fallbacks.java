package dev.steadfast.testkit;

/** What the run expects: real servers, or (profile embedded-fallbacks) every probe pointing at a closed port. */
final class Fallbacks {

  private Fallbacks() {}

  /** True when the probes point at closed ports, so the fixtures must fall back. */
  static boolean expected() {
    return Boolean.getBoolean("steadfast.testkit.expect-fallbacks");
  }
}
