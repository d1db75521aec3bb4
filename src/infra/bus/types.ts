/**
 * The event bus that joins the engine's stages (DESIGN.md "Embedded by default, distributed when it
 * grows"): in-process by default (`MemoryBus`), NATS JetStream when stages run as separate
 * processes (`JetStreamBus`). Both keep the same contract, checked by one suite
 * (test/bus-contract.ts):
 *
 * - A publish is stored once under a stream sequence (1, 2, 3, …) and acknowledged with it. A
 *   publish carrying a message id already stored within the duplicate window is not stored again:
 *   its acknowledgement says `duplicate` and gives the sequence of the copy kept.
 * - A subscription reads through a durable consumer: a named position in the stream that outlives
 *   the subscription (and, on JetStream, the process). Reopening a durable continues after the last
 *   acknowledged message, whatever `startAt` says.
 * - The handler is called with one message at a time, in stream order, so the messages of a subject
 *   (one kind of one instrument) arrive in the order they were published. A handler that resolves
 *   acknowledges its message; one that throws has it delivered again (`redelivered: true`) after
 *   `nakDelayMs`, and until then the later messages of the same subject wait, so a failure does
 *   not reorder a subject. A message delivered again after this subscription handled it (an
 *   acknowledgement lost to a dropped connection) is acknowledged without calling the handler.
 * - A message handed out and neither acknowledged nor refused within `ackWaitMs` (its consumer went
 *   away) is delivered again to the next subscriber of that durable, which handles those first:
 *   a subscriber that finds unacknowledged messages when it starts holds later ones back until
 *   they are back. Across a restart a handler is called again for a message the dead process
 *   handled but had not acknowledged, so handlers are idempotent (keyed by sequence, client order
 *   id or execution id); since order is kept, "sequence at or below the last one applied" is a
 *   correct test for it.
 * - At most `maxAckPending` messages are out unacknowledged per consumer: a slow handler slows its
 *   consumer down instead of growing a queue; `lag()` says how far behind it is.
 */

/** Options of one publish. */
export interface PublishOptions {
  /**
   * Identity of the message for deduplication: a second publish with the same id within the
   * duplicate window is acknowledged but not stored. Derive it from the content (instrument,
   * ts_recv, sequence; a client order id) so a republish after a crash is recognised.
   */
  readonly msgId?: string;
}

/** The stream's receipt for a publish. */
export interface PublishAck {
  /** Stream sequence of the stored message (of the earlier copy when `duplicate`). */
  readonly seq: number;
  /** The message id was already stored within the duplicate window; nothing new was stored. */
  readonly duplicate: boolean;
}

/**
 * Where a new durable consumer starts: `'all'` the first stored message, `'new'` the next one
 * published, `{ seq }` that stream sequence, `{ time }` the first message stored at or after that
 * instant. Ignored when the durable already exists: it resumes where it stopped.
 */
export type StartAt = 'all' | 'new' | { readonly seq: number } | { readonly time: Date };

/** A delivered message. Valid for the duration of the handler call (copy `data` to keep it). */
export interface BusMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Stream sequence: increasing in publish order across the stream. */
  readonly seq: number;
  /** Delivered before without an acknowledgement (the handler failed, or its consumer went away). */
  readonly redelivered: boolean;
  /**
   * When the stream stored it, ms since the epoch with a fraction (the server's clock on
   * JetStream): what stage latencies are measured from.
   */
  readonly storedMs: number;
}

/** Handles one message: resolving acknowledges it, throwing has it delivered again. */
export type BusHandler = (msg: BusMessage) => void | Promise<void>;

/** A durable consumer and how to read it. */
export interface SubscribeOptions {
  /** Name of the durable consumer: letters, digits, `-` and `_`. */
  readonly durable: string;
  /** Subjects to read, with NATS wildcards: `*` one token, `>` the rest (`md.6E.>`). */
  readonly filter: string;
  /** Start of a new durable (default `'all'`). */
  readonly startAt?: StartAt;
  /** Most messages out unacknowledged at a time (default 256). */
  readonly maxAckPending?: number;
  /** How long a delivered message may go unanswered before it is delivered again (default 30 s). */
  readonly ackWaitMs?: number;
  /** Delay before a message whose handler threw is delivered again (default 200 ms). */
  readonly nakDelayMs?: number;
}

/** Counts kept by a subscription, for metrics. */
export interface SubscriptionStats {
  /** Messages whose handler resolved. */
  readonly handled: number;
  /** Handler calls that threw (each leads to a redelivery). */
  readonly failed: number;
  /** Redeliveries of messages already handled, acknowledged without calling the handler. */
  readonly duplicates: number;
  /** Deliveries held back (sent back for later) behind a failed message of the same subject. */
  readonly held: number;
}

/** A running subscription. */
export interface Subscription {
  readonly durable: string;
  /** Messages handed to this subscription and not yet answered (the handler's backlog). */
  readonly inFlight: number;
  readonly stats: SubscriptionStats;
  /**
   * Consumer lag: messages matching the filter not yet acknowledged (never delivered, plus
   * delivered and awaiting an answer), read from the stream.
   */
  lag(): Promise<number>;
  /**
   * Stops reading: the handler call in progress finishes and is acknowledged, messages fetched but
   * not handled go back to the stream at once. The durable keeps its position.
   */
  stop(): Promise<void>;
}

/** Publish and subscribe, in-process or over NATS JetStream. */
export interface EventBus {
  publish(subject: string, data: Uint8Array, opts?: PublishOptions): Promise<PublishAck>;
  subscribe(opts: SubscribeOptions, handler: BusHandler): Promise<Subscription>;
  /**
   * The last stored message of `subject` (a subject, not a filter), or null when the stream holds
   * none: where a restarted publisher's output stopped.
   */
  lastMessage(subject: string): Promise<BusMessage | null>;
  /** Removes a durable consumer and its position (no-op when it does not exist). */
  deleteConsumer(durable: string): Promise<void>;
  /**
   * Stops every subscription and disconnects. A handler still running after the bus's
   * `closeTimeoutMs` is abandoned: its message stays unacknowledged and is delivered again, after
   * its ack wait, to the next subscriber of the durable, as if this process had died.
   */
  close(): Promise<void>;
}
