/**
 * A session's state in the store (infra/store): what lets a session killed at any moment start
 * again where it was.
 *
 * - Every order is in the store before it is sent (`JournalledBroker.submit` records it, committed,
 *   then sends it); its client id comes from the run's sequence, which the store keeps, so a
 *   restarted session never reuses one.
 * - Every state change an order's reports bring, and every fill (once, by its fill id), follow.
 * - Decisions with their audit record; the trading day's loss state and the kill switch; how far
 *   the feed got (`feedPosition`).
 *
 * On start, `resumeOf` reads that back for `Trader.resume` and the feed's resume point. Orders the
 * store holds as open belong to the process that died: at the paper venue, which lived in that
 * process, they ended with it and are closed in the store as cancelled; at a real venue they are
 * looked up and reconciled (runtime/venue-start.ts), never sent again. The brackets of open
 * positions (`bracketsOf`) come back with them: an entry is stored with its exits.
 */
import { type Logger, tradingDateOf } from '../core/index.js';
import {
  type BracketExits,
  type ExecutionReport,
  isTerminal,
  type Order,
  type OrderRole,
  type OrderSpec,
  type OrderTransition,
  type ResumedBracket,
  type RiskReason,
  type Trader,
  type TraderFill,
  type TraderResume,
} from '../execution/index.js';
import {
  type SqliteStateStore,
  type StateStore,
  StateStoreError,
  type StoredFill,
  type StoredOrder,
} from '../infra/index.js';
import { type Decision, decisionJson } from '../pipeline/index.js';

/** What a restarted session starts from. */
export interface Resume {
  readonly trader: TraderResume;
  /** The last client order sequence of the run (0 for a new run). */
  readonly lastSequence: number;
  /** Decisions taken before (their ids go on from it). */
  readonly lastDecision: number;
  /** The ts_recv the feed had got to (ns), or null for a first start. */
  readonly feedNs: bigint | null;
  /** Orders the store held as open, now closed as ended with the process (paper) — client ids. */
  readonly ended: readonly string[];
  /**
   * Orders the store holds as open, left so to be looked up at the venue (`venue` sessions; none
   * at the paper venue): `reconciledResume` matches them with the venue's by client id.
   */
  readonly open: readonly StoredOrder[];
}

const MINUTE_NS = 60_000_000_000n;

/**
 * Reads a session's state back from `store`: the fills in order, the kill switch, the trading
 * day's loss state, the last minute's send times, the client order sequence of `runId`, and the
 * feed's position. `nowNs` (default: the feed's position) is when the session resumes, and the
 * trading day is its day. Open orders are closed as `cancelled` (the paper venue that held them
 * has gone) and listed, unless the session trades at a real venue.
 */
export async function resumeOf(
  store: SqliteStateStore,
  o: {
    readonly runId: string;
    readonly feed: string;
    readonly nowNs?: bigint;
    /** A real venue's session: its open orders stay open, to be looked up there (reconciliation). */
    readonly venue?: boolean;
  },
): Promise<Resume> {
  const feedNs = await store.feedPosition(o.feed);
  const nowNs = o.nowNs ?? feedNs;
  const ended: string[] = [];
  const open = await store.openOrders();
  const venue = o.venue === true;
  for (const order of venue ? [] : open) {
    await store.recordTransition(order.spec.clientId, {
      event: 'cancelled',
      from: order.status,
      to: 'cancelled',
      atNs: nowNs ?? 0n,
      reason: 'ended with the session that sent it',
    });
    ended.push(order.spec.clientId);
  }
  const fills = await storedFills(store);
  const date = nowNs === null ? null : tradingDateOf(Number(nowNs / 1_000_000n));
  const day = date === null ? undefined : await store.riskDay(date);
  return {
    trader: {
      fills,
      killed: (await store.killSwitch()).engaged,
      day:
        day === undefined
          ? undefined
          : {
              tradingDate: day.tradingDate,
              startEquity: day.startEquity,
              high: day.high,
              halted: day.halted as RiskReason | null,
            },
      sentNs: nowNs === null ? [] : await store.orderTimesSince(nowNs - MINUTE_NS),
      brackets: await bracketsOf(store, fills, open, venue),
    },
    lastSequence: await store.lastClientOrderSequence(o.runId),
    lastDecision: await store.decisionCount(),
    feedNs,
    ended,
    open: venue ? open : [],
  };
}

/** Every fill in the store, in the order recorded, as the trader books them. */
export async function storedFills(store: SqliteStateStore): Promise<TraderFill[]> {
  return (await store.fills()).map((f) => ({
    clientId: f.clientId,
    liquidity: f.liquidity ?? 'taker',
    instrumentId: f.instrumentId,
    side: f.side,
    quantity: f.quantity,
    price: f.price,
    fee: f.fee,
    tsNs: f.tsNs,
  }));
}

/**
 * The brackets a restarted session takes over, per instrument: for an open position, the exits of
 * the entry whose fill opened it (the position's first fill since it was last flat), each level
 * replaced by the one of the stop or target the store still holds open for it (a stop tightened
 * on a risk-off flag is kept tight); with `working` (a real venue) also the client ids of the
 * bracket's orders the store holds open, to be followed where the venue still works them (and the
 * exits of a position closed meanwhile, to be cancelled). A position opened by an order without a
 * bracket (a store of an earlier version, a close-out) gets none: its time stop still holds.
 */
export async function bracketsOf(
  store: SqliteStateStore,
  fills: readonly TraderFill[],
  open: readonly StoredOrder[],
  working: boolean,
): Promise<ResumedBracket[]> {
  const net = new Map<number, number>();
  const opener = new Map<number, string>();
  for (const f of fills) {
    const was = net.get(f.instrumentId) ?? 0;
    const now = was + (f.side === 'buy' ? f.quantity : -f.quantity);
    net.set(f.instrumentId, now);
    if (now !== 0 && (was === 0 || Math.sign(now) !== Math.sign(was))) opener.set(f.instrumentId, f.clientId);
  }
  const ids = new Set([
    ...[...net].filter(([, q]) => q !== 0).map(([id]) => id),
    ...(working ? open.filter((o) => o.role !== null).map((o) => o.spec.instrumentId) : []),
  ]);
  const out: ResumedBracket[] = [];
  for (const id of [...ids].sort((a, b) => a - b)) {
    const pos = net.get(id) ?? 0;
    const first = opener.get(id);
    const entryOrder = lastOf(open, (o) => o.spec.instrumentId === id && o.role?.role === 'entry');
    const from = pos !== 0 && first !== undefined ? await store.order(first) : entryOrder;
    const bracket = from?.role?.role === 'entry' ? from.role.bracket : undefined;
    // The working exits of the position, on its closing side; of a flat one, any left.
    const exitSide = pos > 0 ? 'sell' : 'buy';
    const exit = (reason: string) =>
      lastOf(
        open,
        (o) =>
          o.spec.instrumentId === id &&
          (pos === 0 || o.spec.side === exitSide) &&
          o.role?.role === 'exit' &&
          o.role.reason === reason,
      );
    const stop = exit('stop');
    const target = exit('target');
    const exits: BracketExits | null =
      bracket === undefined
        ? null
        : {
            stopPx: stop?.spec.stopPx ?? bracket.stopPx,
            targetPx: target?.spec.limitPx ?? bracket.targetPx,
            timeStopMs: bracket.timeStopMs,
          };
    const followed = working && (stop !== undefined || target !== undefined || entryOrder !== undefined);
    if (exits === null && !followed) continue;
    out.push({
      instrumentId: id,
      exits,
      ...(working && entryOrder !== undefined ? { entryId: entryOrder.spec.clientId } : {}),
      ...(working && stop !== undefined ? { stopId: stop.spec.clientId } : {}),
      ...(working && target !== undefined ? { targetId: target.spec.clientId } : {}),
    });
  }
  return out;
}

/** The last of `list` that `pick` takes, or undefined. */
function lastOf<T>(list: readonly T[], pick: (x: T) => boolean): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (pick(list[i])) return list[i];
  return undefined;
}

/**
 * Keeps a running session's state in `store`: each order's transitions and fills as its reports
 * come, decisions, and (`checkpoint`) the day's loss state and the feed position. Store failures
 * are logged with what was being written and counted (`failures`); the session decides whether to
 * stop trading on them.
 *
 * The embedded store (SQLite) writes each call at once, an order before it is sent. A server's
 * store (PostgreSQL) is written behind, one call after another in the order they came (`settled`
 * waits for them), each one tried again while the server is away: the history of a run, not the
 * guard of a live order. Written behind, what the store has already is not written again (an
 * order's record and transitions are looked up first; fills and decisions are stored once by
 * their ids), so a process that rebuilds its state from the start writes only what is missing.
 */
export class SessionJournal {
  /** Writes the store refused. */
  failures = 0;
  /** How many transitions of each order are in the store. */
  readonly #written = new Map<string, number>();
  #trader: Trader | null = null;
  /** The last write behind (a server's store). */
  #tail: Promise<void> = Promise.resolve();
  readonly #behind: boolean;

  constructor(
    readonly store: SqliteStateStore | StateStore,
    readonly log: Logger,
  ) {
    this.#behind = !('recordOrderNow' in store);
  }

  /** Resolves once the writes behind so far are done. */
  settled(): Promise<void> {
    return this.#tail;
  }

  /**
   * Follows `trader`'s orders: every report's transitions go to the store. Orders its broker holds
   * already (a venue's working orders adopted on a restart) are in the store as they are now, and
   * only what happens to them from here is written.
   */
  follow(trader: Trader): void {
    this.#trader = trader;
    for (const o of trader.broker.openOrders()) this.#written.set(o.clientId, o.history.length);
    trader.broker.onReport((r, order) => {
      if (order !== undefined) this.#sync(order, r);
    });
  }

  /**
   * The trader's `beforeSend`: the order, and what it is for, in the store in one committed
   * transaction before it goes out. A store that cannot take it (full disk, a duplicate client id)
   * throws, and the order is not sent.
   */
  beforeSend(spec: OrderSpec, role: OrderRole, nowNs: bigint): void {
    const store = this.store;
    if ('recordOrderNow' in store) store.recordOrderNow({ spec, sentNs: nowNs }, role);
    else
      this.#write('order', async () => {
        if ((await store.order(spec.clientId)) === undefined)
          await store.recordOrder({ spec, sentNs: nowNs }, role);
      });
  }

  /** A decision and its audit record. */
  decision(d: Decision): void {
    this.#write('decision', () => this.store.recordDecision(d, decisionJson(d)));
  }

  /** The kill switch changed. */
  kill(engaged: boolean, reason: string, atNs: bigint): void {
    this.#write('kill switch', () => this.store.setKillSwitch({ engaged, reason, atNs }));
  }

  /** The trading day's loss state and how far the feed got. */
  checkpoint(feed: string, feedNs: bigint, nowNs: bigint): void {
    const t = this.#trader;
    if (t === null) return;
    const day = t.day;
    if (day.tradingDate !== '') {
      const pnl = t.dailyPnl();
      this.#write('risk day', () =>
        this.store.saveRiskDay({
          tradingDate: day.tradingDate,
          startEquity: day.startEquity,
          pnl,
          high: Math.max(t.risk.dayHigh, pnl),
          halted: t.risk.halted,
          updatedNs: nowNs,
        }),
      );
    }
    if (feedNs >= 0n) this.#write('feed position', () => this.store.saveFeedPosition(feed, feedNs));
  }

  /**
   * Writes the transitions of `order` the store does not have yet, in order; a fill's fee and
   * liquidity come from its report `r`.
   */
  #sync(order: Order, r: ExecutionReport): void {
    const id = order.spec.clientId;
    const h = order.history;
    for (let i = this.#written.get(id) ?? 1; i < h.length; i++) {
      const t = h[i];
      if (t.event === 'fill') {
        const mine = r.kind === 'fill' && i === h.length - 1;
        const fill = fillOf(order, t, i, mine ? r : null);
        this.#write('fill', () => this.store.recordFill(fill, t));
      } else {
        const s = order.spec;
        const change =
          t.event === 'replaced' ? { quantity: s.quantity, limitPx: s.limitPx, stopPx: s.stopPx } : {};
        const store = this.store;
        this.#write('order state', async () => {
          // Written behind, a transition the store has (transition i of the order) is not written again.
          if (this.#behind && (await store.orderHistory(id)).length > i) return;
          await store.recordTransition(id, t, change);
        });
      }
    }
    if (isTerminal(order.status)) this.#written.delete(id);
    else this.#written.set(id, h.length);
  }

  #write(what: string, call: () => Promise<unknown>): void {
    const failed = (e: unknown) => {
      this.failures++;
      this.log.error({ err: e, what }, `state store: the ${what} could not be written`);
    };
    if (!this.#behind) call().catch(failed);
    else this.#tail = this.#tail.then(() => untilWritten(call, what, this.log)).then(() => {}, failed);
  }
}

/**
 * A write behind, tried again each second while the server cannot be reached (nothing is dropped
 * for an outage; the log says when it went through); any other refusal is final.
 */
async function untilWritten(call: () => Promise<unknown>, what: string, log: Logger): Promise<void> {
  for (let tries = 1; ; tries++) {
    try {
      await call();
      if (tries > 1) log.info({ what, tries }, `state store: the ${what} was written after the outage`);
      return;
    } catch (e) {
      if (!(e instanceof StateStoreError) || e.code !== 'STORE_UNAVAILABLE') throw e;
      if (tries === 1)
        log.warn({ what }, `state store unreachable: the ${what} waits, tried again every second`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/**
 * The stored fill of transition `i` of `order`: its id is the order's and the transition's index,
 * the same however often the report is heard; fee, liquidity and time from the report `r`.
 */
function fillOf(order: Order, t: OrderTransition, i: number, r: ExecutionReport | null): StoredFill {
  return {
    fillId: `${order.spec.clientId}:${i}`,
    clientId: order.spec.clientId,
    instrumentId: order.spec.instrumentId,
    side: order.spec.side,
    quantity: t.quantity as number,
    price: t.price as number,
    fee: r?.fee ?? 0,
    tsNs: r?.atNs ?? t.atNs,
    ...(r?.liquidity !== undefined ? { liquidity: r.liquidity } : {}),
  };
}
