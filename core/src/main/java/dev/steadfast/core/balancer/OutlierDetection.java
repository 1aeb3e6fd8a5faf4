package dev.steadfast.core.balancer;

import java.time.Duration;
import java.util.Objects;

/**
 * Passive health for a {@link LoadBalancer}, as gRPC's outlier detection (gRFC A50) and Envoy's: endpoints
 * that fail are ejected for a while and the balancer's strategy chooses among the others. Immutable.
 *
 * <p>Three detectors, each optional: <b>consecutive failures</b> (ejects at once when an endpoint reports
 * that many failures in a row); <b>success rate</b> (every {@code interval}, among endpoints with at least
 * {@code requestVolume} calls, and when at least {@code minimumHosts} have, ejects those whose success rate
 * is below {@code mean - stdev × stdevFactor / 1000}); <b>failure percentage</b> (every interval, ejects
 * those whose failure percentage is above {@code threshold}). An endpoint is ejected for {@code
 * baseEjectionTime × n}, n being the number of times it was ejected recently (n decreases by one each interval
 * it stays in), capped at {@code max(baseEjectionTime, maxEjectionTime)}. No endpoint is ejected while {@code
 * maxEjectionPercent} or more of them are. The balancer's panic threshold and slow start apply on top.
 *
 * @since 0.1.0
 */
public final class OutlierDetection {

  private final Duration interval;
  private final Duration baseEjectionTime;
  private final Duration maxEjectionTime;
  private final int maxEjectionPercent;
  private final int consecutiveFailures;
  private final int successRateStdevFactor;
  private final int successRateMinimumHosts;
  private final int successRateRequestVolume;
  private final int failurePercentageThreshold;
  private final int failurePercentageMinimumHosts;
  private final int failurePercentageRequestVolume;

  private OutlierDetection(Builder b) {
    this.interval = b.interval;
    this.baseEjectionTime = b.baseEjectionTime;
    this.maxEjectionTime = b.maxEjectionTime;
    this.maxEjectionPercent = b.maxEjectionPercent;
    this.consecutiveFailures = b.consecutiveFailures;
    this.successRateStdevFactor = b.successRateStdevFactor;
    this.successRateMinimumHosts = b.successRateMinimumHosts;
    this.successRateRequestVolume = b.successRateRequestVolume;
    this.failurePercentageThreshold = b.failurePercentageThreshold;
    this.failurePercentageMinimumHosts = b.failurePercentageMinimumHosts;
    this.failurePercentageRequestVolume = b.failurePercentageRequestVolume;
  }

  /**
   * A builder with gRPC's and Envoy's defaults: interval 10 s, base ejection time 30 s, max ejection time 300
   * s, max ejection percent 10, 5 consecutive failures, success rate with stdev factor 1900, 5 hosts and 100
   * requests; failure percentage off.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Outlier detection with the defaults of {@link #builder()}. */
  public static OutlierDetection defaults() {
    return builder().build();
  }

  /** How often success rate and failure percentage are evaluated and ejections end. */
  public Duration interval() {
    return interval;
  }

  /** The first ejection's length; the n-th recent one lasts n times this. */
  public Duration baseEjectionTime() {
    return baseEjectionTime;
  }

  /** The longest an ejection lasts (at least {@link #baseEjectionTime()}). */
  public Duration maxEjectionTime() {
    return maxEjectionTime;
  }

  /** No endpoint is ejected while this percentage of them or more already are. */
  public int maxEjectionPercent() {
    return maxEjectionPercent;
  }

  /** Failures in a row that eject an endpoint at once; 0 when off. */
  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  /** The success-rate detector's stdev factor (in thousandths); 0 when the detector is off. */
  public int successRateStdevFactor() {
    return successRateStdevFactor;
  }

  /** Endpoints with enough requests needed for the success-rate detector to run. */
  public int successRateMinimumHosts() {
    return successRateMinimumHosts;
  }

  /** Requests in an interval an endpoint needs to be judged by success rate. */
  public int successRateRequestVolume() {
    return successRateRequestVolume;
  }

  /** Failure percentage above which an endpoint is ejected; 0 when the detector is off. */
  public int failurePercentageThreshold() {
    return failurePercentageThreshold;
  }

  /** Endpoints with enough requests needed for the failure-percentage detector to run. */
  public int failurePercentageMinimumHosts() {
    return failurePercentageMinimumHosts;
  }

  /** Requests in an interval an endpoint needs to be judged by failure percentage. */
  public int failurePercentageRequestVolume() {
    return failurePercentageRequestVolume;
  }

  /** Builds {@link OutlierDetection}. Not thread-safe: use one builder on one thread. */
  public static final class Builder {
    private Duration interval = Duration.ofSeconds(10);
    private Duration baseEjectionTime = Duration.ofSeconds(30);
    private Duration maxEjectionTime = Duration.ofMinutes(5);
    private int maxEjectionPercent = 10;
    private int consecutiveFailures = 5;
    private int successRateStdevFactor = 1900;
    private int successRateMinimumHosts = 5;
    private int successRateRequestVolume = 100;
    private int failurePercentageThreshold;
    private int failurePercentageMinimumHosts = 5;
    private int failurePercentageRequestVolume = 50;

    private Builder() {}

    /** Sets the evaluation interval (default 10 s). */
    public Builder interval(Duration interval) {
      this.interval = positive("interval", interval);
      return this;
    }

    /** Sets the base ejection time (default 30 s). */
    public Builder baseEjectionTime(Duration baseEjectionTime) {
      this.baseEjectionTime = positive("baseEjectionTime", baseEjectionTime);
      return this;
    }

    /** Sets the maximum ejection time (default 300 s). */
    public Builder maxEjectionTime(Duration maxEjectionTime) {
      this.maxEjectionTime = positive("maxEjectionTime", maxEjectionTime);
      return this;
    }

    /** Sets the maximum percentage of endpoints ejected at once, 0 to 100 (default 10). */
    public Builder maxEjectionPercent(int maxEjectionPercent) {
      this.maxEjectionPercent = percent("maxEjectionPercent", maxEjectionPercent);
      return this;
    }

    /** Ejects after {@code failures} failures in a row (default 5); 0 turns the detector off. */
    public Builder consecutiveFailures(int failures) {
      if (failures < 0) {
        throw new IllegalArgumentException("consecutiveFailures must be >= 0, was " + failures);
      }
      this.consecutiveFailures = failures;
      return this;
    }

    /**
     * Sets the success-rate detector (default 1900, 5, 100).
     *
     * @param stdevFactor in thousandths of a standard deviation; 0 turns the detector off
     */
    public Builder successRate(int stdevFactor, int minimumHosts, int requestVolume) {
      this.successRateStdevFactor = nonNegative("successRate stdevFactor", stdevFactor);
      this.successRateMinimumHosts = positive("successRate minimumHosts", minimumHosts);
      this.successRateRequestVolume = positive("successRate requestVolume", requestVolume);
      return this;
    }

    /**
     * Sets the failure-percentage detector (off by default; gRPC's defaults are 85, 5, 50).
     *
     * @param threshold a percentage, 0 to 100; 0 turns the detector off
     */
    public Builder failurePercentage(int threshold, int minimumHosts, int requestVolume) {
      this.failurePercentageThreshold = percent("failurePercentage threshold", threshold);
      this.failurePercentageMinimumHosts = positive("failurePercentage minimumHosts", minimumHosts);
      this.failurePercentageRequestVolume = positive("failurePercentage requestVolume", requestVolume);
      return this;
    }

    /** The configuration; this builder is not changed and can build again. */
    public OutlierDetection build() {
      return new OutlierDetection(this);
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be > 0, was " + value);
      }
      return value;
    }

    private static int positive(String name, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be >= 1, was " + value);
      }
      return value;
    }

    private static int nonNegative(String name, int value) {
      if (value < 0) {
        throw new IllegalArgumentException(name + " must be >= 0, was " + value);
      }
      return value;
    }

    private static int percent(String name, int value) {
      if (value < 0 || value > 100) {
        throw new IllegalArgumentException(name + " must be between 0 and 100, was " + value);
      }
      return value;
    }
  }
}
