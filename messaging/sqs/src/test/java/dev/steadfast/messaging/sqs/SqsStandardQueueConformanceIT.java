package dev.steadfast.messaging.sqs;

/** The conformance suite on standard queues, named by queue name. */
class SqsStandardQueueConformanceIT extends SqsAdapterConformanceIT {

  @Override
  String queueBase() {
    return "conformance";
  }

  @Override
  boolean destinationsAreUrls() {
    return false;
  }
}
