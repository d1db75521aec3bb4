/**
 * Bulk writes into the PostgreSQL store's history tables (pg-schema.ts).
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
import { type HistoryTable, upsertSql } from './history-rows.js';
import { DAY_NS, type HistoryLayout } from './pg-schema.js';
import type { PgSession, Sql } from './pg-session.js';
import type { BulkMethod } from './types.js';

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

async function viaCopy<T>(sql: Sql, t: HistoryTable<T>, rows: readonly T[]): Promise<number> {
  const staging = `${t.table}_staging`;
  await sql.query(
    `CREATE TEMP TABLE IF NOT EXISTS ${staging} (LIKE ${t.table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
  );
  const cols = t.columns.join(', ');
  const stream = sql.query(copyStreams().from(`COPY ${staging} (${cols}) FROM STDIN`));
  await pipeline(Readable.from(copyChunks(t, rows)), stream);
  const r = await sql.query(upsertSql(t, `SELECT ${cols} FROM ${staging}`));
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
    const r = await sql.query(upsertSql(t, `VALUES ${tuples.join(', ')}`), params);
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
    return this.#session.transaction(what, (sql) =>
      method === 'copy' ? viaCopy(sql, t, rows) : viaInsert(sql, t, rows),
    );
  }
}
