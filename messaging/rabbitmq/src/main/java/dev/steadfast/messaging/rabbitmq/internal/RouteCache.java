package dev.steadfast.messaging.rabbitmq.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Parsed destinations, so that publishing does not parse (and allocate) per message; thread-safe, bounded. */
final class RouteCache {

  private static final int MAX_ENTRIES = 10_000;

  private final Map<String, Route> routes = new ConcurrentHashMap<>();

  /**
   * The route of {@code destination}.
   *
   * @throws IllegalArgumentException when the destination is not a valid one
   */
  Route route(String destination) {
    Route route = routes.get(destination);
    if (route == null) {
      route = Route.parse(destination);
      if (routes.size() < MAX_ENTRIES) {
        routes.put(destination, route);
      }
    }
    return route;
  }
}
