/**
 * The handler side shared by both buses: one message at a time, in delivery order, with the
 * per-subject rules of the bus contract (types.ts). Deliveries come from the bus's consumer with
 * their own ack and nak; the dispatcher decides which to call.
 */
import type { Logger } from '../../core/index.js';
import { BusError } from './errors.js';
import { checkFilter } from './subjects.js';
import type {
  BusHandler,
  BusMessage,
  StartAt,
  SubscribeOptions,
  Subscription,
  SubscriptionStats,
} from './types.js';

/** One delivery of a stored message, answered exactly once by `ack` or `nak`. */
export interface Delivery extends BusMessage {
  ack(): void;
  /** Refuses the message: it is delivered again after `delayMs`. */
  nak(delayMs: number): void;
}

/** Mutable counts behind `SubscriptionStats`. */
export class Stats implements SubscriptionStats {
  handled = 0;
  failed = 0;
  duplicates = 0;
  held = 0;
}

/**
 * Calls the handler for each delivery, keeping two facts per subject: the last sequence handled
 * (so a redelivery of one already handled is acknowledged, not handled twice) and the sequence of
 * a failed message waiting for its redelivery (so later messages of that subject are sent back
 * until it has been handled, keeping the subject's order through a failure).
 */
export class Dispatcher {
  readonly stats = new Stats();
  readonly #handler: BusHandler;
  readonly #nakDelayMs: number;
  readonly #log: Logger;
  readonly #durable: string;
  readonly #lastHandled = new Map<string, number>();
  readonly #failedAt = new Map<string, number>();

  constructor(durable: string, handler: BusHandler, nakDelayMs: number, log: Logger) {
    this.#durable = durable;
    this.#handler = handler;
    this.#nakDelayMs = nakDelayMs;
    this.#log = log;
  }

  /**
   * Handles one delivery and answers it. `live()` says whether an answer still counts (false once
   * the bus was closed under a running handler: the message is then left to its ack wait).
   */
  async dispatch(d: Delivery, live: () => boolean = () => true): Promise<void> {
    const subject = d.subject;
    const failedAt = this.#failedAt.get(subject);
    if (failedAt !== undefined) {
      if (d.seq > failedAt) {
        this.stats.held++;
        d.nak(this.#nakDelayMs);
        return;
      }
      if (d.seq === failedAt) this.#failedAt.delete(subject);
    }
    const last = this.#lastHandled.get(subject);
    if (last !== undefined && d.seq <= last) {
      this.stats.duplicates++;
      d.ack();
      return;
    }
    try {
      await this.#handler(d);
    } catch (err) {
      if (!live()) return;
      this.stats.failed++;
      this.#failedAt.set(subject, d.seq);
      this.#log.warn({ durable: this.#durable, subject, seq: d.seq, err }, 'handler failed; redelivering');
      d.nak(this.#nakDelayMs);
      return;
    }
    if (!live()) return;
    this.stats.handled++;
    if (last === undefined || d.seq > last) this.#lastHandled.set(subject, d.seq);
    d.ack();
  }
}

/** Subscribe options with defaults applied, checked. */
export interface ResolvedSubscribe {
  readonly durable: string;
  readonly filter: string;
  readonly startAt: StartAt;
  readonly maxAckPending: number;
  readonly ackWaitMs: number;
  readonly nakDelayMs: number;
}

const DURABLE = /^[A-Za-z0-9_-]+$/;

function positiveInt(bus: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) {
    throw new BusError('BUS_OPTION', bus, `${name} must be a positive integer, got ${v}`);
  }
  return v;
}

/** Applies the defaults of `SubscribeOptions` and checks every value, naming the bad one. */
export function resolveSubscribe(bus: string, o: SubscribeOptions): ResolvedSubscribe {
  if (!DURABLE.test(o.durable)) {
    throw new BusError(
      'BUS_OPTION',
      bus,
      `durable ${JSON.stringify(o.durable)} must be letters, digits, "-" or "_"`,
    );
  }
  const startAt = o.startAt ?? 'all';
  if (typeof startAt === 'object') {
    if ('seq' in startAt) positiveInt(bus, 'startAt.seq', startAt.seq);
    else if (!(startAt.time instanceof Date) || Number.isNaN(startAt.time.getTime())) {
      throw new BusError('BUS_OPTION', bus, `startAt.time must be a valid Date, got ${String(startAt.time)}`);
    }
  } else if (startAt !== 'all' && startAt !== 'new') {
    throw new BusError('BUS_OPTION', bus, `startAt must be "all", "new", {seq} or {time}, got ${startAt}`);
  }
  const nakDelayMs = o.nakDelayMs ?? 200;
  if (!Number.isFinite(nakDelayMs) || nakDelayMs < 0) {
    throw new BusError('BUS_OPTION', bus, `nakDelayMs must be a finite number >= 0, got ${nakDelayMs}`);
  }
  return {
    durable: o.durable,
    filter: checkFilter(bus, o.filter),
    startAt,
    maxAckPending: positiveInt(bus, 'maxAckPending', o.maxAckPending ?? 256),
    ackWaitMs: positiveInt(bus, 'ackWaitMs', o.ackWaitMs ?? 30_000),
    nakDelayMs,
  };
}

/** Stops `s`, abandoning its running handler after `ms`. */
export async function stopWithin(
  s: Subscription & { abandon(): void },
  ms: number,
  log: Logger,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(true), ms);
  });
  const gone = await Promise.race([s.stop().then(() => false), late]);
  clearTimeout(timer);
  if (gone) {
    log.warn(
      { durable: s.durable, closeTimeoutMs: ms },
      'handler still running at close; its message will be redelivered',
    );
    s.abandon();
  }
}
