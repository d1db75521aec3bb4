/**
 * Bulk writes and time-range reads of the PostgreSQL store's history tables (pg-schema.ts).
 *
 * A bulk write through COPY streams the rows, in PostgreSQL's text format, into a temporary
 * staging table shaped like the target (emptied at each commit), then moves them with one
 * `INSERT … SELECT … ON CONFLICT DO UPDATE`: COPY skips the per-statement parsing and planning of
 * INSERT, and the staging table lets a batch replace rows already stored instead of failing on
 * them. The `insert` method sends the same upsert as multi-row INSERT statements.
 *
 * With the partitioned layout, each UTC day a batch reaches gets its partition first (in its own
 * short transaction, under an advisory lock so that two writers do not race to make it); the
 * partition inherits the parent's primary key and time index.
 */

import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StateStoreError } from './errors.js';
import { DAY_NS, type HistoryLayout } from './pg-schema.js';
import type { PgSession, Sql } from './pg-session.js';
import { ns, num, type SqlRow } from './rows.js';
import type { BulkMethod, StoredBar, StoredFeatureSnapshot, StoredFill } from './types.js';

/** One history table as the writer sees it. */
export interface HistoryTable<T> {
  readonly table: string;
  readonly columns: readonly string[];
  /** Its primary key (the conflict target of the upsert). */
  readonly key: readonly string[];
  /** A row's values, in `columns` order. */
  readonly values: (row: T) => readonly unknown[];
  /** A row's time in ns (for its partition). */
  readonly time: (row: T) => bigint;
}

export const BARS: HistoryTable<StoredBar> = {
  table: 'bars',
  columns: ['instrument_id', 'interval_s', 'ts_ns', 'open', 'high', 'low', 'close', 'volume'],
  key: ['instrument_id', 'interval_s', 'ts_ns'],
  values: (b) => [b.instrumentId, b.intervalS, b.tsNs, b.open, b.high, b.low, b.close, b.volume],
  time: (b) => b.tsNs,
};

export const FEATURE_SNAPSHOTS: HistoryTable<StoredFeatureSnapshot> = {
  table: 'feature_snapshots',
  columns: ['instrument_id', 'ts_ns', 'features'],
  key: ['instrument_id', 'ts_ns'],
  values: (s) => [s.instrumentId, s.tsNs, JSON.stringify(s.features)],
  time: (s) => s.tsNs,
};

/** A fill of a run, as the run-fills table keeps it. */
export interface RunFill {
  readonly runId: string;
  readonly fill: StoredFill;
}

export const RUN_FILLS: HistoryTable<RunFill> = {
  table: 'run_fills',
  columns: [
    'run_id',
    'fill_id',
    'client_id',
    'instrument_id',
    'side',
    'quantity',
    'price',
    'fee',
    'liquidity',
    'ts_ns',
  ],
  key: ['run_id', 'fill_id', 'ts_ns'],
  values: ({ runId, fill: f }) => [
    runId,
    f.fillId,
    f.clientId,
    f.instrumentId,
    f.side,
    f.quantity,
    f.price,
    f.fee,
    f.liquidity ?? null,
    f.tsNs,
  ],
  time: (r) => r.fill.tsNs,
};

/** A value in COPY's text format: `\N` for null; backslash, tab, newline and CR escaped. */
function copyText(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = String(v);
  return /[\\\t\n\r]/.test(s)
    ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : s;
}

/** Rows per chunk written to the COPY stream. */
const CHUNK = 1_000;
/** PostgreSQL binds at most 65,535 parameters per statement. */
const MAX_PARAMS = 65_535;

function* copyChunks<T>(t: HistoryTable<T>, rows: readonly T[]): Generator<string> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    let s = '';
    for (const row of rows.slice(i, i + CHUNK)) s += `${t.values(row).map(copyText).join('\t')}\n`;
    yield s;
  }
}

type CopyModule = typeof import('pg-copy-streams');
let copyModule: CopyModule | undefined;
function copyStreams(): CopyModule {
  copyModule ??= createRequire(import.meta.url)('pg-copy-streams') as CopyModule;
  return copyModule;
}

function upsert<T>(t: HistoryTable<T>, source: string): string {
  const cols = t.columns.join(', ');
  const set = t.columns
    .filter((c) => !t.key.includes(c))
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  return `INSERT INTO ${t.table} (${cols}) ${source} ON CONFLICT (${t.key.join(', ')}) DO UPDATE SET ${set}`;
}

async function viaCopy<T>(sql: Sql, t: HistoryTable<T>, rows: readonly T[]): Promise<number> {
  const staging = `${t.table}_staging`;
  await sql.query(
    `CREATE TEMP TABLE IF NOT EXISTS ${staging} (LIKE ${t.table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
  );
  const cols = t.columns.join(', ');
  const stream = sql.query(copyStreams().from(`COPY ${staging} (${cols}) FROM STDIN`));
  await pipeline(Readable.from(copyChunks(t, rows)), stream);
  const r = await sql.query(upsert(t, `SELECT ${cols} FROM ${staging}`));
  return r.rowCount ?? 0;
}

async function viaInsert<T>(sql: Sql, t: HistoryTable<T>, rows: readonly T[]): Promise<number> {
  const per = Math.min(CHUNK, Math.floor(MAX_PARAMS / t.columns.length));
  let written = 0;
  for (let i = 0; i < rows.length; i += per) {
    const part = rows.slice(i, i + per);
    const params: unknown[] = [];
    const tuples = part.map((row) => {
      const vs = t.values(row);
      const ph = vs.map((v) => `$${params.push(v)}`);
      return `(${ph.join(', ')})`;
    });
    const r = await sql.query(upsert(t, `VALUES ${tuples.join(', ')}`), params);
    written += r.rowCount ?? 0;
  }
  return written;
}

/** Partition name of `table` for UTC day number `day` (days since the epoch): `bars_d20260304`. */
export function partitionName(table: string, day: bigint): string {
  const date = new Date(Number(day) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  return `${table}_d${date}`;
}

/** The days (since the epoch, UTC) that `rows` fall on. */
function daysOf<T>(t: HistoryTable<T>, rows: readonly T[]): bigint[] {
  const days = new Set<bigint>();
  for (const row of rows) days.add(t.time(row) / DAY_NS);
  return [...days].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Writes history rows for one store: makes partitions as needed, then COPY or INSERT. */
export class HistoryWriter {
  readonly #session: PgSession;
  readonly #layout: HistoryLayout;
  /** Partitions known to exist (made or found by this store). */
  readonly #partitions = new Set<string>();

  constructor(session: PgSession, layout: HistoryLayout) {
    this.#session = session;
    this.#layout = layout;
  }

  get layout(): HistoryLayout {
    return this.#layout;
  }

  async #ensurePartitions<T>(t: HistoryTable<T>, rows: readonly T[]): Promise<void> {
    if (this.#layout !== 'partitioned') return;
    const missing = daysOf(t, rows).filter((d) => !this.#partitions.has(partitionName(t.table, d)));
    if (missing.length === 0) return;
    await this.#session.transaction(`${t.table} partitions`, async (sql) => {
      await sql.query(
        `SELECT pg_advisory_xact_lock(hashtext('scalper-engine partitions ' || current_schema()))`,
      );
      for (const d of missing)
        await sql.query(
          `CREATE TABLE IF NOT EXISTS ${partitionName(t.table, d)} PARTITION OF ${t.table}
           FOR VALUES FROM (${d * DAY_NS}) TO (${(d + 1n) * DAY_NS})`,
        );
    });
    for (const d of missing) this.#partitions.add(partitionName(t.table, d));
  }

  /** Writes `rows` into `t` in one transaction; returns the rows written. */
  async write<T>(what: string, t: HistoryTable<T>, rows: readonly T[], method: BulkMethod): Promise<number> {
    if (rows.length === 0) return 0;
    await this.#ensurePartitions(t, rows);
    try {
      return await this.#session.transaction(what, (sql) =>
        method === 'copy' ? viaCopy(sql, t, rows) : viaInsert(sql, t, rows),
      );
    } catch (e) {
      // 21000: ON CONFLICT DO UPDATE met the same key twice in one statement.
      if (
        (e as StateStoreError).cause instanceof Error &&
        (e as { cause: { code?: string } }).cause.code === '21000'
      )
        throw new StateStoreError(
          'STORE_INVALID',
          this.#session.location,
          `${what}: the batch holds two rows with the same key (${t.key.join(', ')})`,
          { cause: e },
        );
      throw e;
    }
  }
}

export function barOf(r: SqlRow): StoredBar {
  return {
    instrumentId: num(r.instrument_id),
    intervalS: num(r.interval_s),
    tsNs: ns(r.ts_ns),
    open: num(r.open),
    high: num(r.high),
    low: num(r.low),
    close: num(r.close),
    volume: num(r.volume),
  };
}

export function snapshotOf(r: SqlRow): StoredFeatureSnapshot {
  return {
    instrumentId: num(r.instrument_id),
    tsNs: ns(r.ts_ns),
    features: r.features as unknown as Record<string, number | null>,
  };
}
