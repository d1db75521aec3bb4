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

/** How many handled sequences a dispatcher remembers to recognise redeliveries (about 2 MB). */
export const HANDLED_MEMORY = 65_536;

/**
 * Calls the handler for each delivery under three rules.
 *
 * - Exactly once per subscription: the sequences handled (the last `HANDLED_MEMORY` of them) are
 *   remembered, and a redelivery of one of them (its acknowledgement was lost with a dropped
 *   connection, or it waited past its ack wait behind a slow handler) is acknowledged without
 *   calling the handler. An exact set, not a high-water mark: a message handed to a consumer that
 *   died comes back after later ones were handled, and must still be handled.
 * - Order per subject through a failure: a message sent back for redelivery (its handler threw)
 *   is remembered per subject, and the later messages of that subject that arrive meanwhile wait
 *   here, unanswered, until it has been handled; then they are handled in sequence order. They
 *   are at most `maxAckPending` (the server delivers no more while they are unacknowledged).
 * - Order after a consumer went away (killed, or its bus closed under a running handler) leaving
 *   messages unacknowledged: those come back only after their ack wait, while the server would
 *   hand the next subscriber later messages at once. `holdAfter(barrier, floor)` sends back every
 *   message above `barrier` (the last sequence delivered before this subscription started), with
 *   a delay of at least a second, until the consumer's ack floor (`floor()`, the sequence up to
 *   which all is acknowledged) reaches it; they then wait their turn as above.
 */
export class Dispatcher {
  readonly stats = new Stats();
  readonly #handler: BusHandler;
  readonly #nakDelayMs: number;
  readonly #log: Logger;
  readonly #durable: string;
  readonly #handled = new Set<number>();
  readonly #handledRing = new Float64Array(HANDLED_MEMORY);
  #ringAt = 0;
  /** Per subject, the sequences sent back and not yet handled. */
  readonly #sentBack = new Map<string, Set<number>>();
  /** Per subject, deliveries waiting for a smaller sent-back sequence, by sequence. */
  readonly #waitingHere = new Map<string, Map<number, Delivery>>();
  #waitingCount = 0;
  #barrier = Number.POSITIVE_INFINITY;
  #floor: (() => Promise<number>) | null = null;
  #floorAt = 0;

  constructor(durable: string, handler: BusHandler, nakDelayMs: number, log: Logger) {
    this.#durable = durable;
    this.#handler = handler;
    this.#nakDelayMs = nakDelayMs;
    this.#log = log;
  }

  /** Holds back messages above `barrier` until `floor()` reaches it (see the class comment). */
  holdAfter(barrier: number, floor: () => Promise<number>): void {
    this.#barrier = barrier;
    this.#floor = floor;
  }

  /** Whether a message above the barrier must still wait; asks for the floor at most every 50 ms. */
  async #behindBarrier(): Promise<boolean> {
    if (this.#floor === null) return false;
    const now = Date.now();
    if (now - this.#floorAt < 50) return true;
    this.#floorAt = now;
    let floor: number;
    try {
      floor = await this.#floor();
    } catch (err) {
      this.#log.warn({ durable: this.#durable, err }, 'cannot read the ack floor; holding back');
      return true;
    }
    if (floor < this.#barrier) return true;
    this.#floor = null;
    this.#barrier = Number.POSITIVE_INFINITY;
    return false;
  }

  /** Deliveries waiting here for their turn (part of the subscription's in-flight count). */
  get waiting(): number {
    return this.#waitingCount;
  }

  #sendBack(d: Delivery, delayMs: number): void {
    let set = this.#sentBack.get(d.subject);
    if (set === undefined) {
      set = new Set();
      this.#sentBack.set(d.subject, set);
    }
    set.add(d.seq);
    d.nak(delayMs);
  }

  /** Whether a smaller sequence of `subject` than `seq` was sent back and not handled yet. */
  #mustWait(subject: string, seq: number): boolean {
    const set = this.#sentBack.get(subject);
    if (set === undefined) return false;
    for (const s of set) if (s < seq) return true;
    return false;
  }

  /** Keeps `d` until its turn; a newer delivery of the same message replaces the older. */
  #wait(d: Delivery): void {
    let q = this.#waitingHere.get(d.subject);
    if (q === undefined) {
      q = new Map();
      this.#waitingHere.set(d.subject, q);
    }
    if (!q.has(d.seq)) this.#waitingCount++;
    q.set(d.seq, d);
  }

  /** The waiting delivery of `subject` whose turn has come, taken out, or null. */
  #nextTurn(subject: string): Delivery | null {
    const q = this.#waitingHere.get(subject);
    if (q === undefined || q.size === 0) return null;
    let min = Number.POSITIVE_INFINITY;
    for (const s of q.keys()) if (s < min) min = s;
    if (this.#mustWait(subject, min)) return null;
    const d = q.get(min)!;
    q.delete(min);
    this.#waitingCount--;
    return d;
  }

  /** Sends every waiting delivery back at once (the subscription stops). */
  release(): void {
    for (const q of this.#waitingHere.values()) for (const d of q.values()) d.nak(0);
    this.#waitingHere.clear();
    this.#waitingCount = 0;
  }

  #remember(seq: number): void {
    const old = this.#handledRing[this.#ringAt];
    if (old !== 0) this.#handled.delete(old);
    this.#handledRing[this.#ringAt] = seq;
    this.#ringAt = (this.#ringAt + 1) % HANDLED_MEMORY;
    this.#handled.add(seq);
  }

  /**
   * Handles one delivery and answers it, then any waiting delivery whose turn has come. `live()`
   * says whether an answer still counts (false once the bus was closed under a running handler:
   * the message is then left to its ack wait).
   */
  async dispatch(d: Delivery, live: () => boolean = () => true): Promise<void> {
    if (this.#handled.has(d.seq)) {
      this.stats.duplicates++;
      d.ack();
      return;
    }
    if (d.seq > this.#barrier && (await this.#behindBarrier())) {
      this.stats.held++;
      this.#sendBack(d, Math.max(this.#nakDelayMs, 1_000));
      return;
    }
    if (this.#mustWait(d.subject, d.seq)) {
      this.stats.held++;
      this.#wait(d);
      return;
    }
    let next: Delivery | null = d;
    while (next !== null && (await this.#handle(next, live))) next = this.#nextTurn(d.subject);
  }

  /** Calls the handler and answers; true when it was handled. */
  async #handle(d: Delivery, live: () => boolean): Promise<boolean> {
    try {
      await this.#handler(d);
    } catch (err) {
      if (!live()) return false;
      this.stats.failed++;
      this.#log.warn(
        { durable: this.#durable, subject: d.subject, seq: d.seq, err },
        'handler failed; redelivering',
      );
      this.#sendBack(d, this.#nakDelayMs);
      return false;
    }
    if (!live()) return false;
    this.stats.handled++;
    this.#sentBack.get(d.subject)?.delete(d.seq);
    this.#remember(d.seq);
    d.ack();
    return true;
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
