/**
 * The embedded state store: one SQLite file under the data folder, no server to run. SQLite was
 * chosen because it is a library inside the process (nothing to install or start beside the
 * engine), its transactions are atomic and durable across a crash of the process at any
 * instruction, and one file is easy to back up, copy and inspect with the `sqlite3` shell.
 *
 * Settings, and why:
 * - `journal_mode=WAL`: a writer does not block readers (a dashboard may read while the runtime
 *   writes), and a commit is one append to the log.
 * - `synchronous=FULL`: the log is flushed to disk at every commit. WAL with NORMAL already
 *   survives `kill -9` of the process (a committed transaction is in the OS's cache); FULL also
 *   survives power loss and an OS crash, which matters because an order sent must never be
 *   forgotten, nor its client order id used again. Orders are few (the risk engine caps them per
 *   minute), so one flush per commit costs nothing that matters.
 * - `busy_timeout=5000`: a second process opening the file waits for the lock instead of failing.
 * - `foreign_keys=ON`: a fill or state change names an order that exists.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  openSqlite,
  type SqliteConnection,
  type SqliteDriverName,
  type SqlStatement,
  type SqlValue,
} from './driver.js';
import { StateStoreError } from './errors.js';
import {
  BARS,
  barOf,
  checkedBars,
  checkedRunFills,
  checkedSnapshots,
  FEATURE_SNAPSHOTS,
  type HistoryTable,
  RUN_FILLS,
  snapshotOf,
  upsertSql,
} from './history-rows.js';
import {
  decisionOf,
  fillOf,
  killSwitchOf,
  ns,
  num,
  orderOf,
  positionOf,
  riskDayOf,
  transitionOf,
} from './rows.js';
import { MIGRATIONS, type Migration, migrate, NewerSchemaError } from './schema.js';
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

/** The store's file name in the data folder. */
export const STATE_FILE = 'state.sqlite';

/** Where the store of data folder `dataDir` is: `<dataDir>/state.sqlite`. */
export function stateStorePath(dataDir: string): string {
  return join(dataDir, STATE_FILE);
}

export interface SqliteStoreOptions {
  /** The SQLite driver (default: better-sqlite3 when it loads, else node:sqlite). */
  readonly driver?: SqliteDriverName;
  /** Migrations to bring the file to (default: the store's own); tests give others. */
  readonly migrations?: readonly Migration[];
}

const TERMINAL = `('filled','cancelled','rejected','expired')`;
const RUN_ID = /^[A-Za-z0-9_.:]+$/;
/** A client order id of a run's sequence: `<run id>-<n>`. */
const CLIENT_ID = /^([A-Za-z0-9_.:]+)-([1-9]\d{0,15})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Opens (creating it and its folder if needed) the store at `path`, or an in-memory one for
 * `:memory:`, and migrates it. Throws `StateStoreError`: `STORE_OPEN` for a file that is not a
 * SQLite database or cannot be opened, `STORE_VERSION` for one from a newer engine,
 * `STORE_DRIVER` when no SQLite driver loads.
 */
export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): SqliteStateStore {
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (cause) {
      throw new StateStoreError('STORE_OPEN', path, `cannot create its folder (${String(cause)})`, { cause });
    }
  }
  const db = connect(path, opts.driver);
  try {
    migrate(db, opts.migrations ?? MIGRATIONS);
  } catch (cause) {
    db.close();
    if (cause instanceof NewerSchemaError)
      throw new StateStoreError('STORE_VERSION', path, `${cause.message}: open it with a newer engine`, {
        cause,
      });
    throw new StateStoreError('STORE_OPEN', path, `cannot be read or migrated (${messageOf(cause)})`, {
      cause,
    });
  }
  return new SqliteStateStore(db, path);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A connection with the store's settings; a file that is not SQLite fails here, named. */
function connect(path: string, driver: SqliteDriverName | undefined): SqliteConnection {
  let db: SqliteConnection | undefined;
  try {
    db = openSqlite(path, driver);
    db.exec('PRAGMA busy_timeout = 5000');
    const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode;
    if (path !== ':memory:' && mode !== 'wal') throw new Error(`journal mode is ${String(mode)}, not wal`);
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = ON');
    return db;
  } catch (cause) {
    db?.close();
    if (cause instanceof StateStoreError) throw cause;
    throw new StateStoreError(
      'STORE_OPEN',
      path,
      `cannot be opened as a SQLite database (${messageOf(cause)})`,
      {
        cause,
      },
    );
  }
}

/** A whole number that SQLite stores exactly, or STORE_INVALID naming it. */
function whole(location: string, what: string, v: number | undefined): void {
  if (v !== undefined && !Number.isSafeInteger(v))
    throw new StateStoreError('STORE_INVALID', location, `${what} must be a whole number, got ${v}`);
}

/** SQL value of an optional field. */
function opt<T extends number | bigint | string>(v: T | undefined): T | null {
  return v === undefined ? null : v;
}

/**
 * The state store in a SQLite file (see the module comment for its settings), with the history.
 * SQLite has no COPY: a bulk write of either method is one prepared upsert per row inside one
 * transaction, which in process costs no round trip.
 */
export class SqliteStateStore implements StateStore, HistoryStore {
  readonly location: string;
  readonly #db: SqliteConnection;
  #closed = false;
  readonly #s: ReturnType<typeof statements>;

  constructor(db: SqliteConnection, location: string) {
    this.#db = db;
    this.location = location;
    this.#s = statements(db);
  }

  /** The SQLite driver in use. */
  get driver(): SqliteDriverName {
    return this.#db.driver;
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#db.close();
    }
    return Promise.resolve();
  }

  /**
   * Runs `fn` now and settles with its result or error (never throws synchronously); an error of
   * SQLite's own becomes `STORE_FAILED` naming the store and the call.
   */
  #call<T>(what: string, fn: () => T): Promise<T> {
    try {
      return Promise.resolve(this.#now(what, fn));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `fn` in this call, its problems thrown as `StateStoreError`. */
  #now<T>(what: string, fn: () => T): T {
    if (this.#closed) throw new StateStoreError('STORE_CLOSED', this.location, 'the store is closed');
    try {
      return fn();
    } catch (e) {
      if (e instanceof StateStoreError) throw e;
      throw new StateStoreError('STORE_FAILED', this.location, `${what} failed (${messageOf(e)})`, {
        cause: e,
      });
    }
  }

  #fail(code: 'STORE_CONFLICT' | 'STORE_UNKNOWN_ORDER' | 'STORE_INVALID', detail: string): never {
    throw new StateStoreError(code, this.location, detail);
  }

  reserveClientOrderIds(runId: string, count = 1): Promise<string[]> {
    return this.#call('reserveClientOrderIds', () => {
      if (!RUN_ID.test(runId))
        this.#fail('STORE_INVALID', `run id ${JSON.stringify(runId)} must be letters, digits, _ . or :`);
      if (!Number.isSafeInteger(count) || count < 1)
        this.#fail('STORE_INVALID', `count of client order ids must be a whole number >= 1, got ${count}`);
      // One statement, so one atomic and durable commit: the ids are reserved before any is used.
      const last = num(this.#s.reserve.get(runId, count)!.last);
      const ids: string[] = [];
      for (let n = last - count + 1; n <= last; n++) ids.push(`${runId}-${n}`);
      return ids;
    });
  }

  lastClientOrderSequence(runId: string): Promise<number> {
    return this.#call('lastClientOrderSequence', () => num(this.#s.lastSequence.get(runId)?.last ?? 0n));
  }

  recordOrder(order: NewOrder, role?: StoredOrderRole): Promise<void> {
    return this.#call('recordOrder', () => this.recordOrderNow(order, role));
  }

  /**
   * `recordOrder` committed before it returns, its problems thrown: what a broker that sends
   * synchronously calls before it sends (the embedded store's calls are all synchronous inside).
   */
  recordOrderNow(order: NewOrder, role?: StoredOrderRole): void {
    this.#now('recordOrder', () => {
      const s = order.spec;
      for (const [what, v] of [
        ['instrument id', s.instrumentId],
        ['quantity', s.quantity],
        ['limit price', s.limitPx],
        ['stop price', s.stopPx],
        ['bracket stop price', role?.bracket?.stopPx],
        ['bracket target price', role?.bracket?.targetPx],
        ['bracket time stop', role?.bracket?.timeStopMs],
      ] as const)
        whole(this.location, `order ${s.clientId}: ${what}`, v);
      this.#db.transaction(() => this.#insertOrder(order, role));
    });
  }

  #insertOrder(order: NewOrder, role: StoredOrderRole | undefined): void {
    const s = order.spec;
    const old = this.#s.order.get(s.clientId);
    if (old !== undefined) {
      const same =
        ns(old.sent_ns) === order.sentNs &&
        num(old.instrument_id) === s.instrumentId &&
        old.side === s.side &&
        old.type === s.type;
      if (same) return;
      this.#fail('STORE_CONFLICT', `client order id ${JSON.stringify(s.clientId)} is taken by another order`);
    }
    this.#s.insertOrder.run(
      s.clientId,
      s.instrumentId,
      s.side,
      s.type,
      s.quantity,
      opt(s.limitPx),
      opt(s.stopPx),
      s.tif,
      opt(s.expireAtNs),
      s.postOnly === true ? 1 : 0,
      role?.role ?? null,
      opt(role?.reason),
      opt(role?.decisionId),
      opt(role?.bracket?.stopPx),
      opt(role?.bracket?.targetPx),
      opt(role?.bracket?.timeStopMs),
      order.sentNs,
      order.sentNs,
    );
    // An id of the `<run id>-<n>` form moves its run's sequence past it (ids made without reserving).
    const m = CLIENT_ID.exec(s.clientId);
    if (m !== null) this.#s.cover.run(m[1], BigInt(m[2]));
    this.#s.insertEvent.run(
      s.clientId,
      1,
      'send',
      'pending-new',
      'pending-new',
      order.sentNs,
      null,
      null,
      null,
    );
  }

  recordTransition(clientId: string, t: StoredTransition, change: OrderChange = {}): Promise<void> {
    return this.#call('recordTransition', () => {
      if (t.event === 'fill')
        this.#fail('STORE_INVALID', `order ${clientId}: a fill is recorded with its fill`);
      whole(this.location, `order ${clientId}: new quantity`, change.quantity);
      whole(this.location, `order ${clientId}: new limit price`, change.limitPx);
      whole(this.location, `order ${clientId}: new stop price`, change.stopPx);
      this.#db.transaction(() => {
        this.#appendEvent(clientId, t);
        this.#s.updateOrder.run(
          t.to,
          t.atNs,
          t.event === 'ack' ? t.atNs : null,
          opt(change.venueId),
          opt(change.quantity),
          opt(change.limitPx),
          opt(change.stopPx),
          clientId,
        );
      });
    });
  }

  /**
   * Appends `t` to the history of `clientId` after checking that it starts from the order's
   * status: the history stays one unbroken chain, and a transition heard twice is refused.
   */
  #appendEvent(clientId: string, t: StoredTransition): void {
    const row = this.#s.orderStatus.get(clientId);
    if (row === undefined)
      this.#fail('STORE_UNKNOWN_ORDER', `order ${JSON.stringify(clientId)} is not stored`);
    if (row.status !== t.from)
      this.#fail(
        'STORE_CONFLICT',
        `order ${clientId} is ${String(row.status)}; a ${t.event} from ${t.from} does not follow`,
      );
    this.#s.insertEvent.run(
      clientId,
      num(row.seq) + 1,
      t.event,
      t.from,
      t.to,
      t.atNs,
      opt(t.quantity),
      opt(t.price),
      opt(t.reason),
    );
  }

  recordFill(fill: StoredFill, t: StoredTransition): Promise<boolean> {
    return this.#call('recordFill', () => {
      this.#checkFill(fill, t);
      return this.#db.transaction(() => {
        const old = this.#s.fill.get(fill.fillId);
        if (old !== undefined) {
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
        this.#bookFill(fill, t);
        return true;
      });
    });
  }

  #checkFill(fill: StoredFill, t: StoredTransition): void {
    const where = `fill ${JSON.stringify(fill.fillId)} of order ${fill.clientId}`;
    whole(this.location, `${where}: quantity`, fill.quantity);
    whole(this.location, `${where}: price`, fill.price);
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

  #bookFill(fill: StoredFill, t: StoredTransition): void {
    const order = this.#s.order.get(fill.clientId);
    if (order === undefined)
      this.#fail(
        'STORE_UNKNOWN_ORDER',
        `order ${JSON.stringify(fill.clientId)} of fill ${fill.fillId} is not stored`,
      );
    if (num(order.instrument_id) !== fill.instrumentId || order.side !== fill.side)
      this.#fail(
        'STORE_INVALID',
        `fill ${fill.fillId} is not of the instrument and side of order ${fill.clientId}`,
      );
    this.#appendEvent(fill.clientId, { ...t, price: fill.price });
    this.#s.insertFill.run(
      fill.fillId,
      fill.clientId,
      fill.instrumentId,
      fill.side,
      fill.quantity,
      fill.price,
      fill.fee,
      opt(fill.liquidity),
      fill.tsNs,
    );
    this.#s.fillOrder.run(t.to, fill.quantity, t.atNs, fill.clientId);
    const signed = fill.side === 'buy' ? fill.quantity : -fill.quantity;
    this.#s.position.run(fill.instrumentId, signed, fill.tsNs);
  }

  order(clientId: string): Promise<StoredOrder | undefined> {
    return this.#call('order', () => {
      const r = this.#s.order.get(clientId);
      return r === undefined ? undefined : orderOf(r);
    });
  }

  orderHistory(clientId: string): Promise<StoredTransition[]> {
    return this.#call('orderHistory', () => this.#s.history.all(clientId).map(transitionOf));
  }

  openOrders(): Promise<StoredOrder[]> {
    return this.#call('openOrders', () => this.#s.openOrders.all().map(orderOf));
  }

  fills(clientId?: string): Promise<StoredFill[]> {
    return this.#call('fills', () =>
      (clientId === undefined ? this.#s.allFills.all() : this.#s.orderFills.all(clientId)).map(fillOf),
    );
  }

  positions(): Promise<StoredPosition[]> {
    return this.#call('positions', () => this.#s.positions.all().map(positionOf));
  }

  orderTimesSince(sinceNs: bigint): Promise<bigint[]> {
    return this.#call('orderTimesSince', () => this.#s.sentSince.all(sinceNs).map((r) => ns(r.sent_ns)));
  }

  recordDecision(d: DecisionHeader, audit: string): Promise<boolean> {
    return this.#call('recordDecision', () => {
      try {
        JSON.parse(audit);
      } catch (e) {
        this.#fail('STORE_INVALID', `the audit record of decision ${d.id} is not JSON (${messageOf(e)})`);
      }
      return this.#db.transaction(() => {
        const old = this.#s.decision.get(d.id);
        if (old !== undefined) {
          if (old.audit === audit) return false;
          this.#fail(
            'STORE_CONFLICT',
            `decision id ${JSON.stringify(d.id)} is stored with another audit record`,
          );
        }
        const a = d.approval;
        this.#s.insertDecision.run(
          d.id,
          d.instrument,
          d.snapshotTs,
          d.trigger.kind,
          d.route,
          a.approved ? 1 : 0,
          a.direction,
          a.size,
          audit,
        );
        return true;
      });
    });
  }

  decisionCount(): Promise<number> {
    return this.#call('decisionCount', () => num(this.#s.decisionCount.get()?.n ?? 0n));
  }

  decision(id: string): Promise<StoredDecision | undefined> {
    return this.#call('decision', () => {
      const r = this.#s.decision.get(id);
      return r === undefined ? undefined : decisionOf(r);
    });
  }

  saveRiskDay(day: RiskDay): Promise<void> {
    return this.#call('saveRiskDay', () => {
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
      this.#s.saveRiskDay.run(day.tradingDate, day.startEquity, day.pnl, day.high, day.halted, day.updatedNs);
    });
  }

  riskDay(tradingDate: string): Promise<RiskDay | undefined> {
    return this.#call('riskDay', () => {
      const r = this.#s.riskDay.get(tradingDate);
      return r === undefined ? undefined : riskDayOf(r);
    });
  }

  setKillSwitch(k: KillSwitch): Promise<void> {
    return this.#call('setKillSwitch', () => {
      this.#s.insertKill.run(k.engaged ? 1 : 0, k.reason, k.atNs);
    });
  }

  killSwitch(): Promise<KillSwitch> {
    return this.#call('killSwitch', () => killSwitchOf(this.#s.lastKill.get()));
  }

  saveFeedPosition(feed: string, lastNs: bigint): Promise<void> {
    return this.#call('saveFeedPosition', () => {
      if (feed === '') this.#fail('STORE_INVALID', "a feed position needs the feed's name");
      this.#s.saveFeed.run(feed, lastNs);
    });
  }

  #writeHistory<T>(what: string, t: HistoryTable<T>, rows: () => readonly T[]): Promise<number> {
    return this.#call(what, () => {
      const checked = rows();
      const insert = this.#db.prepare(upsertSql(t, `VALUES (${t.columns.map(() => '?').join(', ')})`));
      return this.#db.transaction(() => {
        let n = 0;
        for (const row of checked) n += insert.run(...(t.values(row) as SqlValue[]));
        return n;
      });
    });
  }

  writeBars(bars: readonly StoredBar[], _method: BulkMethod = 'copy'): Promise<number> {
    return this.#writeHistory('writeBars', BARS, () => checkedBars(this.location, bars));
  }

  writeFeatureSnapshots(
    snapshots: readonly StoredFeatureSnapshot[],
    _method: BulkMethod = 'copy',
  ): Promise<number> {
    return this.#writeHistory('writeFeatureSnapshots', FEATURE_SNAPSHOTS, () =>
      checkedSnapshots(this.location, snapshots),
    );
  }

  writeRunFills(runId: string, fills: readonly StoredFill[], _method: BulkMethod = 'copy'): Promise<number> {
    return this.#writeHistory('writeRunFills', RUN_FILLS, () => checkedRunFills(this.location, runId, fills));
  }

  bars(instrumentId: number, intervalS: number, fromNs: bigint, toNs: bigint): Promise<StoredBar[]> {
    return this.#call('bars', () => this.#s.bars.all(instrumentId, intervalS, fromNs, toNs).map(barOf));
  }

  featureSnapshots(instrumentId: number, fromNs: bigint, toNs: bigint): Promise<StoredFeatureSnapshot[]> {
    return this.#call('featureSnapshots', () =>
      this.#s.featureSnapshots.all(instrumentId, fromNs, toNs).map(snapshotOf),
    );
  }

  runFills(runId: string): Promise<StoredFill[]> {
    return this.#call('runFills', () => this.#s.runFills.all(runId).map(fillOf));
  }

  feedPosition(feed: string): Promise<bigint | null> {
    return this.#call('feedPosition', () => {
      const row = this.#s.feed.get(feed);
      return row === undefined ? null : ns(row.last_ns);
    });
  }
}

/** Every statement the store runs, prepared once. */
function statements(db: SqliteConnection) {
  const p = (sql: string): SqlStatement => db.prepare(sql);
  return {
    reserve: p(`INSERT INTO client_order_sequences (run_id, last) VALUES (?, ?)
      ON CONFLICT (run_id) DO UPDATE SET last = last + excluded.last RETURNING last`),
    lastSequence: p('SELECT last FROM client_order_sequences WHERE run_id = ?'),
    cover: p(`INSERT INTO client_order_sequences (run_id, last) VALUES (?, ?)
      ON CONFLICT (run_id) DO UPDATE SET last = max(last, excluded.last)`),
    order: p('SELECT * FROM orders WHERE client_id = ?'),
    orderStatus:
      p(`SELECT o.status, (SELECT max(seq) FROM order_events e WHERE e.client_id = o.client_id) AS seq
      FROM orders o WHERE o.client_id = ?`),
    insertOrder:
      p(`INSERT INTO orders (client_id, instrument_id, side, type, quantity, limit_px, stop_px, tif,
      expire_at_ns, post_only, role, role_reason, decision_id, bracket_stop_px, bracket_target_px,
      bracket_time_stop_ms, status, sent_ns, updated_ns)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending-new', ?, ?)`),
    insertEvent:
      p(`INSERT INTO order_events (client_id, seq, event, from_status, to_status, at_ns, quantity, price, reason)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    updateOrder: p(`UPDATE orders SET status = ?, updated_ns = ?, acked_ns = coalesce(acked_ns, ?),
      venue_id = coalesce(?, venue_id), quantity = coalesce(?, quantity), limit_px = coalesce(?, limit_px),
      stop_px = coalesce(?, stop_px) WHERE client_id = ?`),
    fill: p('SELECT * FROM fills WHERE fill_id = ?'),
    insertFill:
      p(`INSERT INTO fills (fill_id, client_id, instrument_id, side, quantity, price, fee, liquidity, ts_ns)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    fillOrder: p(`UPDATE orders SET status = ?, filled_quantity = filled_quantity + ?, updated_ns = ?
      WHERE client_id = ?`),
    position: p(`INSERT INTO positions (instrument_id, quantity, updated_ns) VALUES (?, ?, ?)
      ON CONFLICT (instrument_id) DO UPDATE SET quantity = quantity + excluded.quantity, updated_ns = excluded.updated_ns`),
    history: p('SELECT * FROM order_events WHERE client_id = ? ORDER BY seq'),
    openOrders: p(`SELECT * FROM orders WHERE status NOT IN ${TERMINAL} ORDER BY sent_ns, rowid`),
    allFills: p('SELECT * FROM fills ORDER BY rowid'),
    orderFills: p('SELECT * FROM fills WHERE client_id = ? ORDER BY rowid'),
    positions: p('SELECT * FROM positions ORDER BY instrument_id'),
    sentSince: p('SELECT sent_ns FROM orders WHERE sent_ns >= ? ORDER BY sent_ns'),
    decision: p('SELECT * FROM decisions WHERE id = ?'),
    decisionCount: p('SELECT count(*) AS n FROM decisions'),
    insertDecision:
      p(`INSERT INTO decisions (id, instrument, snapshot_ts, trigger, route, approved, direction, size, audit)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    saveRiskDay: p(`INSERT INTO risk_days (trading_date, start_equity, pnl, high, halted, updated_ns)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (trading_date) DO UPDATE SET start_equity = excluded.start_equity,
      pnl = excluded.pnl, high = excluded.high, halted = excluded.halted, updated_ns = excluded.updated_ns`),
    riskDay: p('SELECT * FROM risk_days WHERE trading_date = ?'),
    insertKill: p('INSERT INTO kill_switch_events (engaged, reason, at_ns) VALUES (?, ?, ?)'),
    lastKill: p('SELECT * FROM kill_switch_events ORDER BY seq DESC LIMIT 1'),
    saveFeed: p(`INSERT INTO feed_positions (feed, last_ns) VALUES (?, ?)
      ON CONFLICT (feed) DO UPDATE SET last_ns = max(last_ns, excluded.last_ns)`),
    feed: p('SELECT last_ns FROM feed_positions WHERE feed = ?'),
    bars: p(`SELECT * FROM bars WHERE instrument_id = ? AND interval_s = ? AND ts_ns >= ? AND ts_ns < ?
      ORDER BY ts_ns`),
    featureSnapshots: p(`SELECT * FROM feature_snapshots WHERE instrument_id = ? AND ts_ns >= ? AND ts_ns < ?
      ORDER BY ts_ns`),
    runFills: p('SELECT * FROM run_fills WHERE run_id = ? ORDER BY ts_ns, fill_id'),
  };
}
