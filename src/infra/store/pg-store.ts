/**
 * The state store in PostgreSQL, for when the runtime runs as several processes or its history
 * outgrows one file: the same interface and the same logical schema as the embedded SQLite store
 * (sqlite-store.ts), so a runtime moves from one to the other by configuration, plus the history
 * tables (bars, feature snapshots, the fills of runs) written in bulk with COPY.
 *
 * Every method is one transaction on a pooled connection. Where two processes may write the same
 * rows at once, a statement does its check and its change together: client order ids are reserved
 * by one `INSERT … ON CONFLICT DO UPDATE … RETURNING` (the row lock makes concurrent reservations
 * queue, so an id is never handed out twice), an order's transitions lock its row (`FOR UPDATE`)
 * before checking its status, and a fill or order heard twice is detected by the primary key
 * (`ON CONFLICT DO NOTHING`) rather than by a read that another writer could overtake.
 *
 * The connection URL comes from `SCALPER_PG_URL` (default `postgres://127.0.0.1:5432/test`);
 * `location` is that URL without its password. Losing the server is handled in pg-session.ts:
 * calls are retried with backoff for a while, then reject with `STORE_UNAVAILABLE`.
 */

import type { Logger } from '../../core/index.js';
import { StateStoreError } from './errors.js';
import {
  BARS,
  barOf,
  checkedBars,
  checkedRunFills,
  checkedSnapshots,
  FEATURE_SNAPSHOTS,
  RUN_FILLS,
  snapshotOf,
} from './history-rows.js';
import { HistoryWriter } from './pg-history.js';
import { type HistoryLayout, type HistoryTarget, PG_MIGRATIONS, type PgMigration } from './pg-schema.js';
import { PgSession, type PgSessionOptions, pgUrl, type RetryPolicy, type Sql } from './pg-session.js';
import {
  decisionOf,
  fillOf,
  killSwitchOf,
  ns,
  num,
  orderOf,
  positionOf,
  riskDayOf,
  type SqlRow,
  transitionOf,
} from './rows.js';
import type {
  BulkMethod,
  DecisionHeader,
  HistoryStore,
  KillSwitch,
  NewOrder,
  OrderChange,
  RiskDay,
  StateStore,
  StoredBar,
  StoredDecision,
  StoredFeatureSnapshot,
  StoredFill,
  StoredOrder,
  StoredOrderRole,
  StoredPosition,
  StoredTransition,
} from './types.js';

export interface PgStoreOptions extends RetryPolicy {
  /** Default: `SCALPER_PG_URL`, else `postgres://127.0.0.1:5432/test`. */
  readonly url?: string;
  /** The schema holding the store's tables (made when missing); default the server's search path. */
  readonly schema?: string;
  /** Migrations to bring the database to (default: the store's own); tests give others. */
  readonly migrations?: readonly PgMigration[];
  /** `auto` (default): history tables are hypertables when TimescaleDB is installed; `off`: never. */
  readonly timescale?: 'auto' | 'off';
  readonly poolSize?: number;
  readonly connectTimeoutMs?: number;
  readonly queryTimeoutMs?: number;
  readonly logger?: PgSessionOptions['logger'];
}

/** Whether TimescaleDB is installed in the database (and in which schema), and whether the server has it. */
export interface TimescaleStatus {
  readonly installed: boolean;
  readonly available: boolean;
  /** The schema holding its functions, when installed. */
  readonly schema: string | null;
}

/** What the server says of TimescaleDB (`pg_extension`, `pg_available_extensions`). */
export async function timescaleStatus(sql: Pick<Sql, 'query'>): Promise<TimescaleStatus> {
  const r = await sql.query<{ schema: string | null; available: boolean }>(`SELECT
    (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'timescaledb') AS schema,
    EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AS available`);
  const { schema, available } = r.rows[0];
  return { installed: schema !== null, available, schema };
}

/**
 * Where the history of a new database goes: TimescaleDB hypertables when the extension is
 * installed in the database; PostgreSQL's own partitions otherwise. The extension is never
 * installed here (that needs its library preloaded by the server and a superuser): one available
 * but not installed is logged, with what to do.
 */
async function chooseTarget(sql: Sql, mode: 'auto' | 'off', log: Logger): Promise<HistoryTarget> {
  if (mode === 'off') return { layout: 'partitioned' };
  const s = await timescaleStatus(sql);
  if (s.schema !== null) return { layout: 'timescaledb', timescaleSchema: s.schema };
  if (s.available)
    log.info(
      'TimescaleDB is available but not installed in this database; history uses plain partitions (CREATE EXTENSION timescaledb before the first open to use hypertables)',
    );
  return { layout: 'partitioned' };
}

/** A database's schema version is above what this engine knows. */
class NewerSchema extends Error {}

/**
 * Brings the database to the last of `migrations` in one transaction; returns the history layout.
 * Throws `NewerSchema` for a database written by a newer engine, changing nothing.
 */
async function migrate(
  session: PgSession,
  migrations: readonly PgMigration[],
  timescale: 'auto' | 'off',
  log: Logger,
): Promise<HistoryLayout> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new RangeError(`migration ${i} has version ${m.version}, expected ${i + 1}`);
  });
  const known = migrations.length;
  return session.transaction('migrate', async (sql) => {
    // Two processes opening a new database: the second waits, then finds it migrated.
    await sql.query(`SELECT pg_advisory_xact_lock(hashtext('scalper-engine migrate ' || current_schema()))`);
    await sql.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const r = await sql.query<{ v: number }>('SELECT coalesce(max(version), 0) AS v FROM schema_migrations');
    const current = r.rows[0].v;
    if (current > known)
      throw new NewerSchema(`schema version ${current} is newer than this engine's ${known}`);
    let target: HistoryTarget | undefined;
    for (const m of migrations.slice(current)) {
      target ??= await chooseTarget(sql, timescale, log);
      await sql.query(m.sql(target));
      await sql.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    const has = await sql.query<{ has: boolean }>(`SELECT to_regclass('store_settings') IS NOT NULL AS has`);
    if (!has.rows[0].has) return target?.layout ?? 'partitioned';
    const setting = await sql.query<{ value: HistoryLayout }>(
      `SELECT value FROM store_settings WHERE key = 'history_layout'`,
    );
    return setting.rows[0]?.value ?? target?.layout ?? 'partitioned';
  });
}

/**
 * Opens the store at `opts.url` (waiting for the server as a call does), creating its schema when
 * one is given, and migrates it. Throws `StateStoreError`: `STORE_UNAVAILABLE` when the server
 * cannot be reached, `STORE_VERSION` for a database from a newer engine, `STORE_OPEN` when a
 * migration fails (nothing of it applied).
 */
export async function openPgStore(opts: PgStoreOptions = {}): Promise<PgStateStore> {
  const session = new PgSession({ ...opts, url: opts.url ?? pgUrl() });
  const log = session.log;
  try {
    await session.ensureSchema();
    const layout = await migrate(session, opts.migrations ?? PG_MIGRATIONS, opts.timescale ?? 'auto', log);
    return new PgStateStore(session, layout);
  } catch (cause) {
    await session.close();
    if (cause instanceof StateStoreError && cause.cause instanceof NewerSchema)
      throw new StateStoreError(
        'STORE_VERSION',
        session.location,
        `${cause.cause.message}: open it with a newer engine`,
        { cause },
      );
    if (cause instanceof StateStoreError && cause.code !== 'STORE_FAILED') throw cause;
    const inner = cause instanceof StateStoreError && cause.cause !== undefined ? cause.cause : cause;
    const detail = inner instanceof Error ? inner.message : String(inner);
    throw new StateStoreError('STORE_OPEN', session.location, `cannot be opened or migrated (${detail})`, {
      cause,
    });
  }
}

const TERMINAL = `('filled','cancelled','rejected','expired')`;
const RUN_ID = /^[A-Za-z0-9_.:]+$/;
/** A client order id of a run's sequence: `<run id>-<n>`. */
const CLIENT_ID = /^([A-Za-z0-9_.:]+)-([1-9]\d{0,15})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function opt<T>(v: T | undefined): T | null {
  return v === undefined ? null : v;
}

/** The state store and history in PostgreSQL (see the module comment). */
export class PgStateStore implements StateStore, HistoryStore {
  readonly #session: PgSession;
  readonly #history: HistoryWriter;

  constructor(session: PgSession, layout: HistoryLayout) {
    this.#session = session;
    this.#history = new HistoryWriter(session, layout);
  }

  get location(): string {
    return this.#session.location;
  }

  /**
   * False from a call that found the server away until a call succeeds again: the runtime opens
   * no new position while its store cannot record one.
   */
  get reachable(): boolean {
    return this.#session.reachable;
  }

  /** How history tables are split by time in this database. */
  get historyLayout(): HistoryLayout {
    return this.#history.layout;
  }

  close(): Promise<void> {
    return this.#session.close();
  }

  #fail(code: 'STORE_CONFLICT' | 'STORE_UNKNOWN_ORDER' | 'STORE_INVALID', detail: string): never {
    throw new StateStoreError(code, this.location, detail);
  }

  #whole(what: string, v: number | undefined): void {
    if (v !== undefined && !Number.isSafeInteger(v))
      this.#fail('STORE_INVALID', `${what} must be a whole number, got ${v}`);
  }

  /** One transaction (`tx`) after `check` (run first, so a refusal costs no round trip). */
  #call<T>(what: string, tx: (sql: Sql) => Promise<T>, check?: () => void): Promise<T> {
    try {
      if (this.#session.closed)
        throw new StateStoreError('STORE_CLOSED', this.location, 'the store is closed');
      check?.();
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#session.transaction(what, tx);
  }

  async #one(sql: Sql, text: string, values: readonly unknown[] = []): Promise<SqlRow | undefined> {
    return (await sql.query(text, values as unknown[])).rows[0] as SqlRow | undefined;
  }

  async #all(text: string, values: readonly unknown[], what: string): Promise<SqlRow[]> {
    return this.#call(what, async (sql) => (await sql.query(text, values as unknown[])).rows as SqlRow[]);
  }

  reserveClientOrderIds(runId: string, count = 1): Promise<string[]> {
    return this.#call(
      'reserveClientOrderIds',
      async (sql) => {
        // One statement under the row's lock: concurrent reservations of a run queue behind it.
        const row = await this.#one(
          sql,
          `INSERT INTO client_order_sequences (run_id, last) VALUES ($1, $2)
           ON CONFLICT (run_id) DO UPDATE SET last = client_order_sequences.last + excluded.last
           RETURNING last`,
          [runId, count],
        );
        const last = num(row!.last);
        const ids: string[] = [];
        for (let n = last - count + 1; n <= last; n++) ids.push(`${runId}-${n}`);
        return ids;
      },
      () => {
        if (!RUN_ID.test(runId))
          this.#fail('STORE_INVALID', `run id ${JSON.stringify(runId)} must be letters, digits, _ . or :`);
        if (!Number.isSafeInteger(count) || count < 1)
          this.#fail('STORE_INVALID', `count of client order ids must be a whole number >= 1, got ${count}`);
      },
    );
  }

  lastClientOrderSequence(runId: string): Promise<number> {
    return this.#call('lastClientOrderSequence', async (sql) =>
      num(
        (await this.#one(sql, 'SELECT last FROM client_order_sequences WHERE run_id = $1', [runId]))?.last ??
          0n,
      ),
    );
  }

  recordOrder(order: NewOrder, role?: StoredOrderRole): Promise<void> {
    const s = order.spec;
    return this.#call(
      'recordOrder',
      (sql) => this.#insertOrder(sql, order, role),
      () => {
        for (const [what, v] of [
          ['instrument id', s.instrumentId],
          ['quantity', s.quantity],
          ['limit price', s.limitPx],
          ['stop price', s.stopPx],
          ['bracket stop price', role?.bracket?.stopPx],
          ['bracket target price', role?.bracket?.targetPx],
          ['bracket time stop', role?.bracket?.timeStopMs],
        ] as const)
          this.#whole(`order ${s.clientId}: ${what}`, v);
      },
    );
  }

  async #insertOrder(sql: Sql, order: NewOrder, role: StoredOrderRole | undefined): Promise<void> {
    const s = order.spec;
    const inserted = await this.#one(
      sql,
      `INSERT INTO orders (client_id, instrument_id, side, type, quantity, limit_px, stop_px, tif,
        expire_at_ns, post_only, role, role_reason, decision_id, bracket_stop_px, bracket_target_px,
        bracket_time_stop_ms, status, sent_ns, updated_ns)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'pending-new', $17, $17)
       ON CONFLICT (client_id) DO NOTHING RETURNING client_id`,
      [
        s.clientId,
        s.instrumentId,
        s.side,
        s.type,
        s.quantity,
        opt(s.limitPx),
        opt(s.stopPx),
        s.tif,
        opt(s.expireAtNs),
        s.postOnly === true,
        role?.role ?? null,
        opt(role?.reason),
        opt(role?.decisionId),
        opt(role?.bracket?.stopPx),
        opt(role?.bracket?.targetPx),
        opt(role?.bracket?.timeStopMs),
        order.sentNs,
      ],
    );
    if (inserted === undefined) {
      const old = (await this.#one(sql, 'SELECT * FROM orders WHERE client_id = $1', [s.clientId]))!;
      const same =
        ns(old.sent_ns) === order.sentNs &&
        num(old.instrument_id) === s.instrumentId &&
        old.side === s.side &&
        old.type === s.type;
      if (same) return;
      this.#fail('STORE_CONFLICT', `client order id ${JSON.stringify(s.clientId)} is taken by another order`);
    }
    // An id of the `<run id>-<n>` form moves its run's sequence past it (ids made without reserving).
    const m = CLIENT_ID.exec(s.clientId);
    if (m !== null)
      await sql.query(
        `INSERT INTO client_order_sequences (run_id, last) VALUES ($1, $2)
         ON CONFLICT (run_id) DO UPDATE SET last = greatest(client_order_sequences.last, excluded.last)`,
        [m[1], BigInt(m[2])],
      );
    await sql.query(
      `INSERT INTO order_events (client_id, seq, event, from_status, to_status, at_ns)
       VALUES ($1, 1, 'send', 'pending-new', 'pending-new', $2)`,
      [s.clientId, order.sentNs],
    );
  }

  recordTransition(clientId: string, t: StoredTransition, change: OrderChange = {}): Promise<void> {
    return this.#call(
      'recordTransition',
      async (sql) => {
        await this.#appendEvent(sql, clientId, t);
        await sql.query(
          `UPDATE orders SET status = $1, updated_ns = $2, acked_ns = coalesce(acked_ns, $3),
            venue_id = coalesce($4, venue_id), quantity = coalesce($5, quantity),
            limit_px = coalesce($6, limit_px), stop_px = coalesce($7, stop_px) WHERE client_id = $8`,
          [
            t.to,
            t.atNs,
            t.event === 'ack' ? t.atNs : null,
            opt(change.venueId),
            opt(change.quantity),
            opt(change.limitPx),
            opt(change.stopPx),
            clientId,
          ],
        );
      },
      () => {
        if (t.event === 'fill')
          this.#fail('STORE_INVALID', `order ${clientId}: a fill is recorded with its fill`);
        this.#whole(`order ${clientId}: new quantity`, change.quantity);
        this.#whole(`order ${clientId}: new limit price`, change.limitPx);
        this.#whole(`order ${clientId}: new stop price`, change.stopPx);
      },
    );
  }

  /**
   * Appends `t` to the history of `clientId` after checking, under the order's row lock, that it
   * starts from the order's status: the history stays one unbroken chain, and a transition heard
   * twice is refused.
   */
  async #appendEvent(sql: Sql, clientId: string, t: StoredTransition): Promise<void> {
    const row = await this.#one(sql, 'SELECT status FROM orders WHERE client_id = $1 FOR UPDATE', [clientId]);
    if (row === undefined)
      this.#fail('STORE_UNKNOWN_ORDER', `order ${JSON.stringify(clientId)} is not stored`);
    if (row.status !== t.from)
      this.#fail(
        'STORE_CONFLICT',
        `order ${clientId} is ${String(row.status)}; a ${t.event} from ${t.from} does not follow`,
      );
    await sql.query(
      `INSERT INTO order_events (client_id, seq, event, from_status, to_status, at_ns, quantity, price, reason)
       SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8 FROM order_events WHERE client_id = $1`,
      [clientId, t.event, t.from, t.to, t.atNs, opt(t.quantity), opt(t.price), opt(t.reason)],
    );
  }

  recordFill(fill: StoredFill, t: StoredTransition): Promise<boolean> {
    return this.#call(
      'recordFill',
      async (sql) => {
        const inserted = await this.#one(
          sql,
          `INSERT INTO fills (fill_id, client_id, instrument_id, side, quantity, price, fee, liquidity, ts_ns)
           SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE EXISTS (SELECT 1 FROM orders WHERE client_id = $2)
           ON CONFLICT (fill_id) DO NOTHING RETURNING fill_id`,
          [
            fill.fillId,
            fill.clientId,
            fill.instrumentId,
            fill.side,
            fill.quantity,
            fill.price,
            fill.fee,
            opt(fill.liquidity),
            fill.tsNs,
          ],
        );
        if (inserted === undefined) return this.#heardAgain(sql, fill);
        await this.#bookFill(sql, fill, t);
        return true;
      },
      () => this.#checkFill(fill, t),
    );
  }

  /** A fill not inserted: stored already (false, or a conflict), or of an order not stored. */
  async #heardAgain(sql: Sql, fill: StoredFill): Promise<false> {
    const old = await this.#one(sql, 'SELECT * FROM fills WHERE fill_id = $1', [fill.fillId]);
    if (old === undefined)
      this.#fail(
        'STORE_UNKNOWN_ORDER',
        `order ${JSON.stringify(fill.clientId)} of fill ${fill.fillId} is not stored`,
      );
    const o = fillOf(old);
    const same =
      o.clientId === fill.clientId &&
      o.quantity === fill.quantity &&
      o.price === fill.price &&
      o.side === fill.side &&
      o.tsNs === fill.tsNs;
    if (same) return false;
    this.#fail('STORE_CONFLICT', `fill id ${JSON.stringify(fill.fillId)} is stored with other terms`);
  }

  #checkFill(fill: StoredFill, t: StoredTransition): void {
    const where = `fill ${JSON.stringify(fill.fillId)} of order ${fill.clientId}`;
    this.#whole(`${where}: quantity`, fill.quantity);
    this.#whole(`${where}: price`, fill.price);
    if (!(fill.quantity > 0))
      this.#fail('STORE_INVALID', `${where}: quantity must be above 0, got ${fill.quantity}`);
    if (
      t.event !== 'fill' ||
      t.quantity !== fill.quantity ||
      (t.price !== undefined && t.price !== fill.price)
    )
      this.#fail(
        'STORE_INVALID',
        `${where}: the transition given is not this fill's (${t.event} ${t.quantity})`,
      );
  }

  async #bookFill(sql: Sql, fill: StoredFill, t: StoredTransition): Promise<void> {
    const order = (await this.#one(sql, 'SELECT instrument_id, side FROM orders WHERE client_id = $1', [
      fill.clientId,
    ]))!;
    if (num(order.instrument_id) !== fill.instrumentId || order.side !== fill.side)
      this.#fail(
        'STORE_INVALID',
        `fill ${fill.fillId} is not of the instrument and side of order ${fill.clientId}`,
      );
    await this.#appendEvent(sql, fill.clientId, { ...t, price: fill.price });
    await sql.query(
      `UPDATE orders SET status = $1, filled_quantity = filled_quantity + $2, updated_ns = $3 WHERE client_id = $4`,
      [t.to, fill.quantity, t.atNs, fill.clientId],
    );
    const signed = fill.side === 'buy' ? fill.quantity : -fill.quantity;
    await sql.query(
      `INSERT INTO positions (instrument_id, quantity, updated_ns) VALUES ($1, $2, $3)
       ON CONFLICT (instrument_id) DO UPDATE SET quantity = positions.quantity + excluded.quantity,
         updated_ns = excluded.updated_ns`,
      [fill.instrumentId, signed, fill.tsNs],
    );
  }

  async order(clientId: string): Promise<StoredOrder | undefined> {
    const [r] = await this.#all('SELECT * FROM orders WHERE client_id = $1', [clientId], 'order');
    return r === undefined ? undefined : orderOf(r);
  }

  async orderHistory(clientId: string): Promise<StoredTransition[]> {
    const rows = await this.#all(
      'SELECT * FROM order_events WHERE client_id = $1 ORDER BY seq',
      [clientId],
      'orderHistory',
    );
    return rows.map(transitionOf);
  }

  async openOrders(): Promise<StoredOrder[]> {
    const rows = await this.#all(
      `SELECT * FROM orders WHERE status NOT IN ${TERMINAL} ORDER BY sent_ns, seq`,
      [],
      'openOrders',
    );
    return rows.map(orderOf);
  }

  async fills(clientId?: string): Promise<StoredFill[]> {
    const rows =
      clientId === undefined
        ? await this.#all('SELECT * FROM fills ORDER BY seq', [], 'fills')
        : await this.#all('SELECT * FROM fills WHERE client_id = $1 ORDER BY seq', [clientId], 'fills');
    return rows.map(fillOf);
  }

  async positions(): Promise<StoredPosition[]> {
    return (await this.#all('SELECT * FROM positions ORDER BY instrument_id', [], 'positions')).map(
      positionOf,
    );
  }

  async orderTimesSince(sinceNs: bigint): Promise<bigint[]> {
    const rows = await this.#all(
      'SELECT sent_ns FROM orders WHERE sent_ns >= $1 ORDER BY sent_ns',
      [sinceNs],
      'orderTimesSince',
    );
    return rows.map((r) => ns(r.sent_ns));
  }

  recordDecision(d: DecisionHeader, audit: string): Promise<boolean> {
    return this.#call(
      'recordDecision',
      async (sql) => {
        const a = d.approval;
        const inserted = await this.#one(
          sql,
          `INSERT INTO decisions (id, instrument, snapshot_ts, trigger, route, approved, direction, size, audit)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING id`,
          [d.id, d.instrument, d.snapshotTs, d.trigger.kind, d.route, a.approved, a.direction, a.size, audit],
        );
        if (inserted !== undefined) return true;
        const old = await this.#one(sql, 'SELECT audit FROM decisions WHERE id = $1', [d.id]);
        if (old?.audit === audit) return false;
        this.#fail(
          'STORE_CONFLICT',
          `decision id ${JSON.stringify(d.id)} is stored with another audit record`,
        );
      },
      () => {
        try {
          JSON.parse(audit);
        } catch (e) {
          this.#fail(
            'STORE_INVALID',
            `the audit record of decision ${d.id} is not JSON (${(e as Error).message})`,
          );
        }
      },
    );
  }

  async decisionCount(): Promise<number> {
    const [r] = await this.#all('SELECT count(*) AS n FROM decisions', [], 'decisionCount');
    return num(r.n);
  }

  async decision(id: string): Promise<StoredDecision | undefined> {
    const [r] = await this.#all('SELECT * FROM decisions WHERE id = $1', [id], 'decision');
    return r === undefined ? undefined : decisionOf(r);
  }

  saveRiskDay(day: RiskDay): Promise<void> {
    return this.#call(
      'saveRiskDay',
      async (sql) => {
        await sql.query(
          `INSERT INTO risk_days (trading_date, start_equity, pnl, high, halted, updated_ns)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (trading_date) DO UPDATE SET
             start_equity = excluded.start_equity, pnl = excluded.pnl, high = excluded.high,
             halted = excluded.halted, updated_ns = excluded.updated_ns`,
          [day.tradingDate, day.startEquity, day.pnl, day.high, day.halted, day.updatedNs],
        );
      },
      () => {
        if (!DATE.test(day.tradingDate))
          this.#fail('STORE_INVALID', `trading date ${JSON.stringify(day.tradingDate)} must be YYYY-MM-DD`);
        for (const [what, v] of [
          ['start equity', day.startEquity],
          ['P&L', day.pnl],
          ['high', day.high],
        ] as const)
          if (!Number.isFinite(v))
            this.#fail(
              'STORE_INVALID',
              `risk day ${day.tradingDate}: ${what} must be a finite number, got ${v}`,
            );
      },
    );
  }

  async riskDay(tradingDate: string): Promise<RiskDay | undefined> {
    const [r] = await this.#all('SELECT * FROM risk_days WHERE trading_date = $1', [tradingDate], 'riskDay');
    return r === undefined ? undefined : riskDayOf(r);
  }

  setKillSwitch(k: KillSwitch): Promise<void> {
    return this.#call('setKillSwitch', async (sql) => {
      await sql.query('INSERT INTO kill_switch_events (engaged, reason, at_ns) VALUES ($1, $2, $3)', [
        k.engaged,
        k.reason,
        k.atNs,
      ]);
    });
  }

  async killSwitch(): Promise<KillSwitch> {
    const [r] = await this.#all(
      'SELECT * FROM kill_switch_events ORDER BY seq DESC LIMIT 1',
      [],
      'killSwitch',
    );
    return killSwitchOf(r);
  }

  saveFeedPosition(feed: string, lastNs: bigint): Promise<void> {
    return this.#call(
      'saveFeedPosition',
      async (sql) => {
        await sql.query(
          `INSERT INTO feed_positions (feed, last_ns) VALUES ($1, $2)
           ON CONFLICT (feed) DO UPDATE SET last_ns = greatest(feed_positions.last_ns, excluded.last_ns)`,
          [feed, lastNs],
        );
      },
      () => {
        if (feed === '') this.#fail('STORE_INVALID', "a feed position needs the feed's name");
      },
    );
  }

  async feedPosition(feed: string): Promise<bigint | null> {
    const [r] = await this.#all('SELECT last_ns FROM feed_positions WHERE feed = $1', [feed], 'feedPosition');
    return r === undefined ? null : ns(r.last_ns);
  }

  writeBars(bars: readonly StoredBar[], method: BulkMethod = 'copy'): Promise<number> {
    return this.#write('writeBars', () =>
      this.#history.write('writeBars', BARS, checkedBars(this.location, bars), method),
    );
  }

  writeFeatureSnapshots(
    snapshots: readonly StoredFeatureSnapshot[],
    method: BulkMethod = 'copy',
  ): Promise<number> {
    return this.#write('writeFeatureSnapshots', () =>
      this.#history.write(
        'writeFeatureSnapshots',
        FEATURE_SNAPSHOTS,
        checkedSnapshots(this.location, snapshots),
        method,
      ),
    );
  }

  writeRunFills(runId: string, fills: readonly StoredFill[], method: BulkMethod = 'copy'): Promise<number> {
    return this.#write('writeRunFills', () =>
      this.#history.write('writeRunFills', RUN_FILLS, checkedRunFills(this.location, runId, fills), method),
    );
  }

  /** A history write: its checks and its transactions, rejecting rather than throwing. */
  #write(what: string, run: () => Promise<number>): Promise<number> {
    try {
      if (this.#session.closed)
        throw new StateStoreError('STORE_CLOSED', this.location, `${what}: the store is closed`);
      return run();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async bars(instrumentId: number, intervalS: number, fromNs: bigint, toNs: bigint): Promise<StoredBar[]> {
    const rows = await this.#all(
      `SELECT * FROM bars WHERE instrument_id = $1 AND interval_s = $2 AND ts_ns >= $3 AND ts_ns < $4 ORDER BY ts_ns`,
      [instrumentId, intervalS, fromNs, toNs],
      'bars',
    );
    return rows.map(barOf);
  }

  async featureSnapshots(
    instrumentId: number,
    fromNs: bigint,
    toNs: bigint,
  ): Promise<StoredFeatureSnapshot[]> {
    const rows = await this.#all(
      `SELECT * FROM feature_snapshots WHERE instrument_id = $1 AND ts_ns >= $2 AND ts_ns < $3 ORDER BY ts_ns`,
      [instrumentId, fromNs, toNs],
      'featureSnapshots',
    );
    return rows.map(snapshotOf);
  }

  async runFills(runId: string): Promise<StoredFill[]> {
    const rows = await this.#all(
      'SELECT * FROM run_fills WHERE run_id = $1 ORDER BY ts_ns, fill_id',
      [runId],
      'runFills',
    );
    return rows.map(fillOf);
  }
}
