package dev.steadfast.core.internal;

import dev.steadfast.core.RetryBudget;
import java.util.concurrent.atomic.AtomicLong;

/**
 * gRPC-style retry throttling. Thread-safe and lock-free: the token count is one {@link AtomicLong} of
 * thousandths of a token (gRPC also keeps three decimals).
 */
public final class TokenBucketRetryBudget implements RetryBudget {

  private static final long SCALE = 1000;

  private final long maxMilli;
  private final long ratioMilli;
  private final long thresholdMilli;
  private final AtomicLong tokensMilli;

  public TokenBucketRetryBudget(double maxTokens, double tokenRatio) {
    this.maxMilli = Math.round(maxTokens * SCALE);
    this.ratioMilli = Math.max(1, Math.round(tokenRatio * SCALE));
    this.thresholdMilli = maxMilli / 2;
    this.tokensMilli = new AtomicLong(maxMilli);
  }

  @Override
  public void onRequest() {}

  @Override
  public boolean tryAcquireRetry() {
    return tokensMilli.get() > thresholdMilli;
  }

  @Override
  public void onSuccess() {
    long current;
    do {
      current = tokensMilli.get();
      if (current >= maxMilli) {
        return;
      }
    } while (!tokensMilli.compareAndSet(current, Math.min(maxMilli, current + ratioMilli)));
  }

  @Override
  public void onFailure() {
    long current;
    do {
      current = tokensMilli.get();
      if (current <= 0) {
        return;
      }
    } while (!tokensMilli.compareAndSet(current, Math.max(0, current - SCALE)));
  }

  @Override
  public double available() {
    // Each failed retry takes a token; retries stop at the threshold.
    return Math.max(0, (double) (tokensMilli.get() - thresholdMilli) / SCALE);
  }

  @Override
  public String toString() {
    return "RetryBudget[tokenBucket max=" + (double) maxMilli / SCALE + ", ratio=" + (double) ratioMilli / SCALE
        + ", tokens=" + (double) tokensMilli.get() / SCALE + "]";
  }
}
