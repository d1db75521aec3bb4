/**
 * The bus over NATS JetStream (the official `@nats-io/jetstream` and `@nats-io/transport-node`
 * clients), for stages that run as separate processes. One bus is one stream: created when
 * missing, its subjects and duplicate window brought up to date when they differ. Subscriptions
 * are durable pull consumers with explicit acknowledgement, read with `consume()` fetching at most
 * `maxAckPending` messages ahead.
 *
 * Losing the server: the connection reconnects without end (every 250 ms), logging each
 * disconnection and reconnection; a publish is retried with doubling delays until it is
 * acknowledged or its `publishTimeoutMs` runs out (then a `BUS_PUBLISH` error says so, with the
 * attempts and the last cause). Every publish carries a message id (the caller's, or one made for
 * the call), so a retry of a message the server did store before it went away is recognised as a
 * duplicate, not stored twice. Consumers pick up where they were once the server is back.
 *
 * `prefix` puts the bus under its own subject space (`paper.md.6E.mbp10` for `md.6E.mbp10`), so
 * that several engines, or test runs, share a server without seeing each other's messages;
 * handlers see subjects without it.
 *
 * The client library is loaded when `connect` is first called, so a process on the in-process bus
 * never loads it.
 */
import { randomBytes } from 'node:crypto';
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { componentLogger, type Logger } from '../../core/index.js';
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

/** Where the server is, what the stream holds, and how hard to try. */
export interface JetStreamBusOptions {
  /** Server URLs (default `nats://127.0.0.1:4222`). */
  readonly servers?: string | readonly string[];
  /** Stream name (default `SCALPER`). */
  readonly stream?: string;
  /** Subject prefix of this bus (dot-separated tokens), none by default. */
  readonly prefix?: string;
  /** Subjects the stream captures, before the prefix (default `BUS_SUBJECTS`). */
  readonly subjects?: readonly string[];
  /** `file` (default: survives a server restart) or `memory`. */
  readonly storage?: 'file' | 'memory';
  /** How long the stream remembers message ids (default 120,000 ms). */
  readonly duplicateWindowMs?: number;
  /** Stream limits; the oldest messages go first. Default none (0 age, -1 counts). */
  readonly maxAgeMs?: number;
  readonly maxMessages?: number;
  readonly maxBytes?: number;
  /** How long `connect` keeps trying before failing (default 30,000 ms). */
  readonly connectTimeoutMs?: number;
  /** How long a publish keeps trying, retries included (default 30,000 ms). */
  readonly publishTimeoutMs?: number;
  /** How long one publish attempt waits for the server's acknowledgement (default 5,000 ms). */
  readonly ackTimeoutMs?: number;
  /** First delay between publish or connect attempts, doubled each time up to `maxRetryDelayMs`. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** How long `close()` waits for running handlers before abandoning them (default 5,000 ms). */
  readonly closeTimeoutMs?: number;
  /** Connection name shown by the server's monitoring. */
  readonly name?: string;
  readonly logger?: Logger;
}

type NatsModules = {
  transport: typeof import('@nats-io/transport-node');
  jetstream: typeof import('@nats-io/jetstream');
};

let modules: Promise<NatsModules> | undefined;

function loadNats(): Promise<NatsModules> {
  modules ??= Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream')]).then(
    ([transport, jetstream]) => ({ transport, jetstream }),
  );
  return modules;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const NANOS_PER_MS = 1_000_000;
/** JetStream API error codes (`err_code`) this adapter tells apart. */
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;
const NO_MESSAGE = 10037;

function apiCode(err: unknown): number | undefined {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'number' ? c : undefined;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The `EventBus` over a NATS JetStream stream. Make one with `JetStreamBus.connect`. */
export class JetStreamBus implements EventBus {
  readonly stream: string;
  readonly #nc: NatsConnection;
  readonly #link: { readonly down: string | null };
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #prefix: string;
  readonly #subjects: readonly string[];
  readonly #o: Required<
    Pick<JetStreamBusOptions, 'publishTimeoutMs' | 'ackTimeoutMs' | 'retryDelayMs' | 'maxRetryDelayMs'>
  >;
  readonly #closeTimeoutMs: number;
  readonly #log: Logger;
  readonly #subs = new Map<string, JetStreamSubscription>();
  readonly #idPrefix = randomBytes(9).toString('base64url');
  #ids = 0;
  #closed = false;

  private constructor(
    nc: NatsConnection,
    js: JetStreamClient,
    jsm: JetStreamManager,
    opts: JetStreamBusOptions,
    log: Logger,
    link: { readonly down: string | null },
  ) {
    this.#link = link;
    this.stream = opts.stream ?? 'SCALPER';
    this.#nc = nc;
    this.#js = js;
    this.#jsm = jsm;
    this.#prefix = opts.prefix === undefined ? '' : `${opts.prefix}.`;
    this.#subjects = opts.subjects ?? BUS_SUBJECTS;
    this.#o = {
      publishTimeoutMs: opts.publishTimeoutMs ?? 30_000,
      ackTimeoutMs: opts.ackTimeoutMs ?? 5_000,
      retryDelayMs: opts.retryDelayMs ?? 100,
      maxRetryDelayMs: opts.maxRetryDelayMs ?? 2_000,
    };
    this.#closeTimeoutMs = opts.closeTimeoutMs ?? 5_000;
    this.#log = log;
  }

  /** Connects (retrying until `connectTimeoutMs`), then creates or updates the stream. */
  static async connect(opts: JetStreamBusOptions = {}): Promise<JetStreamBus> {
    const stream = opts.stream ?? 'SCALPER';
    if (!/^[A-Za-z0-9_-]+$/.test(stream)) {
      throw new BusError('BUS_OPTION', stream, 'stream must be letters, digits, "-" or "_"');
    }
    if (opts.prefix !== undefined) checkSubject(stream, opts.prefix);
    for (const f of opts.subjects ?? []) checkFilter(stream, f);
    const log = componentLogger('bus', opts.logger).child({ stream });
    const { transport, jetstream } = await loadNats();
    const nc = await connectWithRetry(transport, opts, stream, log);
    const link = { down: null as string | null };
    watchConnection(nc, log, link);
    try {
      const jsm = await jetstream.jetstreamManager(nc);
      const bus = new JetStreamBus(nc, jetstream.jetstream(nc), jsm, opts, log, link);
      await bus.#ensureStream(opts);
      return bus;
    } catch (err) {
      await nc.close();
      if (err instanceof BusError) throw err;
      throw new BusError('BUS_STREAM', stream, `cannot set up the stream: ${message(err)}`, { cause: err });
    }
  }

  async #ensureStream(opts: JetStreamBusOptions): Promise<void> {
    const subjects = this.#subjects.map((s) => this.#prefix + s);
    const config = {
      subjects,
      duplicate_window: (opts.duplicateWindowMs ?? 120_000) * NANOS_PER_MS,
      max_age: (opts.maxAgeMs ?? 0) * NANOS_PER_MS,
      max_msgs: opts.maxMessages ?? -1,
      max_bytes: opts.maxBytes ?? -1,
    };
    let current: Awaited<ReturnType<JetStreamManager['streams']['info']>> | null = null;
    try {
      current = await this.#jsm.streams.info(this.stream);
    } catch (err) {
      if (apiCode(err) !== STREAM_NOT_FOUND) throw err;
    }
    if (current === null) {
      await this.#jsm.streams.add({
        name: this.stream,
        storage: opts.storage === 'memory' ? 'memory' : 'file',
        discard: 'old',
        ...config,
      });
      this.#log.info({ subjects }, 'stream created');
      return;
    }
    const c = current.config;
    const same =
      c.subjects?.join(' ') === subjects.join(' ') &&
      c.duplicate_window === config.duplicate_window &&
      c.max_age === config.max_age &&
      c.max_msgs === config.max_msgs &&
      c.max_bytes === config.max_bytes;
    if (!same) {
      await this.#jsm.streams.update(this.stream, config);
      this.#log.info({ subjects }, 'stream updated');
    }
  }

  #open(): void {
    if (this.#closed) throw new BusError('BUS_CLOSED', this.stream, 'the bus is closed');
  }

  async publish(subject: string, data: Uint8Array, opts?: PublishOptions): Promise<PublishAck> {
    this.#open();
    checkSubject(this.stream, subject);
    if (!this.#subjects.some((f) => subjectMatches(f, subject))) {
      throw new BusError(
        'BUS_SUBJECT',
        this.stream,
        `subject ${JSON.stringify(subject)} is outside the stream's subjects ${this.#subjects.join(', ')}`,
      );
    }
    const own = opts?.msgId === undefined;
    const msgID = opts?.msgId ?? `${this.#idPrefix}.${++this.#ids}`;
    const full = this.#prefix + subject;
    const end = Date.now() + this.#o.publishTimeoutMs;
    let delay = this.#o.retryDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const timeout = Math.max(1, Math.min(this.#o.ackTimeoutMs, end - Date.now()));
        const ack = await this.#js.publish(full, data, { msgID, timeout });
        // A retry that finds its own earlier attempt stored is not a duplicate to the caller.
        return { seq: ack.seq, duplicate: ack.duplicate && !(own && attempt > 1) };
      } catch (err) {
        if (this.#closed) {
          throw new BusError(
            'BUS_CLOSED',
            this.stream,
            `closed while publishing to ${JSON.stringify(subject)}`,
          );
        }
        if (Date.now() + delay >= end) {
          throw new BusError(
            'BUS_PUBLISH',
            this.stream,
            `publish to ${JSON.stringify(subject)} not acknowledged within ${this.#o.publishTimeoutMs} ms ` +
              `(${attempt} attempts; last: ${message(err)})`,
            { cause: err },
          );
        }
        this.#log.warn({ subject, attempt, delayMs: delay, err: message(err) }, 'publish failed; retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, this.#o.maxRetryDelayMs);
      }
    }
  }

  async subscribe(opts: SubscribeOptions, handler: BusHandler): Promise<Subscription> {
    this.#open();
    const o = resolveSubscribe(this.stream, opts);
    checkFilterIn(this.stream, o.filter, this.#subjects);
    if (this.#subs.has(o.durable)) {
      throw new BusError('BUS_CONSUMER', this.stream, `durable ${JSON.stringify(o.durable)} is already read`);
    }
    let consumer: Awaited<ReturnType<JetStreamClient['consumers']['get']>>;
    try {
      await this.#ensureConsumer(o);
      consumer = await this.#js.consumers.get(this.stream, o.durable);
    } catch (err) {
      if (err instanceof BusError) throw err;
      throw new BusError(
        'BUS_CONSUMER',
        this.stream,
        `cannot open durable ${JSON.stringify(o.durable)} on ${JSON.stringify(o.filter)}: ${message(err)}`,
        { cause: err },
      );
    }
    const dispatcher = new Dispatcher(o.durable, handler, o.nakDelayMs, this.#log);
    const before = await consumer.info();
    if (before.num_ack_pending > 0) {
      dispatcher.holdAfter(
        before.delivered.stream_seq,
        async () => (await consumer.info()).ack_floor.stream_seq,
      );
    }
    const sub = new JetStreamSubscription(
      o,
      this.#prefix.length,
      () => consumer.consume({ max_messages: o.maxAckPending }),
      async () => {
        const i = await consumer.info();
        return i.num_pending + i.num_ack_pending;
      },
      dispatcher,
      this.#log,
      () => this.#subs.delete(o.durable),
    );
    this.#subs.set(o.durable, sub);
    await sub.started;
    return sub;
  }

  async #ensureConsumer(o: ResolvedSubscribe): Promise<void> {
    const filter = this.#prefix + o.filter;
    const limits = { ack_wait: o.ackWaitMs * NANOS_PER_MS, max_ack_pending: o.maxAckPending };
    try {
      const info = await this.#jsm.consumers.info(this.stream, o.durable);
      if (info.config.filter_subject !== filter) {
        throw new BusError(
          'BUS_CONSUMER',
          this.stream,
          `durable ${JSON.stringify(o.durable)} reads ${JSON.stringify(info.config.filter_subject?.slice(this.#prefix.length))}, not ${JSON.stringify(o.filter)}`,
        );
      }
      if (
        info.config.ack_wait !== limits.ack_wait ||
        info.config.max_ack_pending !== limits.max_ack_pending
      ) {
        await this.#jsm.consumers.update(this.stream, o.durable, limits);
      }
      return;
    } catch (err) {
      if (apiCode(err) !== CONSUMER_NOT_FOUND) throw err;
    }
    const s = o.startAt;
    const start =
      s === 'all'
        ? { deliver_policy: 'all' as const }
        : s === 'new'
          ? { deliver_policy: 'new' as const }
          : 'seq' in s
            ? { deliver_policy: 'by_start_sequence' as const, opt_start_seq: s.seq }
            : { deliver_policy: 'by_start_time' as const, opt_start_time: s.time.toISOString() };
    await this.#jsm.consumers.add(this.stream, {
      durable_name: o.durable,
      ack_policy: 'explicit',
      filter_subject: filter,
      max_deliver: -1,
      ...limits,
      ...start,
    });
  }

  /** Null while connected, else since when and to which server the link is down. */
  get down(): string | null {
    return this.#link.down;
  }

  async lastMessage(subject: string): Promise<BusMessage | null> {
    this.#open();
    checkSubject(this.stream, subject);
    try {
      const m = await this.#jsm.streams.getMessage(this.stream, { last_by_subj: this.#prefix + subject });
      return m === null
        ? null
        : { subject, data: m.data, seq: m.seq, redelivered: false, storedMs: m.time.getTime() };
    } catch (err) {
      if (apiCode(err) === NO_MESSAGE) return null;
      throw err;
    }
  }

  async deleteConsumer(durable: string): Promise<void> {
    this.#open();
    if (this.#subs.has(durable)) {
      throw new BusError('BUS_CONSUMER', this.stream, `durable ${JSON.stringify(durable)} is being read`);
    }
    try {
      await this.#jsm.consumers.delete(this.stream, durable);
    } catch (err) {
      if (apiCode(err) !== CONSUMER_NOT_FOUND) throw err;
    }
  }

  /** Deletes the whole stream with its messages and consumers (test clean-up, resets). */
  async deleteStream(): Promise<void> {
    this.#open();
    try {
      await this.#jsm.streams.delete(this.stream);
    } catch (err) {
      if (apiCode(err) !== STREAM_NOT_FOUND) throw err;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subs.values()].map((s) => stopWithin(s, this.#closeTimeoutMs, this.#log)));
    await this.#nc.close();
  }
}

async function connectWithRetry(
  transport: NatsModules['transport'],
  opts: JetStreamBusOptions,
  stream: string,
  log: Logger,
): Promise<NatsConnection> {
  const servers =
    typeof opts.servers === 'string' ? opts.servers : [...(opts.servers ?? ['nats://127.0.0.1:4222'])];
  const limit = opts.connectTimeoutMs ?? 30_000;
  const end = Date.now() + limit;
  let delay = opts.retryDelayMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await transport.connect({
        servers,
        name: opts.name ?? `scalper-${stream}`,
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        timeout: Math.max(100, Math.min(2_000, end - Date.now())),
      });
    } catch (err) {
      if (Date.now() + delay >= end) {
        throw new BusError(
          'BUS_CONNECT',
          stream,
          `no NATS server answered at ${String(servers)} within ${limit} ms (${attempt} attempts; last: ${message(err)})`,
          { cause: err },
        );
      }
      log.warn({ servers, attempt, delayMs: delay, err: message(err) }, 'NATS connect failed; retrying');
      await sleep(delay);
      delay = Math.min(delay * 2, opts.maxRetryDelayMs ?? 2_000);
    }
  }
}

/** Logs the connection's disconnections and reconnections until it closes. */
function watchConnection(nc: NatsConnection, log: Logger, link: { down: string | null }): void {
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        link.down = `NATS at ${s.server} disconnected since ${new Date().toISOString()}`;
        log.warn({ server: s.server }, 'NATS disconnected; reconnecting');
      } else if (s.type === 'reconnect') {
        link.down = null;
        log.info({ server: s.server }, 'NATS reconnected');
      } else if (s.type === 'error') log.error({ err: message(s.error) }, 'NATS error');
    }
  })();
}

/** One durable read with `consume()`, re-opened after a failure until stopped. */
class JetStreamSubscription implements Subscription {
  readonly durable: string;
  /** Resolves once the first `consume()` is open. */
  readonly started: Promise<void>;
  readonly #strip: number;
  readonly #open: () => Promise<ConsumerMessages>;
  readonly #lag: () => Promise<number>;
  readonly #dispatcher: Dispatcher;
  readonly #log: Logger;
  readonly #onEnd: () => void;
  #msgs: ConsumerMessages | null = null;
  #running = 0;
  #stopping = false;
  #abandoned = false;
  readonly #done: Promise<void>;

  constructor(
    o: ResolvedSubscribe,
    strip: number,
    open: () => Promise<ConsumerMessages>,
    lag: () => Promise<number>,
    dispatcher: Dispatcher,
    log: Logger,
    onEnd: () => void,
  ) {
    this.durable = o.durable;
    this.#strip = strip;
    this.#open = open;
    this.#lag = lag;
    this.#dispatcher = dispatcher;
    this.#log = log;
    this.#onEnd = onEnd;
    let ready: () => void = () => {};
    let failed: (e: unknown) => void = () => {};
    this.started = new Promise<void>((res, rej) => {
      ready = res;
      failed = rej;
    });
    this.#done = this.#run(ready, failed);
  }

  get inFlight(): number {
    return (this.#msgs?.getPending() ?? 0) + this.#running + this.#dispatcher.waiting;
  }
  get stats(): SubscriptionStats {
    return this.#dispatcher.stats;
  }

  lag(): Promise<number> {
    return this.#lag();
  }

  async #run(ready: () => void, failed: (e: unknown) => void): Promise<void> {
    const live = () => !this.#abandoned;
    let first = true;
    while (!this.#stopping) {
      try {
        this.#msgs = await this.#open();
      } catch (err) {
        if (first) {
          this.#onEnd();
          failed(err);
          return;
        }
        this.#log.warn({ durable: this.durable, err: message(err) }, 'consume failed; retrying');
        await sleep(1_000);
        continue;
      }
      if (first) ready();
      first = false;
      try {
        for await (const m of this.#msgs) {
          if (this.#stopping) {
            m.nak();
            continue;
          }
          this.#running = 1;
          try {
            await this.#dispatcher.dispatch(this.#delivery(m), live);
          } finally {
            this.#running = 0;
          }
        }
      } catch (err) {
        this.#log.warn({ durable: this.durable, err: message(err) }, 'consume ended; reopening');
      }
      if (!this.#stopping) await sleep(1_000);
    }
  }

  #delivery(m: JsMsg): Delivery {
    return {
      subject: m.subject.slice(this.#strip),
      data: m.data,
      seq: m.seq,
      redelivered: m.redelivered,
      storedMs: m.info.timestampNanos / 1e6,
      ack: () => m.ack(),
      nak: (delayMs: number) => m.nak(delayMs),
    };
  }

  async stop(): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      this.#msgs?.stop();
    }
    await this.#done;
    this.#dispatcher.release();
    this.#onEnd();
  }

  /** Stops waiting for a running handler: its answer will not count (see `EventBus.close`). */
  abandon(): void {
    this.#abandoned = true;
    this.#stopping = true;
    this.#msgs?.stop();
    this.#onEnd();
  }
}
