package dev.steadfast.core.balancer.internal;

import dev.steadfast.core.balancer.Endpoint;
import dev.steadfast.core.balancer.EndpointDiscovery;
import dev.steadfast.core.balancer.HealthProbe;
import dev.steadfast.core.balancer.OutlierDetection;
import dev.steadfast.core.balancer.Strategy;
import dev.steadfast.core.spi.TimeSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/** A load balancer's validated settings, as the builder hands them to the engine. */
public record BalancerSettings(
    String name,
    Strategy strategy,
    List<Endpoint> endpoints,
    @Nullable EndpointDiscovery discovery,
    Duration refreshInterval,
    @Nullable Executor refreshExecutor,
    TimeSource time,
    @Nullable RandomGenerator random,
    @Nullable OutlierDetection outlierDetection,
    double panicThresholdPercent,
    @Nullable Duration slowStartWindow,
    double slowStartAggression,
    double slowStartMinWeightPercent,
    @Nullable String localZone,
    double zoneMinHealthyPercent,
    double zoneSpillLoadRatio,
    @Nullable MeterRegistry meterRegistry,
    int maxHostTags,
    @Nullable HealthProbe healthProbe,
    Duration healthCheckInterval,
    int unhealthyThreshold,
    int healthyThreshold) {}
