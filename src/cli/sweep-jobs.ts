/**
 * A sweep split by trading day: one job per (grid point, day), each a backtest of that day's files
 * over that day alone, and the days of each point put together again (backtest `combineDays`) and
 * scored as `runSweep` scores a point. The jobs run on a thread pool (`scalper sweep --by-day`) or
 * on `scalper worker` processes on any machine, through a JetStream work queue (stream
 * `SCALPER_SWEEP_JOBS`, subject `sweep.SCALPER_SWEEP_JOBS.<sweep id>`), with their results
 * in PostgreSQL (`--workers nats://…`); both give the same rows.
 *
 * What crosses processes is text: `toWire` writes JSON that keeps what JSON alone loses (bigint
 * ns times, NaN and ±Infinity ratios, −0), `fromWire` reads it back, so a result read from the
 * database is the value the worker computed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { bestIndex, combineDays, type DayParts, type GridPoint, score } from '../backtest/index.js';
import { EngineError, tradingDayBoundsNs } from '../core/index.js';
import { DEFAULT_NATS_URL, NATS_URL_ENV, natsUrl } from '../infra/index.js';
import type { BacktestJob } from './backtest-worker.js';
import type { ScalperConfig } from './config.js';
import type { SweepResult } from './sweep.js';

export { DEFAULT_NATS_URL, NATS_URL_ENV, natsUrl };

/** The JetStream stream of sweep jobs (work-queue retention). */
export const SWEEP_STREAM = 'SCALPER_SWEEP_JOBS';

const STREAM = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The subjects a jobs stream captures, `sweep.<stream>.>`: named after the stream, so that two
 * streams (another team's, a test's) never claim the same subjects, which JetStream refuses.
 */
export function streamSubjects(stream: string): string {
  if (!STREAM.test(stream))
    throw new InvalidArgumentError(`stream "${stream}": 1 to 64 letters, digits, _ or -`);
  return `sweep.${stream}.>`;
}
/** The durable consumer every worker shares. */
export const SWEEP_CONSUMER = 'sweep-workers';

/** Where a sweep's backtests run: worker threads here, or workers behind a NATS server. */
export type SweepWorkers =
  | { readonly kind: 'threads'; readonly threads: number }
  | { readonly kind: 'nats'; readonly url: string };

const NATS_SCHEMES = /^(nats|tls|ws|wss):\/\/[^\s/]+\/?$/;

/**
 * `--workers`: a thread count (0: this thread), a server URL (`nats://host:port`), or `nats` for
 * the server of `SCALPER_NATS_URL` (else `nats://127.0.0.1:4222`).
 */
export function parseWorkers(text: string, env = process.env): SweepWorkers {
  const v = text.trim();
  if (/^\d+$/.test(v)) return { kind: 'threads', threads: Number(v) };
  if (v === 'nats') return { kind: 'nats', url: natsUrl(env) };
  if (NATS_SCHEMES.test(v)) return { kind: 'nats', url: v };
  throw new InvalidArgumentError(
    `"${text}" is neither a number of threads nor a NATS server URL (nats://host:port, or "nats" for ${NATS_URL_ENV})`,
  );
}

const SWEEP_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A sweep id: letters, digits, `_` and `-` (it is a subject token and part of message ids). */
export function checkSweepId(id: string): string {
  if (!SWEEP_ID.test(id)) throw new InvalidArgumentError(`sweep id "${id}": 1 to 64 letters, digits, _ or -`);
  return id;
}

/** A new sweep id: the UTC time to the second and 6 random hex digits (`sw-20261123T133000-a1b2c3`). */
export function newSweepId(nowMs = Date.now()): string {
  const t = new Date(nowMs).toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `sw-${t}-${randomBytes(3).toString('hex')}`;
}

/** `--stream`: a stream name that makes valid subjects. */
export function checkStream(stream: string): string {
  streamSubjects(stream);
  return stream;
}

/** The subject of a sweep's jobs on `stream`: `sweep.<stream>.<sweep id>`. */
export function jobSubject(stream: string, sweepId: string): string {
  return `${streamSubjects(stream).slice(0, -1)}${checkSweepId(sweepId)}`;
}

/**
 * The message id of a job: the same (sweep, point, day) gives the same id, so a sweep published
 * again (after a crash, or resumed with `--sweep-id`) within the duplicate window stores no job twice.
 */
export function jobMessageId(sweepId: string, point: number, day: string): string {
  return `${checkSweepId(sweepId)}:${point}:${day}`;
}

/** One backtest of a sweep split by day: a grid point's configuration over one trading day. */
export interface SweepJob {
  readonly version: 1;
  readonly sweepId: string;
  /** The point's index in the grid. */
  readonly point: number;
  /** The CME trading date. */
  readonly day: string;
  /** The day's files, as absolute paths: a worker elsewhere needs them at the same place. */
  readonly files: readonly string[];
  /** The run's configuration with the point's values set (checked by the schema already). */
  readonly config: ScalperConfig;
  readonly fromNs: bigint;
  readonly toNs: bigint;
}

/**
 * The jobs of a sweep: every point (its checked configuration) on every day of `byDay` (dates in
 * order), each over that day's bounds clipped to `[fromNs, toNs)`; a day the range leaves empty
 * has no job. Points vary slowest.
 */
export function sweepJobs(
  sweepId: string,
  configs: readonly ScalperConfig[],
  byDay: ReadonlyMap<string, readonly string[]>,
  range: { readonly fromNs?: bigint; readonly toNs?: bigint } = {},
): SweepJob[] {
  const days: { day: string; files: string[]; fromNs: bigint; toNs: bigint }[] = [];
  for (const [day, files] of byDay) {
    const b = tradingDayBoundsNs(day);
    const fromNs = range.fromNs !== undefined && range.fromNs > b.startNs ? range.fromNs : b.startNs;
    const toNs = range.toNs !== undefined && range.toNs < b.endNs ? range.toNs : b.endNs;
    if (fromNs < toNs) days.push({ day, files: files.map((f) => resolve(f)), fromNs, toNs });
  }
  return configs.flatMap((config, point) =>
    days.map((d) => ({ version: 1 as const, sweepId, point, config, ...d })),
  );
}

/**
 * A job's fingerprint: what it runs (files, configuration, range), not where it sits in the
 * sweep. A stored row whose fingerprint differs from the job's was made by another sweep under the
 * same id (`--sweep-id` given again with another grid or other files), not a result to reuse.
 */
export function jobHash(job: SweepJob): string {
  const { files, config, fromNs, toNs } = job;
  return createHash('sha256').update(toWire({ files, config, fromNs, toNs })).digest('hex').slice(0, 32);
}

/** The backtest a job runs (with its `DayParts`). */
export function backtestJobOf(job: SweepJob): BacktestJob {
  return { files: job.files, config: job.config, fromNs: job.fromNs, toNs: job.toNs, parts: true };
}

/** A job's outcome: the day's records and parts, or why it failed. */
export type JobOutcome =
  | { readonly ok: true; readonly records: number; readonly parts: DayParts }
  | { readonly ok: false; readonly error: string };

/** A job's outcome with its place in the sweep. */
export interface DayResult {
  readonly point: number;
  readonly day: string;
  readonly outcome: JobOutcome;
  /** Which worker ran it (host and process), for the error report. */
  readonly worker?: string;
}

/** Stored rows of a sweep id that were made by other jobs than this sweep's. */
export class SweepIdReusedError extends EngineError {
  constructor(
    readonly sweepId: string,
    readonly rows: readonly { point: number; day: string }[],
  ) {
    const list = rows
      .slice(0, 5)
      .map((r) => `point ${r.point} day ${r.day}`)
      .join(', ');
    super(
      'SWEEP_ID_REUSED',
      `sweep ${sweepId}: ${rows.length} stored result(s) (${list}${rows.length > 5 ? ', …' : ''}) come from other jobs (another grid, configuration or files under the same id); give a new --sweep-id, or none`,
    );
  }
}

/** Jobs of a sweep that failed (a file missing on a worker, say): the sweep has no ranking. */
export class SweepJobError extends EngineError {
  constructor(
    readonly sweepId: string,
    readonly failed: readonly DayResult[],
    total: number,
  ) {
    const lines = failed
      .slice(0, 10)
      .map(
        (r) =>
          `  point ${r.point} day ${r.day}${r.worker ? ` (worker ${r.worker})` : ''}: ${r.outcome.ok ? '' : r.outcome.error}`,
      );
    const more = failed.length > 10 ? [`  … and ${failed.length - 10} more`] : [];
    super(
      'SWEEP_JOB',
      [`sweep ${sweepId}: ${failed.length} of ${total} job(s) failed:`, ...lines, ...more].join('\n'),
    );
  }
}

/**
 * The sweep of `points` from the results of every (point, day) job: each point's days in date
 * order combined into one set of metrics, scored by `objective`, the best chosen as `runSweep`
 * chooses. Throws `SweepJobError` when any job failed, naming each.
 */
export function sweepOfDays(
  sweepId: string,
  points: readonly GridPoint[],
  objective: SweepResult['objective'],
  results: readonly DayResult[],
): SweepResult {
  const failed = results.filter((r) => !r.outcome.ok);
  if (failed.length > 0) throw new SweepJobError(sweepId, failed, results.length);
  const rows = points.map((point, i) => {
    const days = results
      .filter((r) => r.point === i)
      .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
      .map((r) => r.outcome as Extract<JobOutcome, { ok: true }>);
    const metrics = combineDays(days.map((d) => d.parts));
    return {
      point,
      score: score(metrics, objective),
      records: days.reduce((s, d) => s + d.records, 0),
      metrics,
    };
  });
  return { objective, rows, best: bestIndex(rows.map((r) => r.score)) };
}

/** JSON that keeps bigints, NaN, ±Infinity and −0 (as `{"$bigint": "…"}`, `{"$number": "NaN"}`). */
export function toWire(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return { $bigint: v.toString() };
    // String(-0) is "0": the sign is written out.
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)))
      return { $number: Object.is(v, -0) ? '-0' : String(v) };
    return v;
  });
}

/** The value of `toWire`'s text. */
export function fromWire(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const keys = Object.keys(v);
    if (keys.length !== 1) return v;
    const o = v as Record<string, unknown>;
    if (typeof o.$bigint === 'string') return BigInt(o.$bigint);
    if (typeof o.$number === 'string') return o.$number === '-0' ? -0 : Number(o.$number);
    return v;
  });
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A job read from the queue, its shape checked; throws `SweepJobFormatError` saying what is wrong. */
export function parseJob(text: string): SweepJob {
  let v: unknown;
  try {
    v = fromWire(text);
  } catch (e) {
    throw new SweepJobFormatError(`not JSON (${(e as Error).message})`);
  }
  const j = v as Partial<Record<keyof SweepJob, unknown>>;
  const bad = (what: string) => new SweepJobFormatError(what);
  if (j === null || typeof j !== 'object') throw bad('not an object');
  if (j.version !== 1) throw bad(`version ${JSON.stringify(j.version)}, expected 1`);
  if (typeof j.sweepId !== 'string' || !SWEEP_ID.test(j.sweepId)) throw bad('no valid sweepId');
  if (typeof j.point !== 'number' || !Number.isInteger(j.point) || j.point < 0) throw bad('no valid point');
  if (typeof j.day !== 'string' || !DATE.test(j.day)) throw bad('no valid day (YYYY-MM-DD)');
  if (!Array.isArray(j.files) || j.files.length === 0 || j.files.some((f) => typeof f !== 'string'))
    throw bad('no list of files');
  if (j.config === null || typeof j.config !== 'object') throw bad('no configuration');
  if (typeof j.fromNs !== 'bigint' || typeof j.toNs !== 'bigint') throw bad('no time range');
  return j as SweepJob;
}

/** A message on the sweep subjects that is not a job this engine can run. */
export class SweepJobFormatError extends EngineError {
  constructor(detail: string) {
    super('SWEEP_JOB_FORMAT', `sweep job: ${detail}`);
  }
}
