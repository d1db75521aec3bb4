/**
 * The in-process bus, the default when every stage runs in one process. It keeps the JetStream
 * contract (types.ts) so that a stage moved to another process behind `JetStreamBus` behaves the
 * same: one stream of stored messages with sequences and store times, deduplication by message id
 * within a window, durable consumers whose positions outlive their subscriptions, explicit
 * acknowledgement with redelivery after a refusal or an ack wait, and a cap on unacknowledged
 * messages per consumer.
 *
 * The stream and the consumers live in a `MemoryBroker`; a `MemoryBus` is one client of it. Several
 * buses over one broker behave like several processes connected to one server: closing a bus under
 * a running handler leaves that message to be redelivered to the next subscriber of the durable,
 * which is how a restarted stage resumes without losing or repeating a message.
 *
 * Memory is bounded: the stream keeps at most `maxMessages` messages and `maxBytes` of payload,
 * dropping the oldest first (as a JetStream stream with limits and `discard: old`); a consumer that
 * falls further behind than that skips what was dropped, which its lag shows beforehand.
 */
import { type Clock, componentLogger, type Logger, wallClock } from '../../core/index.js';
import {
  type Delivery,
  Dispatcher,
  type ResolvedSubscribe,
  resolveSubscribe,
  stopWithin,
} from './dispatch.js';
import { BusError } from './errors.js';
import { BUS_SUBJECTS, checkFilter, checkFilterIn, checkSubject, subjectMatches } from './subjects.js';
import type {
  BusHandler,
  BusMessage,
  EventBus,
  PublishAck,
  PublishOptions,
  SubscribeOptions,
  Subscription,
  SubscriptionStats,
} from './types.js';

/** Limits and settings of the in-process stream. */
export interface MemoryBrokerOptions {
  /** Subjects the stream stores (wildcards allowed); a publish elsewhere is refused. Default `BUS_SUBJECTS`. */
  readonly subjects?: readonly string[];
  /** How long a message id is remembered for deduplication (default 120,000 ms, JetStream's). */
  readonly duplicateWindowMs?: number;
  /** Most messages kept (default 1,000,000). */
  readonly maxMessages?: number;
  /** Most payload bytes kept (default 256 MiB). */
  readonly maxBytes?: number;
  /** Source of store times (default the wall clock). */
  readonly clock?: Clock;
}

interface Stored {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly seq: number;
  readonly time: number;
  /** Wall time of the publish, ms with a fraction. */
  readonly storedMs: number;
}

interface Pending {
  /** Deliveries so far; answers from an earlier delivery are ignored. */
  deliveries: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/** A durable consumer's position and unacknowledged messages. */
class ConsumerState {
  next: number;
  readonly pending = new Map<number, Pending>();
  /** Sequences due for redelivery, ascending. */
  readonly ready: number[] = [];
  active: MemorySubscription | null = null;

  constructor(
    readonly filter: string,
    next: number,
    public ackWaitMs: number,
    public maxAckPending: number,
  ) {
    this.next = next;
  }

  /** Queues `seq` for redelivery, keeping `ready` ascending. */
  makeReady(seq: number): void {
    let i = this.ready.length;
    while (i > 0 && this.ready[i - 1] > seq) i--;
    this.ready.splice(i, 0, seq);
    this.active?.wake();
  }
}

/** The in-process stream and its durable consumers, shared by the `MemoryBus` clients over it. */
export class MemoryBroker {
  readonly subjects: readonly string[];
  readonly #windowMs: number;
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  readonly #clock: Clock;
  /** Retained messages; `#msgs[i]` has sequence `#base + i` (undefined once dropped). */
  #msgs: (Stored | undefined)[] = [];
  #base = 1;
  #first = 1;
  #last = 0;
  #bytes = 0;
  #lastTime = Number.NEGATIVE_INFINITY;
  readonly #ids = new Map<string, { seq: number; time: number }>();
  readonly #consumers = new Map<string, ConsumerState>();

  constructor(opts: MemoryBrokerOptions = {}) {
    this.subjects = opts.subjects ?? BUS_SUBJECTS;
    for (const f of this.subjects) checkFilter('memory', f);
    this.#windowMs = opts.duplicateWindowMs ?? 120_000;
    this.#maxMessages = opts.maxMessages ?? 1_000_000;
    this.#maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
    this.#clock = opts.clock ?? wallClock;
    for (const [k, v] of [
      ['duplicateWindowMs', this.#windowMs],
      ['maxMessages', this.#maxMessages],
      ['maxBytes', this.#maxBytes],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) {
        throw new BusError('BUS_OPTION', 'memory', `${k} must be a positive integer, got ${v}`);
      }
    }
  }

  /** First and last stored sequences (`last < first` when empty). */
  get firstSeq(): number {
    return this.#first;
  }
  get lastSeq(): number {
    return this.#last;
  }

  /** Stores a message (a copy of `data`), or acknowledges a duplicate of one stored within the window. */
  publish(subject: string, data: Uint8Array, msgId: string | undefined): PublishAck {
    checkSubject('memory', subject);
    if (!this.subjects.some((f) => subjectMatches(f, subject))) {
      throw new BusError(
        'BUS_SUBJECT',
        'memory',
        `subject ${JSON.stringify(subject)} is outside the stream's subjects ${this.subjects.join(', ')}`,
      );
    }
    const now = Math.max(this.#clock.now(), this.#lastTime);
    this.#lastTime = now;
    this.#forgetIds(now);
    if (msgId !== undefined) {
      const seen = this.#ids.get(msgId);
      if (seen !== undefined) return { seq: seen.seq, duplicate: true };
    }
    const seq = ++this.#last;
    this.#msgs.push({
      subject,
      data: data.slice(),
      seq,
      time: now,
      storedMs: performance.timeOrigin + performance.now(),
    });
    this.#bytes += data.length;
    if (msgId !== undefined) this.#ids.set(msgId, { seq, time: now });
    this.#trim();
    for (const c of this.#consumers.values()) {
      if (c.active !== null && subjectMatches(c.filter, subject)) c.active.wake();
    }
    return { seq, duplicate: false };
  }

  #forgetIds(now: number): void {
    for (const [id, v] of this.#ids) {
      if (v.time > now - this.#windowMs) break;
      this.#ids.delete(id);
    }
  }

  #trim(): void {
    while (this.#last - this.#first + 1 > this.#maxMessages || this.#bytes > this.#maxBytes) {
      const i = this.#first - this.#base;
      this.#bytes -= this.#msgs[i]?.data.length ?? 0;
      this.#msgs[i] = undefined;
      this.#first++;
    }
    const dropped = this.#first - this.#base;
    if (dropped > 4096 && dropped * 2 > this.#msgs.length) {
      this.#msgs = this.#msgs.slice(dropped);
      this.#base = this.#first;
    }
  }

  #message(seq: number): Stored | undefined {
    return seq < this.#first || seq > this.#last ? undefined : this.#msgs[seq - this.#base];
  }

  /** First sequence stored at or after `time` (ms), or the next sequence when none is. */
  #seqAtTime(time: number): number {
    let lo = this.#first;
    let hi = this.#last + 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#message(mid)?.time ?? Number.POSITIVE_INFINITY) >= time) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The durable named, created from `o` when new; refused when its filter differs or it is being read. */
  /** The last stored message of `subject` (exact, no wildcards), or null. */
  last(subject: string): Stored | null {
    for (let seq = this.#last; seq >= this.#first; seq--) {
      const m = this.#message(seq);
      if (m !== undefined && m.subject === subject) return m;
    }
    return null;
  }

  consumer(o: ResolvedSubscribe): ConsumerState {
    let c = this.#consumers.get(o.durable);
    if (c === undefined) {
      const s = o.startAt;
      const next =
        s === 'all'
          ? this.#first
          : s === 'new'
            ? this.#last + 1
            : 'seq' in s
              ? s.seq
              : this.#seqAtTime(s.time.getTime());
      c = new ConsumerState(o.filter, next, o.ackWaitMs, o.maxAckPending);
      this.#consumers.set(o.durable, c);
    } else if (c.filter !== o.filter) {
      throw new BusError(
        'BUS_CONSUMER',
        'memory',
        `durable ${JSON.stringify(o.durable)} reads ${JSON.stringify(c.filter)}, not ${JSON.stringify(o.filter)}`,
      );
    }
    if (c.active !== null) {
      throw new BusError('BUS_CONSUMER', 'memory', `durable ${JSON.stringify(o.durable)} is already read`);
    }
    c.ackWaitMs = o.ackWaitMs;
    c.maxAckPending = o.maxAckPending;
    return c;
  }

  /** Removes a durable that no subscription reads. */
  deleteConsumer(durable: string): void {
    const c = this.#consumers.get(durable);
    if (c === undefined) return;
    if (c.active !== null) {
      throw new BusError('BUS_CONSUMER', 'memory', `durable ${JSON.stringify(durable)} is being read`);
    }
    for (const p of c.pending.values()) if (p.timer !== null) clearTimeout(p.timer);
    this.#consumers.delete(durable);
  }

  /** The next delivery for `c`: a due redelivery first, else the next new message, within the ack-pending cap. */
  take(c: ConsumerState): Delivery | null {
    while (c.ready.length > 0) {
      const seq = c.ready.shift()!;
      const p = c.pending.get(seq);
      const m = this.#message(seq);
      if (p === undefined) continue;
      if (m === undefined) {
        c.pending.delete(seq);
        continue;
      }
      p.deliveries++;
      return this.#deliver(c, m, p);
    }
    if (c.pending.size >= c.maxAckPending) return null;
    if (c.next < this.#first) c.next = this.#first;
    while (c.next <= this.#last) {
      const m = this.#message(c.next++);
      if (m === undefined || !subjectMatches(c.filter, m.subject)) continue;
      const p: Pending = { deliveries: 1, timer: null };
      c.pending.set(m.seq, p);
      return this.#deliver(c, m, p);
    }
    return null;
  }

  #deliver(c: ConsumerState, m: Stored, p: Pending): Delivery {
    const n = p.deliveries;
    const seq = m.seq;
    const redeliverAfter = (ms: number) => {
      p.timer = setTimeout(() => {
        p.timer = null;
        if (c.pending.get(seq) === p && p.deliveries === n) c.makeReady(seq);
      }, ms);
      p.timer.unref();
    };
    redeliverAfter(c.ackWaitMs);
    const current = () => c.pending.get(seq) === p && p.deliveries === n;
    return {
      subject: m.subject,
      data: m.data,
      seq,
      redelivered: n > 1,
      storedMs: m.storedMs,
      ack: () => {
        if (!current()) return;
        if (p.timer !== null) clearTimeout(p.timer);
        c.pending.delete(seq);
        c.active?.wake();
      },
      nak: (delayMs: number) => {
        if (!current()) return;
        if (p.timer !== null) clearTimeout(p.timer);
        p.timer = null;
        if (delayMs <= 0) c.makeReady(seq);
        else redeliverAfter(delayMs);
      },
    };
  }

  /** The sequence up to which every message of `c` is acknowledged (or was never delivered to it). */
  ackFloor(c: ConsumerState): number {
    let min = c.next;
    for (const seq of c.pending.keys()) if (seq < min) min = seq;
    return min - 1;
  }

  /** Messages matching `c`'s filter not yet acknowledged. */
  lag(c: ConsumerState): number {
    let n = c.pending.size;
    for (let s = Math.max(c.next, this.#first); s <= this.#last; s++) {
      const m = this.#message(s);
      if (m !== undefined && subjectMatches(c.filter, m.subject)) n++;
    }
    return n;
  }
}

/** Options of one in-process bus client. */
export interface MemoryBusOptions extends MemoryBrokerOptions {
  /** The stream to join; a new one (with the options above) when omitted. */
  readonly broker?: MemoryBroker;
  /** How long `close()` waits for running handlers before abandoning them (default 5,000 ms). */
  readonly closeTimeoutMs?: number;
  readonly logger?: Logger;
}

/** One subscription's loop: take a delivery, dispatch it, repeat; sleep when there is none. */
class MemorySubscription implements Subscription {
  readonly durable: string;
  readonly #broker: MemoryBroker;
  readonly #consumer: ConsumerState;
  readonly #dispatcher: Dispatcher;
  readonly #onEnd: (s: MemorySubscription) => void;
  #stopping = false;
  #abandoned = false;
  /** 1 while the handler runs: deliveries are taken one at a time, as they are handled. */
  #running = 0;
  #wake: (() => void) | null = null;
  readonly #done: Promise<void>;

  constructor(
    broker: MemoryBroker,
    consumer: ConsumerState,
    o: ResolvedSubscribe,
    handler: BusHandler,
    log: Logger,
    onEnd: (s: MemorySubscription) => void,
  ) {
    this.durable = o.durable;
    this.#broker = broker;
    this.#consumer = consumer;
    this.#onEnd = onEnd;
    this.#dispatcher = new Dispatcher(o.durable, handler, o.nakDelayMs, log);
    if (consumer.pending.size > 0) {
      this.#dispatcher.holdAfter(consumer.next - 1, () => Promise.resolve(broker.ackFloor(consumer)));
    }
    consumer.active = this;
    this.#done = this.#run();
  }

  get inFlight(): number {
    return this.#running + this.#dispatcher.waiting;
  }
  get stats(): SubscriptionStats {
    return this.#dispatcher.stats;
  }

  wake(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  async #run(): Promise<void> {
    const live = () => !this.#abandoned;
    // Let the caller of subscribe() finish before the first handler call, as a network bus would.
    await Promise.resolve();
    while (!this.#stopping) {
      const d = this.#broker.take(this.#consumer);
      if (d === null) {
        await new Promise<void>((r) => {
          this.#wake = r;
        });
        continue;
      }
      this.#running = 1;
      try {
        await this.#dispatcher.dispatch(d, live);
      } finally {
        this.#running = 0;
      }
    }
  }

  lag(): Promise<number> {
    return Promise.resolve(this.#broker.lag(this.#consumer));
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.wake();
    await this.#done;
    this.#dispatcher.release();
    this.#release();
  }

  /** Stops waiting for a running handler: its answer will not count (see `EventBus.close`). */
  abandon(): void {
    this.#abandoned = true;
    this.#stopping = true;
    this.wake();
    this.#release();
  }

  #release(): void {
    if (this.#consumer.active === this) this.#consumer.active = null;
    this.#onEnd(this);
  }
}

/** An in-process `EventBus` client over a `MemoryBroker`. */
export class MemoryBus implements EventBus {
  /** The stream this client publishes to and reads from. */
  readonly broker: MemoryBroker;
  readonly #closeTimeoutMs: number;
  readonly #log: Logger;
  readonly #subs = new Set<MemorySubscription>();
  #closed = false;

  constructor(opts: MemoryBusOptions = {}) {
    this.broker = opts.broker ?? new MemoryBroker(opts);
    this.#closeTimeoutMs = opts.closeTimeoutMs ?? 5_000;
    this.#log = componentLogger('bus', opts.logger);
  }

  #open(): void {
    if (this.#closed) throw new BusError('BUS_CLOSED', 'memory', 'the bus is closed');
  }

  publish(subject: string, data: Uint8Array, opts?: PublishOptions): Promise<PublishAck> {
    try {
      this.#open();
      return Promise.resolve(this.broker.publish(subject, data, opts?.msgId));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  subscribe(opts: SubscribeOptions, handler: BusHandler): Promise<Subscription> {
    try {
      this.#open();
      const o = resolveSubscribe('memory', opts);
      checkFilterIn('memory', o.filter, this.broker.subjects);
      const c = this.broker.consumer(o);
      const sub = new MemorySubscription(this.broker, c, o, handler, this.#log, (s) => this.#subs.delete(s));
      this.#subs.add(sub);
      return Promise.resolve(sub);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  lastMessage(subject: string): Promise<BusMessage | null> {
    try {
      this.#open();
      const m = this.broker.last(checkSubject('memory', subject));
      return Promise.resolve(
        m === null
          ? null
          : { subject: m.subject, data: m.data, seq: m.seq, redelivered: false, storedMs: m.storedMs },
      );
    } catch (err) {
      return Promise.reject(err);
    }
  }

  deleteConsumer(durable: string): Promise<void> {
    try {
      this.#open();
      this.broker.deleteConsumer(durable);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subs].map((s) => stopWithin(s, this.#closeTimeoutMs, this.#log)));
  }
}
