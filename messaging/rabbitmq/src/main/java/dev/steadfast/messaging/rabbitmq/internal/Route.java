package dev.steadfast.messaging.rabbitmq.internal;

import java.util.Objects;

/**
 * Where a destination string sends a message: an exchange ({@code ""} for the default exchange) and a routing key.
 * Immutable.
 *
 * <p>The mapping, documented in {@code docs/rabbitmq.md}: {@code "orders"} is the queue {@code orders} through the
 * default exchange; {@code "events/order.created"} is exchange {@code events} with routing key {@code
 * order.created} (split at the first {@code /}); {@code "/a/b"} is the default exchange with routing key {@code
 * a/b}, for queue names that contain a slash.
 *
 * @param exchange the exchange, {@code ""} for the default one
 * @param routingKey the routing key (the queue name for the default exchange)
 */
public record Route(String exchange, String routingKey) {

  /** Checks for nulls. */
  public Route {
    Objects.requireNonNull(exchange, "exchange");
    Objects.requireNonNull(routingKey, "routingKey");
  }

  /**
   * Parses a destination.
   *
   * @throws IllegalArgumentException naming the destination when it has an empty routing key
   */
  public static Route parse(String destination) {
    int slash = destination.indexOf('/');
    if (slash < 0) {
      return new Route("", destination);
    }
    String routingKey = destination.substring(slash + 1);
    if (slash == 0 && routingKey.isEmpty()) {
      throw new IllegalArgumentException(
          "destination must be 'queue', 'exchange/routingKey' or '/queue', was '" + destination + "'");
    }
    return new Route(destination.substring(0, slash), routingKey);
  }

  /** The destination string that {@link #parse} reads as this route. */
  public String destination() {
    return format(exchange, routingKey);
  }

  /** The destination string for {@code exchange} and {@code routingKey}, the inverse of {@link #parse}. */
  public static String format(String exchange, String routingKey) {
    if (!exchange.isEmpty()) {
      return exchange + "/" + routingKey;
    }
    return routingKey.indexOf('/') >= 0 ? "/" + routingKey : routingKey;
  }

  /** Whether this route is a queue through the default exchange, which a subscriber can read. */
  public boolean isQueue() {
    return exchange.isEmpty();
  }
}
