/**
 * The results of distributed sweeps in PostgreSQL: one row per (sweep, grid point, trading day),
 * written by whichever worker ran the job, read by the sweep that waits for them.
 *
 * A row is written once: `INSERT … ON CONFLICT DO NOTHING` on the key, so a job delivered twice
 * (its first worker died after writing, or was too slow and the queue gave the job to another)
 * leaves the first result and tells the second writer it was not stored. A row holds either the
 * result (text the caller encodes) or the error that ended the job, never both.
 *
 * The table is the store's own, made when missing (`CREATE TABLE IF NOT EXISTS` under an
 * advisory lock, so that workers starting together do not race): a sweep's database need not be
 * the trading state store, so it is not one of that store's migrations.
 */
import { hostname } from 'node:os';
import { PgSession, type PgSessionOptions, pgUrl } from './pg-session.js';

/** One job's row. */
export interface SweepResultRow {
  readonly sweepId: string;
  readonly point: number;
  /** The trading date, YYYY-MM-DD. */
  readonly day: string;
  /** A fingerprint of the job that was run (its files, configuration and range), as the caller makes it. */
  readonly jobHash: string;
  /** The result, as the caller encoded it; null when the job failed. */
  readonly result: string | null;
  /** Why the job failed; null when it ran. */
  readonly error: string | null;
  /** Who wrote it: `host:pid` unless given. */
  readonly worker: string;
}

const TABLE = `
CREATE TABLE IF NOT EXISTS sweep_results (
  sweep_id TEXT NOT NULL,
  point INTEGER NOT NULL CHECK (point >= 0),
  day TEXT NOT NULL CHECK (day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  job_hash TEXT NOT NULL,
  result TEXT,
  error TEXT,
  worker TEXT NOT NULL,
  written_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (sweep_id, point, day),
  CHECK ((result IS NULL) <> (error IS NULL))
)`;

/** This process as a worker name. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

/** Where the results go: a PostgreSQL URL (default `SCALPER_PG_URL`) and how long to wait for it. */
export type SweepResultStoreOptions = Partial<Omit<PgSessionOptions, 'url'>> & { readonly url?: string };

/** The sweep results table (see the module comment). Open with `openSweepResults`. */
export class SweepResultStore {
  readonly #session: PgSession;

  constructor(session: PgSession) {
    this.#session = session;
  }

  /** The database, its password hidden. */
  get location(): string {
    return this.#session.location;
  }

  /** Writes a job's row unless one is there; true when this call wrote it. */
  async put(row: Omit<SweepResultRow, 'worker'> & { readonly worker?: string }): Promise<boolean> {
    return this.#session.transaction('put sweep result', async (sql) => {
      const r = await sql.query(
        `INSERT INTO sweep_results (sweep_id, point, day, job_hash, result, error, worker)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sweep_id, point, day) DO NOTHING`,
        [row.sweepId, row.point, row.day, row.jobHash, row.result, row.error, row.worker ?? workerName()],
      );
      return r.rowCount === 1;
    });
  }

  /** Whether a job's row is there. */
  async has(sweepId: string, point: number, day: string): Promise<boolean> {
    return this.#session.transaction('find sweep result', async (sql) => {
      const r = await sql.query(
        'SELECT 1 FROM sweep_results WHERE sweep_id = $1 AND point = $2 AND day = $3',
        [sweepId, point, day],
      );
      return r.rows.length > 0;
    });
  }

  /** The (point, day) of a sweep's rows, without their results: what a waiting sweep polls. */
  async keys(sweepId: string): Promise<{ point: number; day: string }[]> {
    return this.#session.transaction('list sweep results', async (sql) => {
      const r = await sql.query<{ point: number; day: string }>(
        'SELECT point, day FROM sweep_results WHERE sweep_id = $1',
        [sweepId],
      );
      return r.rows;
    });
  }

  /** A sweep's rows, by point then day. */
  async read(sweepId: string): Promise<SweepResultRow[]> {
    return this.#session.transaction('read sweep results', async (sql) => {
      const r = await sql.query<{
        point: number;
        day: string;
        job_hash: string;
        result: string | null;
        error: string | null;
        worker: string;
      }>(
        'SELECT point, day, job_hash, result, error, worker FROM sweep_results WHERE sweep_id = $1 ORDER BY point, day',
        [sweepId],
      );
      return r.rows.map(({ job_hash, ...x }) => ({ sweepId, jobHash: job_hash, ...x }));
    });
  }

  /** Removes a sweep's rows; returns how many. */
  async delete(sweepId: string): Promise<number> {
    return this.#session.transaction('delete sweep results', async (sql) => {
      const r = await sql.query('DELETE FROM sweep_results WHERE sweep_id = $1', [sweepId]);
      return r.rowCount ?? 0;
    });
  }

  close(): Promise<void> {
    return this.#session.close();
  }
}

/**
 * Opens the results table at `opts.url` (default `SCALPER_PG_URL`, else the machine's database),
 * making it when missing. Throws `StateStoreError` (`STORE_UNAVAILABLE` naming the database when
 * it cannot be reached within `retryForMs`).
 */
export async function openSweepResults(opts: SweepResultStoreOptions = {}): Promise<SweepResultStore> {
  const session = new PgSession({ poolSize: 2, ...opts, url: opts.url ?? pgUrl() });
  try {
    await session.ensureSchema();
    await session.transaction('create sweep_results', async (sql) => {
      await sql.query(`SELECT pg_advisory_xact_lock(hashtext('scalper-engine sweep_results'))`);
      await sql.query(TABLE);
    });
    return new SweepResultStore(session);
  } catch (e) {
    await session.close();
    throw e;
  }
}
