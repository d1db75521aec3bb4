/** The event bus: the interface, the in-process default and NATS JetStream; subjects; DBN records on it; a JetStream work queue. */

export { BusError, type BusErrorCode } from './errors.js';
export { JetStreamBus, type JetStreamBusOptions } from './jetstream-bus.js';
export { MemoryBroker, type MemoryBrokerOptions, MemoryBus, type MemoryBusOptions } from './memory-bus.js';
export { DEFAULT_NATS_URL, NATS_URL_ENV, natsUrl } from './nats-url.js';
export { RecordPublisher, type RecordPublishResult, type RecordSubject } from './records.js';
export { BUS_SUBJECTS, type BusKind, busSubject, subjectMatches } from './subjects.js';
export type {
  BusHandler,
  BusMessage,
  EventBus,
  PublishAck,
  PublishOptions,
  StartAt,
  SubscribeOptions,
  Subscription,
  SubscriptionStats,
} from './types.js';
export {
  type WorkItem,
  type WorkOutcome,
  WorkQueue,
  type WorkQueueOptions,
  type WorkQueueState,
} from './work-queue.js';
