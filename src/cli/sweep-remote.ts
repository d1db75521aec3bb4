/**
 * Where the jobs of a sweep split by day run: on this machine's thread pool, or on `scalper worker`
 * processes anywhere, through the JetStream work queue `SCALPER_SWEEP_JOBS` (subject
 * `sweep.SCALPER_SWEEP_JOBS.<sweep id>`) with their results in PostgreSQL's `sweep_results`; and
 * the worker's side of that queue. Results already stored for the sweep id are not asked for
 * again, so a sweep stopped while it waited is resumed by running it again with its `--sweep-id`.
 */
import type { DayParts } from '../backtest/index.js';
import { EngineError } from '../core/index.js';
import {
  BusError,
  openSweepResults,
  StateStoreError,
  type SweepResultRow,
  type SweepResultStore,
  type WorkItem,
  WorkQueue,
  type WorkQueueOptions,
  workerName,
} from '../infra/index.js';
import type { BacktestJobResult } from './backtest-worker.js';
import type { BacktestPool } from './sweep.js';
import {
  backtestJobOf,
  type DayResult,
  fromWire,
  type JobOutcome,
  jobHash,
  jobMessageId,
  jobSubject,
  parseJob,
  SWEEP_CONSUMER,
  SWEEP_STREAM,
  SweepIdReusedError,
  type SweepJob,
  SweepJobFormatError,
  streamSubjects,
  toWire,
} from './sweep-jobs.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Runs every job on `pool` (threads here); a job that throws is a failed result, not an abort. */
export async function runJobsOnPool(
  jobs: readonly SweepJob[],
  pool: BacktestPool,
  onDone?: (done: number, total: number) => void,
): Promise<DayResult[]> {
  let done = 0;
  return Promise.all(
    jobs.map(async (job) => {
      const outcome = await runOne(pool, job);
      onDone?.(++done, jobs.length);
      return { point: job.point, day: job.day, outcome };
    }),
  );
}

async function runOne(pool: BacktestPool, job: SweepJob): Promise<JobOutcome> {
  try {
    const r: BacktestJobResult = await pool.run(backtestJobOf(job));
    if (r.parts === undefined) throw new Error('the backtest returned no day parts');
    return { ok: true, records: r.records, parts: r.parts };
  } catch (e) {
    return { ok: false, error: messageOf(e) };
  }
}

/** The NATS server, the stream, the database of a distributed sweep or worker. */
export interface QueueAndStore {
  readonly natsUrl: string;
  /** Default `SCALPER_SWEEP_JOBS`. */
  readonly stream?: string;
  /** Default `SCALPER_PG_URL`, else the machine's database. */
  readonly pgUrl?: string;
  /** How long to wait for NATS and PostgreSQL at start (default 5,000 ms each). */
  readonly connectTimeoutMs?: number;
}

/** Opens the results table, or says which database is not there and what to start. */
async function openStore(o: QueueAndStore): Promise<SweepResultStore> {
  try {
    return await openSweepResults({
      url: o.pgUrl,
      retryForMs: o.connectTimeoutMs ?? 5_000,
      connectTimeoutMs: o.connectTimeoutMs ?? 5_000,
    });
  } catch (e) {
    if (e instanceof StateStoreError && e.code === 'STORE_UNAVAILABLE')
      throw new EngineError(
        e.code,
        `${e.message}; start PostgreSQL there, or give the database with --pg or SCALPER_PG_URL`,
        { cause: e },
      );
    throw e;
  }
}

/** Connects to the work queue, or says which server is not there and what to start. */
async function openQueue(o: QueueAndStore, extra: Partial<WorkQueueOptions> = {}): Promise<WorkQueue> {
  try {
    return await WorkQueue.connect({
      servers: o.natsUrl,
      stream: o.stream ?? SWEEP_STREAM,
      subjects: [streamSubjects(o.stream ?? SWEEP_STREAM)],
      durable: SWEEP_CONSUMER,
      connectTimeoutMs: o.connectTimeoutMs ?? 5_000,
      ...extra,
    });
  } catch (e) {
    if (e instanceof BusError && e.code === 'BUS_CONNECT')
      throw new EngineError(
        e.code,
        `${e.message}; start a NATS server with JetStream there (nats-server -js), or give another with --workers nats://HOST:PORT (sweep), --nats (worker) or SCALPER_NATS_URL`,
        { cause: e },
      );
    throw e;
  }
}

/** Options of `runJobsOnWorkers`. */
export interface WorkersOptions extends QueueAndStore {
  readonly sweepId: string;
  /** How often the database is asked how many jobs are done (default 500 ms). */
  readonly pollMs?: number;
  readonly onDone?: (done: number, total: number) => void;
  /** Told once when no worker has taken a job for `idleHintMs` (default 10,000 ms). */
  readonly onIdle?: (text: string) => void;
  readonly idleHintMs?: number;
  /** Stops the wait (the jobs stay queued; the sweep can be resumed under its id). */
  readonly signal?: AbortSignal;
}

/** A stored row as the sweep reads it. */
function rowResult(row: SweepResultRow): DayResult {
  const at = { point: row.point, day: row.day, worker: row.worker };
  if (row.result === null) return { ...at, outcome: { ok: false, error: row.error ?? 'no result' } };
  const v = fromWire(row.result) as { records: number; parts: DayParts };
  return { ...at, outcome: { ok: true, records: v.records, parts: v.parts } };
}

/**
 * Publishes the jobs without a stored result to the work queue and waits until every job has its
 * row in the database; returns the rows of `jobs`.
 */
export async function runJobsOnWorkers(jobs: readonly SweepJob[], o: WorkersOptions): Promise<DayResult[]> {
  const store = await openStore(o);
  try {
    const queue = await openQueue(o);
    try {
      const key = (point: number, day: string) => `${point}:${day}`;
      const hashes = new Map(jobs.map((j) => [key(j.point, j.day), jobHash(j)]));
      const check = (rows: readonly SweepResultRow[]) => {
        const foreign = rows.filter(
          (r) => hashes.has(key(r.point, r.day)) && hashes.get(key(r.point, r.day)) !== r.jobHash,
        );
        if (foreign.length > 0) throw new SweepIdReusedError(o.sweepId, foreign);
      };
      const before = await store.read(o.sweepId);
      check(before);
      const stored = new Set(before.map((r) => key(r.point, r.day)));
      const subject = jobSubject(queue.stream, o.sweepId);
      for (const j of jobs)
        if (!stored.has(key(j.point, j.day)))
          await queue.publish(subject, toWire(j), jobMessageId(o.sweepId, j.point, j.day));
      const idleMs = o.idleHintMs ?? 10_000;
      let last = -1;
      let lastChange = Date.now();
      let hinted = false;
      for (;;) {
        const done = (await store.keys(o.sweepId)).filter((r) => hashes.has(key(r.point, r.day))).length;
        if (done !== last) {
          last = done;
          lastChange = Date.now();
          o.onDone?.(done, jobs.length);
        }
        if (done >= jobs.length) {
          const rows = (await store.read(o.sweepId)).filter((r) => hashes.has(key(r.point, r.day)));
          check(rows);
          return rows.map(rowResult);
        }
        if (!hinted && Date.now() - lastChange >= idleMs) {
          const s = await queue.state();
          if (s.inProgress === 0 && s.waitingWorkers === 0) {
            hinted = true;
            o.onIdle?.(
              `no worker is taking jobs from stream ${queue.stream} on ${queue.server} (${s.pending} waiting); start \`scalper worker --nats ${queue.server}\` where the data files can be read`,
            );
          }
        }
        o.signal?.throwIfAborted();
        await sleep(o.pollMs ?? 500);
        o.signal?.throwIfAborted();
      }
    } finally {
      await queue.close();
    }
  } finally {
    await store.close();
  }
}

/** Options of `runWorker`. */
export interface WorkerOptions extends QueueAndStore {
  /** Jobs at a time (each in its own thread). */
  readonly concurrency: number;
  /** How long a silent job stays with its worker (default 60,000 ms). */
  readonly ackWaitMs?: number;
  /** How long a stop waits for running jobs before handing them back (default 30,000 ms). */
  readonly graceMs?: number;
  /** Hears of each job as it starts (`redeliveries`: how many times it was delivered before). */
  readonly onStart?: (job: JobInfo) => void;
  /** Hears of each job finished: whether this worker's row was the one stored, and its error. */
  readonly onJob?: (job: JobInfo & { ms: number; stored: boolean; error?: string }) => void;
  /** Hears of a message that is no job (it is dropped). */
  readonly onBadJob?: (text: string) => void;
  readonly pool: BacktestPool;
}

/** A job as a worker reports it. */
export interface JobInfo {
  readonly sweepId: string;
  readonly point: number;
  readonly day: string;
  readonly redeliveries: number;
}

/** A running worker: `stop()` takes no more jobs and resolves once it is closed. */
export interface RunningWorker {
  readonly queue: string;
  readonly store: string;
  stop(now?: boolean): Promise<void>;
}

/**
 * Takes jobs from the queue, `concurrency` at a time, and writes each one's row: the result, or
 * the error of a job that cannot run (a file missing here, say); a job already stored is not run
 * again. A row the database cannot take leaves the job to be delivered again later.
 */
export async function runWorker(o: WorkerOptions): Promise<RunningWorker> {
  const store = await openStore(o);
  let queue: WorkQueue;
  try {
    // A job that failed for want of the database waits a little before it is tried again.
    queue = await openQueue(o, {
      ackWaitMs: o.ackWaitMs,
      retryDelayMs: 5_000,
      name: `scalper-worker-${workerName()}`,
    });
  } catch (e) {
    await store.close();
    throw e;
  }
  let aborted = false;
  const handle = async (item: WorkItem) => {
    const text = new TextDecoder().decode(item.data);
    let job: SweepJob;
    try {
      job = parseJob(text);
    } catch (e) {
      if (!(e instanceof SweepJobFormatError)) throw e;
      o.onBadJob?.(`${e.message}: ${text.slice(0, 200)}`);
      return 'drop' as const;
    }
    const info = { sweepId: job.sweepId, point: job.point, day: job.day, redeliveries: item.redeliveries };
    if (await store.has(job.sweepId, job.point, job.day)) {
      o.onJob?.({ ...info, ms: 0, stored: false });
      return 'done' as const;
    }
    o.onStart?.(info);
    const started = Date.now();
    const outcome = await runOne(o.pool, job);
    if (aborted) throw new Error('stopped before the job finished');
    const stored = await store.put({
      sweepId: job.sweepId,
      point: job.point,
      day: job.day,
      jobHash: jobHash(job),
      result: outcome.ok ? toWire({ records: outcome.records, parts: outcome.parts }) : null,
      error: outcome.ok ? null : outcome.error,
    });
    o.onJob?.({
      ...info,
      ms: Date.now() - started,
      stored,
      ...(outcome.ok ? {} : { error: outcome.error }),
    });
    return 'done' as const;
  };
  try {
    await queue.work(handle, o.concurrency);
  } catch (e) {
    await queue.close();
    await store.close();
    throw e;
  }
  let stopping: Promise<void> | null = null;
  let poolClosed: Promise<void> | null = null;
  const closePool = () => {
    // Jobs cut short by this are handed back, not recorded as failed (see `handle`).
    aborted = true;
    poolClosed ??= o.pool.close();
    return poolClosed;
  };
  return {
    queue: `${queue.stream} on ${queue.server}`,
    store: store.location,
    stop: (now = false) => {
      if (now) {
        void queue.stop(0);
        void closePool();
      }
      stopping ??= (async () => {
        await queue.stop(now ? 0 : (o.graceMs ?? 30_000));
        await closePool();
        await queue.close();
        await store.close();
      })();
      return stopping;
    },
  };
}
