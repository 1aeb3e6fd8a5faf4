package dev.steadfast.messaging.outbox.internal;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Thread-safe generator of RFC 9562 version-7 UUIDs: 48 bits of Unix milliseconds, then a 12-bit counter that
 * keeps ids from one generator increasing within a millisecond (method 1 of section 6.2), then 62 random bits.
 * When the counter overflows, or the clock steps back, the timestamp is advanced by one millisecond past the
 * last one issued, so ids from one generator never go backwards.
 */
public final class Uuid7 {

  private static final Uuid7 SYSTEM = new Uuid7();

  private final SecureRandom random = new SecureRandom();
  private final ReentrantLock lock = new ReentrantLock();
  private long lastMillis = -1; // guarded by lock
  private int counter; // guarded by lock

  /** The generator {@code OutboxMessage} uses. */
  public static UUID next() {
    return SYSTEM.generate(System.currentTimeMillis());
  }

  /** A version-7 id for time {@code epochMillis}, greater than every id this generator issued before. */
  public UUID generate(long epochMillis) {
    long millis;
    int sequence;
    lock.lock();
    try {
      if (epochMillis > lastMillis) {
        lastMillis = epochMillis;
        counter = random.nextInt(1 << 11); // start low in the 12 bits, leaving room to count up
      } else if (++counter >= 1 << 12) {
        lastMillis++;
        counter = 0;
      }
      millis = lastMillis;
      sequence = counter;
    } finally {
      lock.unlock();
    }
    long high = ((millis & 0xFFFF_FFFF_FFFFL) << 16) | 0x7000L | sequence;
    long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low);
  }
}
