/**
 * A job queue over NATS JetStream: a stream with work-queue retention (a message is removed once a
 * consumer acknowledges it) and one durable pull consumer that every worker process shares, so
 * each job goes to one worker at a time, on any machine that reaches the server.
 *
 * - Publishing: every job carries a message id; the same id within the stream's duplicate window is
 *   stored once, so a producer that publishes its jobs again after a crash adds nothing.
 * - Working: a worker takes at most `concurrency` jobs at a time (`next()` per free slot) and
 *   acknowledges a job only after its handler resolves. While a handler runs, the job is marked
 *   in progress every third of the ack wait, so a long job is not handed to another worker; a worker
 *   that dies (SIGKILL, a lost machine) sends no more of these, and its job is delivered again
 *   after the ack wait. A handler that throws has its job delivered again after `retryDelayMs`; a
 *   handler returns `'drop'` for a job that can never succeed (it is terminated, not redelivered).
 *   Handlers must be idempotent: a job can run twice (a worker that lost its connection after the
 *   work was done and before the acknowledgement arrived).
 * - Stopping: `stop(graceMs)` takes no more jobs, waits up to `graceMs` for the running ones, then
 *   hands the rest back (`nak`, delivered again at once to another worker).
 *
 * The client library is loaded on `connect`, as the JetStream bus loads it.
 */
import type { Consumer, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { componentLogger, type Logger } from '../../core/index.js';
import { redactUrl } from '../url.js';
import { BusError } from './errors.js';

/** The server, the stream and its consumer, and how long a job may go silent. */
export interface WorkQueueOptions {
  /** Server URL (default `nats://127.0.0.1:4222`). */
  readonly servers?: string;
  readonly stream: string;
  /** Subjects the stream captures (`sweep.SCALPER_SWEEP_JOBS.>`). */
  readonly subjects: readonly string[];
  /** The durable consumer the workers share. */
  readonly durable: string;
  /**
   * How long a job taken and not acknowledged nor marked in progress stays with its worker before
   * it is delivered to another (default 60,000 ms). Set when the consumer is created, updated when
   * a worker gives another.
   */
  readonly ackWaitMs?: number;
  /** How long a message id is remembered (default 120,000 ms). */
  readonly duplicateWindowMs?: number;
  /** How long `connect` keeps trying (default 5,000 ms). */
  readonly connectTimeoutMs?: number;
  /** Delay before a job whose handler threw is delivered again (default 1,000 ms). */
  readonly retryDelayMs?: number;
  /** Connection name shown by the server's monitoring. */
  readonly name?: string;
  readonly logger?: Logger;
}

/** A job as its handler sees it. */
export interface WorkItem {
  readonly subject: string;
  readonly data: Uint8Array;
  /** How many times it was delivered before (0 the first time). */
  readonly redeliveries: number;
}

/** What a handler says of a job it finished: done (acknowledged) or never to run again. */
export type WorkOutcome = 'done' | 'drop';

/** How many jobs are waiting, handed out and not yet acknowledged, and how many workers are asking. */
export interface WorkQueueState {
  readonly pending: number;
  readonly inProgress: number;
  readonly waitingWorkers: number;
}

const NANOS_PER_MS = 1_000_000;
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const apiCode = (err: unknown) => {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'number' ? c : undefined;
};

/** A JetStream work queue (see the module comment). Make one with `WorkQueue.connect`. */
export class WorkQueue {
  readonly stream: string;
  /** The server, its password hidden. */
  readonly server: string;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #o: WorkQueueOptions;
  readonly #log: Logger;
  #stopping = false;
  #closed = false;
  /** Jobs being worked on, with their release on stop. */
  readonly #running = new Map<JsMsg, Promise<void>>();
  /** Jobs handed back by `stop()`: their handlers' ends are no longer acknowledged. */
  readonly #handedBack = new WeakSet<JsMsg>();
  /** The in-progress timers of running jobs. */
  readonly #beats = new Map<JsMsg, ReturnType<typeof setInterval>>();
  #workers: Promise<void>[] = [];

  private constructor(nc: NatsConnection, js: JetStreamClient, jsm: JetStreamManager, o: WorkQueueOptions) {
    this.#nc = nc;
    this.#js = js;
    this.#jsm = jsm;
    this.#o = o;
    this.stream = o.stream;
    this.server = redactUrl(o.servers ?? 'nats://127.0.0.1:4222');
    this.#log = componentLogger('work-queue', o.logger).child({ stream: o.stream });
  }

  /**
   * Connects (retrying until `connectTimeoutMs`; then `BUS_CONNECT` naming the server) and creates
   * the stream when missing (`BUS_STREAM` when the server has no JetStream or refuses it).
   */
  static async connect(o: WorkQueueOptions): Promise<WorkQueue> {
    if (!/^[A-Za-z0-9_-]+$/.test(o.stream))
      throw new BusError('BUS_OPTION', o.stream, 'stream must be letters, digits, "-" or "_"');
    if (!/^[A-Za-z0-9_-]+$/.test(o.durable))
      throw new BusError(
        'BUS_OPTION',
        o.stream,
        `durable ${JSON.stringify(o.durable)}: letters, digits, "-" or "_"`,
      );
    if (o.ackWaitMs !== undefined && !(o.ackWaitMs >= 100))
      throw new BusError('BUS_OPTION', o.stream, `ack wait ${o.ackWaitMs} ms: at least 100 ms`);
    const [transport, jetstream] = await Promise.all([
      import('@nats-io/transport-node'),
      import('@nats-io/jetstream'),
    ]);
    const server = o.servers ?? 'nats://127.0.0.1:4222';
    const limit = o.connectTimeoutMs ?? 5_000;
    const end = Date.now() + limit;
    let nc: NatsConnection | undefined;
    let delay = 100;
    for (let attempt = 1; nc === undefined; attempt++) {
      try {
        nc = await transport.connect({
          servers: server,
          name: o.name ?? `scalper-${o.stream}`,
          reconnect: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 250,
          timeout: Math.max(100, Math.min(2_000, end - Date.now())),
        });
      } catch (err) {
        if (Date.now() + delay >= end)
          throw new BusError(
            'BUS_CONNECT',
            o.stream,
            `no NATS server answered at ${redactUrl(server)} within ${limit} ms (${attempt} attempts; last: ${message(err)})`,
            { cause: err },
          );
        await sleep(delay);
        delay = Math.min(delay * 2, 1_000);
      }
    }
    try {
      const jsm = await jetstream.jetstreamManager(nc);
      const q = new WorkQueue(nc, jetstream.jetstream(nc), jsm, o);
      await q.#ensureStream();
      return q;
    } catch (err) {
      await nc.close();
      if (err instanceof BusError) throw err;
      throw new BusError(
        'BUS_STREAM',
        o.stream,
        `cannot set up the work-queue stream on ${redactUrl(server)} (is JetStream enabled, nats-server -js?): ${message(err)}`,
        { cause: err },
      );
    }
  }

  async #ensureStream(): Promise<void> {
    try {
      const info = await this.#jsm.streams.info(this.stream);
      if (info.config.retention !== 'workqueue')
        throw new BusError(
          'BUS_STREAM',
          this.stream,
          `exists with ${info.config.retention} retention; a work queue needs its own stream`,
        );
      const subjects = [...this.#o.subjects];
      if (info.config.subjects?.join(' ') !== subjects.join(' '))
        await this.#jsm.streams.update(this.stream, { subjects });
      return;
    } catch (err) {
      if (apiCode(err) !== STREAM_NOT_FOUND) throw err;
    }
    await this.#jsm.streams.add({
      name: this.stream,
      subjects: [...this.#o.subjects],
      retention: 'workqueue',
      storage: 'file',
      discard: 'old',
      duplicate_window: (this.#o.duplicateWindowMs ?? 120_000) * NANOS_PER_MS,
    });
    this.#log.info({ subjects: this.#o.subjects }, 'work-queue stream created');
  }

  /** Publishes a job under `msgId`; `duplicate` when that id was already stored within the window. */
  async publish(subject: string, data: Uint8Array | string, msgId: string): Promise<{ duplicate: boolean }> {
    if (this.#closed) throw new BusError('BUS_CLOSED', this.stream, 'the work queue is closed');
    try {
      const ack = await this.#js.publish(subject, data, { msgID: msgId, timeout: 10_000 });
      return { duplicate: ack.duplicate };
    } catch (err) {
      throw new BusError(
        'BUS_PUBLISH',
        this.stream,
        `publish to ${JSON.stringify(subject)}: ${message(err)}`,
        {
          cause: err,
        },
      );
    }
  }

  async #consumer(): Promise<Consumer> {
    const ackWait = (this.#o.ackWaitMs ?? 60_000) * NANOS_PER_MS;
    const config = {
      durable_name: this.#o.durable,
      ack_policy: 'explicit' as const,
      deliver_policy: 'all' as const,
      ack_wait: ackWait,
      max_deliver: -1,
    };
    try {
      const info = await this.#jsm.consumers.info(this.stream, this.#o.durable);
      if (info.config.ack_wait !== ackWait) {
        await this.#jsm.consumers.update(this.stream, this.#o.durable, { ack_wait: ackWait });
        this.#log.info({ durable: this.#o.durable, ackWaitMs: ackWait / NANOS_PER_MS }, 'ack wait updated');
      }
    } catch (err) {
      if (apiCode(err) !== CONSUMER_NOT_FOUND) throw err;
      await this.#jsm.consumers.add(this.stream, config);
    }
    return this.#js.consumers.get(this.stream, this.#o.durable);
  }

  /**
   * Takes jobs, `concurrency` at a time, and hands each to `handler` until `stop()`; resolves once
   * started (the consumer exists). Throws `BUS_CONSUMER` when the consumer cannot be made.
   */
  async work(handler: (item: WorkItem) => Promise<WorkOutcome>, concurrency = 1): Promise<void> {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new BusError('BUS_OPTION', this.stream, `concurrency ${concurrency}: a positive integer`);
    let consumer: Consumer;
    try {
      consumer = await this.#consumer();
    } catch (err) {
      throw new BusError(
        'BUS_CONSUMER',
        this.stream,
        `cannot open consumer "${this.#o.durable}": ${message(err)}`,
        {
          cause: err,
        },
      );
    }
    for (let i = 0; i < concurrency; i++) this.#workers.push(this.#slot(consumer, handler));
  }

  async #slot(consumer: Consumer, handler: (item: WorkItem) => Promise<WorkOutcome>): Promise<void> {
    while (!this.#stopping) {
      let m: JsMsg | null;
      try {
        m = await consumer.next({ expires: 1_000 });
      } catch (err) {
        if (this.#stopping) return;
        this.#log.warn({ err: message(err) }, 'taking a job failed; trying again');
        await sleep(1_000);
        continue;
      }
      if (m === null) continue;
      if (this.#stopping) {
        m.nak();
        return;
      }
      const done = this.#handle(m, handler);
      this.#running.set(m, done);
      await done;
      this.#running.delete(m);
    }
  }

  async #handle(m: JsMsg, handler: (item: WorkItem) => Promise<WorkOutcome>): Promise<void> {
    const ackWaitMs = this.#o.ackWaitMs ?? 60_000;
    const beat = setInterval(() => m.working(), Math.max(50, Math.floor(ackWaitMs / 3)));
    this.#beats.set(m, beat);
    const item = { subject: m.subject, data: m.data, redeliveries: m.info.deliveryCount - 1 };
    try {
      const outcome = await handler(item);
      clearInterval(beat);
      this.#beats.delete(m);
      if (this.#handedBack.has(m)) return;
      if (outcome === 'drop') m.term('dropped by its worker');
      else await m.ackAck();
    } catch (err) {
      clearInterval(beat);
      this.#beats.delete(m);
      if (this.#closed || this.#handedBack.has(m)) return;
      this.#log.warn(
        { subject: m.subject, err: message(err), retryInMs: this.#o.retryDelayMs ?? 1_000 },
        'job failed; delivered again later',
      );
      m.nak(this.#o.retryDelayMs ?? 1_000);
    }
  }

  /** The stream's jobs not yet taken, taken and not yet acknowledged, and workers asking for more. */
  async state(): Promise<WorkQueueState> {
    try {
      const c = await this.#jsm.consumers.info(this.stream, this.#o.durable);
      return { pending: c.num_pending, inProgress: c.num_ack_pending, waitingWorkers: c.num_waiting };
    } catch (err) {
      if (apiCode(err) !== CONSUMER_NOT_FOUND) throw err;
      const s = await this.#jsm.streams.info(this.stream);
      return { pending: s.state.messages, inProgress: 0, waitingWorkers: 0 };
    }
  }

  /**
   * Takes no more jobs; waits up to `graceMs` for the running ones, then hands those still running
   * back to the queue (returns how many). Their handlers keep running: the caller stops them.
   */
  async stop(graceMs = 0): Promise<number> {
    this.#stopping = true;
    const running = [...this.#running.values()];
    if (running.length > 0 && graceMs > 0) await Promise.race([Promise.all(running), sleep(graceMs)]);
    const left = [...this.#running.keys()];
    for (const m of left) {
      this.#handedBack.add(m);
      clearInterval(this.#beats.get(m));
      this.#beats.delete(m);
      m.nak();
    }
    this.#running.clear();
    if (left.length > 0) this.#log.info({ jobs: left.length }, 'running jobs handed back');
    await this.#nc.flush().catch(() => undefined);
    return left.length;
  }

  /** Removes the stream and its jobs (tests, and a queue that is done with). */
  async deleteStream(): Promise<void> {
    await this.#jsm.streams.delete(this.stream);
  }

  /** Stops taking jobs (handing back running ones at once) and closes the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (!this.#stopping) await this.stop(0);
    this.#closed = true;
    await this.#nc.close();
    await Promise.allSettled(this.#workers);
  }
}
