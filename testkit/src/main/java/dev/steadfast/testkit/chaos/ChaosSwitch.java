package dev.steadfast.testkit.chaos;

import java.util.function.BooleanSupplier;

/**
 * A thread-safe on-off switch for chaos, read on every call: flip it from the test while calls run.
 *
 * <pre>{@code
 * ChaosSwitch chaos = ChaosSwitch.off();
 * ChaosPolicy faults = ChaosPolicy.builder().injectionRate(0.5).fault().enabledWhen(chaos).build();
 * // ... warm up without chaos, then:
 * chaos.turnOn();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class ChaosSwitch implements BooleanSupplier {

  private volatile boolean on;

  private ChaosSwitch(boolean on) {
    this.on = on;
  }

  /** A switch that starts on. */
  public static ChaosSwitch on() {
    return new ChaosSwitch(true);
  }

  /** A switch that starts off. */
  public static ChaosSwitch off() {
    return new ChaosSwitch(false);
  }

  /** Turns chaos on for the calls that start from now. */
  public void turnOn() {
    on = true;
  }

  /** Turns chaos off for the calls that start from now. */
  public void turnOff() {
    on = false;
  }

  /** Whether chaos is on. */
  public boolean isOn() {
    return on;
  }

  @Override
  public boolean getAsBoolean() {
    return on;
  }

  @Override
  public String toString() {
    return "ChaosSwitch[" + (on ? "on" : "off") + "]";
  }
}
