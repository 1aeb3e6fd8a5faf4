package dev.steadfast.messaging.sqs;

import dev.steadfast.core.Backoff;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of an {@link SqsBrokerAdapter}. Immutable and thread-safe; {@link #builder()} starts from the
 * defaults, {@link #toBuilder()} from these settings.
 *
 * @since 0.1.0
 */
public final class SqsAdapterConfig {

  /** The longest long poll SQS allows. */
  public static final Duration MAX_RECEIVE_WAIT = Duration.ofSeconds(20);

  /** The most messages one SQS receive returns. */
  public static final int MAX_RECEIVE_MESSAGES = 10;

  /** The longest visibility timeout SQS allows. */
  public static final Duration MAX_VISIBILITY_TIMEOUT = Duration.ofHours(12);

  private static final SqsAdapterConfig DEFAULTS = new Builder().build();

  private final boolean fifoQueues;
  private final Duration sendTimeout;
  private final int maxConcurrentBatches;
  private final Duration queueAttributesTtl;
  private final Duration receiveWait;
  private final int receiveMaxMessages;
  private final Duration visibilityTimeout;
  private final Duration heartbeatInterval;
  private final int maxInFlightPerSubscriber;
  private final Backoff requeueBackoff;
  private final Duration receiveErrorBackoff;

  private SqsAdapterConfig(Builder b) {
    this.fifoQueues = b.fifoQueues;
    this.sendTimeout = b.sendTimeout;
    this.maxConcurrentBatches = b.maxConcurrentBatches;
    this.queueAttributesTtl = b.queueAttributesTtl;
    this.receiveWait = b.receiveWait;
    this.receiveMaxMessages = b.receiveMaxMessages;
    this.visibilityTimeout = b.visibilityTimeout;
    this.heartbeatInterval = b.heartbeatInterval;
    this.maxInFlightPerSubscriber = b.maxInFlightPerSubscriber;
    this.requeueBackoff = b.requeueBackoff;
    this.receiveErrorBackoff = b.receiveErrorBackoff;
  }

  /** The default settings. */
  public static SqsAdapterConfig defaults() {
    return DEFAULTS;
  }

  /** A builder with the default settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings, to derive a variant. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Whether every destination of the adapter is a FIFO queue, so that it {@link
   * SqsBrokerAdapter#preservesOrderPerKey() preserves order per key}; default false.
   */
  public boolean fifoQueues() {
    return fifoQueues;
  }

  /** How long one {@code SendMessageBatch} may take before its messages are reported failed; default 30 s. */
  public Duration sendTimeout() {
    return sendTimeout;
  }

  /** How many batches of one publish call to a standard queue are in flight at once; default 8. */
  public int maxConcurrentBatches() {
    return maxConcurrentBatches;
  }

  /** How long a queue's URL and attributes (size limit, FIFO, redrive policy) are cached; default 5 minutes. */
  public Duration queueAttributesTtl() {
    return queueAttributesTtl;
  }

  /** How long one receive waits for messages (long polling); default and most 20 s. */
  public Duration receiveWait() {
    return receiveWait;
  }

  /** The most messages one receive asks for; default and most 10. */
  public int receiveMaxMessages() {
    return receiveMaxMessages;
  }

  /** How long a received message stays invisible to other consumers before a heartbeat; default 30 s. */
  public Duration visibilityTimeout() {
    return visibilityTimeout;
  }

  /**
   * How often the visibility of a message not yet settled is extended again to {@link #visibilityTimeout()};
   * default 10 s. Less than the visibility timeout.
   */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /** The most deliveries one subscriber holds unsettled; it stops receiving at that number; default 20. */
  public int maxInFlightPerSubscriber() {
    return maxInFlightPerSubscriber;
  }

  /**
   * How long a rejected (or failed) delivery stays invisible before it comes back, by its receive count: the
   * delay for retry {@code n} is the one for the n-th receive; default {@link Backoff#none()} (at once).
   * Rounded down to whole seconds and capped at 12 hours, as SQS takes them.
   */
  public Backoff requeueBackoff() {
    return requeueBackoff;
  }

  /** How long a subscriber waits before receiving again after a failed receive; default 1 s. */
  public Duration receiveErrorBackoff() {
    return receiveErrorBackoff;
  }

  @Override
  public String toString() {
    return "SqsAdapterConfig[fifoQueues=" + fifoQueues + ", sendTimeout=" + sendTimeout + ", maxConcurrentBatches="
        + maxConcurrentBatches + ", queueAttributesTtl=" + queueAttributesTtl + ", receiveWait=" + receiveWait
        + ", receiveMaxMessages=" + receiveMaxMessages + ", visibilityTimeout=" + visibilityTimeout
        + ", heartbeatInterval=" + heartbeatInterval + ", maxInFlightPerSubscriber=" + maxInFlightPerSubscriber
        + ", requeueBackoff=" + requeueBackoff + ", receiveErrorBackoff=" + receiveErrorBackoff + "]";
  }

  /**
   * Builds an {@link SqsAdapterConfig}. Not thread-safe. Each setter checks its argument and throws {@link
   * IllegalArgumentException} naming the setting and the value; {@link #build()} checks the rules between
   * settings.
   */
  public static final class Builder {
    private boolean fifoQueues;
    private Duration sendTimeout = Duration.ofSeconds(30);
    private int maxConcurrentBatches = 8;
    private Duration queueAttributesTtl = Duration.ofMinutes(5);
    private Duration receiveWait = MAX_RECEIVE_WAIT;
    private int receiveMaxMessages = MAX_RECEIVE_MESSAGES;
    private Duration visibilityTimeout = Duration.ofSeconds(30);
    private Duration heartbeatInterval = Duration.ofSeconds(10);
    private int maxInFlightPerSubscriber = 20;
    private Backoff requeueBackoff = Backoff.none();
    private Duration receiveErrorBackoff = Duration.ofSeconds(1);

    private Builder() {}

    private Builder(SqsAdapterConfig c) {
      fifoQueues = c.fifoQueues;
      sendTimeout = c.sendTimeout;
      maxConcurrentBatches = c.maxConcurrentBatches;
      queueAttributesTtl = c.queueAttributesTtl;
      receiveWait = c.receiveWait;
      receiveMaxMessages = c.receiveMaxMessages;
      visibilityTimeout = c.visibilityTimeout;
      heartbeatInterval = c.heartbeatInterval;
      maxInFlightPerSubscriber = c.maxInFlightPerSubscriber;
      requeueBackoff = c.requeueBackoff;
      receiveErrorBackoff = c.receiveErrorBackoff;
    }

    /** See {@link SqsAdapterConfig#fifoQueues()}. */
    public Builder fifoQueues(boolean fifoQueues) {
      this.fifoQueues = fifoQueues;
      return this;
    }

    /** See {@link SqsAdapterConfig#sendTimeout()}; positive. */
    public Builder sendTimeout(Duration sendTimeout) {
      this.sendTimeout = positive("sendTimeout", sendTimeout);
      return this;
    }

    /** See {@link SqsAdapterConfig#maxConcurrentBatches()}; at least 1. */
    public Builder maxConcurrentBatches(int maxConcurrentBatches) {
      this.maxConcurrentBatches = atLeast("maxConcurrentBatches", maxConcurrentBatches, 1);
      return this;
    }

    /** See {@link SqsAdapterConfig#queueAttributesTtl()}; positive. */
    public Builder queueAttributesTtl(Duration queueAttributesTtl) {
      this.queueAttributesTtl = positive("queueAttributesTtl", queueAttributesTtl);
      return this;
    }

    /** See {@link SqsAdapterConfig#receiveWait()}; whole seconds from 0 to 20. */
    public Builder receiveWait(Duration receiveWait) {
      Objects.requireNonNull(receiveWait, "receiveWait");
      if (receiveWait.isNegative() || receiveWait.compareTo(MAX_RECEIVE_WAIT) > 0 || receiveWait.toNanos() % 1_000_000_000L != 0) {
        throw new IllegalArgumentException("receiveWait must be whole seconds from 0 to 20 s, was " + receiveWait);
      }
      this.receiveWait = receiveWait;
      return this;
    }

    /** See {@link SqsAdapterConfig#receiveMaxMessages()}; from 1 to 10. */
    public Builder receiveMaxMessages(int receiveMaxMessages) {
      if (receiveMaxMessages < 1 || receiveMaxMessages > MAX_RECEIVE_MESSAGES) {
        throw new IllegalArgumentException("receiveMaxMessages must be from 1 to 10, was " + receiveMaxMessages);
      }
      this.receiveMaxMessages = receiveMaxMessages;
      return this;
    }

    /** See {@link SqsAdapterConfig#visibilityTimeout()}; whole seconds from 1 s to 12 h. */
    public Builder visibilityTimeout(Duration visibilityTimeout) {
      Objects.requireNonNull(visibilityTimeout, "visibilityTimeout");
      if (visibilityTimeout.compareTo(Duration.ofSeconds(1)) < 0
          || visibilityTimeout.compareTo(MAX_VISIBILITY_TIMEOUT) > 0
          || visibilityTimeout.toNanos() % 1_000_000_000L != 0) {
        throw new IllegalArgumentException(
            "visibilityTimeout must be whole seconds from 1 s to 12 h, was " + visibilityTimeout);
      }
      this.visibilityTimeout = visibilityTimeout;
      return this;
    }

    /** See {@link SqsAdapterConfig#heartbeatInterval()}; positive. */
    public Builder heartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = positive("heartbeatInterval", heartbeatInterval);
      return this;
    }

    /** See {@link SqsAdapterConfig#maxInFlightPerSubscriber()}; at least 1. */
    public Builder maxInFlightPerSubscriber(int maxInFlightPerSubscriber) {
      this.maxInFlightPerSubscriber = atLeast("maxInFlightPerSubscriber", maxInFlightPerSubscriber, 1);
      return this;
    }

    /** See {@link SqsAdapterConfig#requeueBackoff()}. */
    public Builder requeueBackoff(Backoff requeueBackoff) {
      this.requeueBackoff = Objects.requireNonNull(requeueBackoff, "requeueBackoff");
      return this;
    }

    /** See {@link SqsAdapterConfig#receiveErrorBackoff()}; not negative. */
    public Builder receiveErrorBackoff(Duration receiveErrorBackoff) {
      Objects.requireNonNull(receiveErrorBackoff, "receiveErrorBackoff");
      if (receiveErrorBackoff.isNegative()) {
        throw new IllegalArgumentException("receiveErrorBackoff must not be negative, was " + receiveErrorBackoff);
      }
      this.receiveErrorBackoff = receiveErrorBackoff;
      return this;
    }

    /**
     * A config with these settings; the builder is not changed and can build again.
     *
     * @throws IllegalArgumentException if {@code heartbeatInterval} is not less than {@code visibilityTimeout}
     */
    public SqsAdapterConfig build() {
      if (heartbeatInterval.compareTo(visibilityTimeout) >= 0) {
        throw new IllegalArgumentException("heartbeatInterval must be less than visibilityTimeout ("
            + visibilityTimeout + "), was " + heartbeatInterval);
      }
      return new SqsAdapterConfig(this);
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return value;
    }

    private static int atLeast(String name, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
      }
      return value;
    }
  }
}
