package dev.steadfast.messaging.sqs;

/** The conformance suite on FIFO queues, named by queue URL. */
class SqsFifoQueueConformanceIT extends SqsAdapterConformanceIT {

  @Override
  String queueBase() {
    return "conformance.fifo";
  }

  @Override
  boolean destinationsAreUrls() {
    return true;
  }
}
