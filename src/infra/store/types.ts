/**
 * What the runtime keeps across restarts, as plain data. The shapes match what the execution
 * layer (`Order`, `OrderSpec`, `OrderTransition`, `Fill`, `OrderRole`) and the decision pipeline
 * (`Decision`) produce, field for field, so their objects can be passed in as they are; they are
 * declared here because the store sits beside execution, not above it. Prices are raw integer
 * 1e-9 units, times are ns since the epoch as `bigint`.
 */

export type StoredSide = 'buy' | 'sell';
export type StoredOrderType = 'market' | 'limit' | 'stop' | 'stop-limit';
export type StoredTimeInForce = 'DAY' | 'GTC' | 'IOC' | 'FOK' | 'GTT';
export type StoredOrderStatus =
  | 'pending-new'
  | 'accepted'
  | 'partially-filled'
  | 'filled'
  | 'cancelled'
  | 'rejected'
  | 'expired'
  | 'pending-cancel'
  | 'pending-replace';
export type StoredOrderEvent =
  | 'send'
  | 'arrive'
  | 'ack'
  | 'reject'
  | 'fill'
  | 'cancel'
  | 'cancelled'
  | 'cancel-rejected'
  | 'replace'
  | 'replaced'
  | 'replace-rejected'
  | 'expire';

/** An order as asked (`OrderSpec`). */
export interface StoredOrderSpec {
  readonly clientId: string;
  readonly instrumentId: number;
  readonly side: StoredSide;
  readonly type: StoredOrderType;
  readonly quantity: number;
  readonly limitPx?: number;
  readonly stopPx?: number;
  readonly tif: StoredTimeInForce;
  readonly expireAtNs?: bigint;
  readonly postOnly?: boolean;
}

/** One state change of an order (`OrderTransition`). */
export interface StoredTransition {
  readonly event: StoredOrderEvent;
  readonly from: StoredOrderStatus;
  readonly to: StoredOrderStatus;
  readonly atNs: bigint;
  readonly quantity?: number;
  readonly price?: number;
  readonly reason?: string;
}

/**
 * The exits a bracket's entry was sent with (`BracketExits`): the stop and target prices (raw
 * units) and how long a position it opens may stay open (ms), so that a restarted session protects
 * and ends the position as the bracket would have.
 */
export interface StoredBracket {
  readonly stopPx: number;
  readonly targetPx: number;
  readonly timeStopMs: number;
}

/** What an order was for (`OrderRole`): a bracket's entry and its decision, or an exit and why. */
export interface StoredOrderRole {
  readonly role: 'entry' | 'exit';
  readonly reason?: string;
  readonly decisionId?: string;
  /** An entry's exits. */
  readonly bracket?: StoredBracket;
}

/** A new order, recorded before it is sent: an `Order` as the broker returns it fits. */
export interface NewOrder {
  readonly spec: StoredOrderSpec;
  /** When it was sent (its `send` transition). */
  readonly sentNs: bigint;
}

/** What a later transition changes besides the status: a replace's terms, the venue's order id. */
export interface OrderChange {
  readonly quantity?: number;
  readonly limitPx?: number;
  readonly stopPx?: number;
  /** The venue's own id (FIX OrderID, IG dealId), usually learnt with the acknowledgement. */
  readonly venueId?: string;
}

/** An order's current state. */
export interface StoredOrder {
  /** The terms now (a replace changes quantity and prices). */
  readonly spec: StoredOrderSpec;
  readonly status: StoredOrderStatus;
  readonly filledQuantity: number;
  readonly sentNs: bigint;
  /**
   * When the venue acknowledged it, or null: an open order never acknowledged may or may not have
   * reached the venue, and after a restart it is looked up there, never sent again.
   */
  readonly ackedNs: bigint | null;
  /** Time of its latest transition. */
  readonly updatedNs: bigint;
  readonly venueId: string | null;
  readonly role: StoredOrderRole | null;
}

/**
 * A fill (`Fill` with its order and venue execution id). `fillId` is the venue's id of the
 * execution (FIX ExecID, IG confirmation deal id); a venue without one must give a key that is
 * the same when the same report is replayed, so that a fill heard twice is stored once.
 */
export interface StoredFill {
  readonly fillId: string;
  readonly clientId: string;
  readonly instrumentId: number;
  readonly side: StoredSide;
  readonly quantity: number;
  readonly price: number;
  /** Account currency, >= 0. */
  readonly fee: number;
  readonly tsNs: bigint;
  readonly liquidity?: 'maker' | 'taker';
}

/** The signed position of an instrument (long > 0), from the fills recorded. */
export interface StoredPosition {
  readonly instrumentId: number;
  readonly quantity: number;
  /** Time of the fill that last changed it. */
  readonly updatedNs: bigint;
}

/**
 * The parts of a pipeline `Decision` the store indexes; the whole decision goes in as its audit
 * record (JSON text, `decisionJson`).
 */
export interface DecisionHeader {
  readonly id: string;
  readonly instrument: string;
  /** The snapshot's time, ISO-8601 with ns. */
  readonly snapshotTs: string;
  readonly trigger: { readonly kind: string };
  readonly route: string;
  readonly approval: {
    readonly approved: boolean;
    readonly direction: 'long' | 'short' | 'flat';
    readonly size: number;
  };
}

/** A decision as stored: its index fields and the audit record. */
export interface StoredDecision {
  readonly id: string;
  readonly instrument: string;
  readonly snapshotTs: string;
  readonly trigger: string;
  readonly route: string;
  readonly approved: boolean;
  readonly direction: 'long' | 'short' | 'flat';
  readonly size: number;
  /** The audit record, JSON text as given. */
  readonly audit: string;
}

/**
 * The loss state of one CME trading day, as the risk engine needs it after a restart: the day's
 * P&L at the last observation, its high (for the drawdown limit), the equity the day started
 * from, and the halt in force. The daily loss used is max(0, −pnl).
 */
export interface RiskDay {
  /** YYYY-MM-DD. */
  readonly tradingDate: string;
  readonly startEquity: number;
  readonly pnl: number;
  readonly high: number;
  /** Why new risk is halted for the rest of the day (`DAILY_LOSS`, `DRAWDOWN`), or null. */
  readonly halted: string | null;
  readonly updatedNs: bigint;
}

/** The kill switch: on or off, why and since when. */
export interface KillSwitch {
  readonly engaged: boolean;
  readonly reason: string;
  readonly atNs: bigint;
}

/**
 * The runtime's state, kept so that a restart resumes where the process stopped: orders with every
 * state change, fills, positions, decisions with their audit records, risk state and the client
 * order id sequence.
 *
 * Every method returns a promise. The embedded SQLite store does its work synchronously inside
 * the call (the transaction has committed when the call returns), but a server database
 * (PostgreSQL) answers over the network, and a commit is durable only once the server says so:
 * the runtime awaits each write that must precede an action (the client order id and the order,
 * before the order is sent), whatever store it has. Each method is one transaction: it happens
 * entirely or not at all, also when the process is killed in the middle.
 */
export interface StateStore {
  /** Where the data is (a file path, `:memory:`, a database URL without its password). */
  readonly location: string;
  /** Closes the store; later calls reject with `STORE_CLOSED`. Closing twice is harmless. */
  close(): Promise<void>;

  /**
   * Reserves the next `count` client order ids of run `runId` (`<runId>-<n>`, n counting from 1
   * per run, as `ClientOrderIds` names them), durably, before any of them is used: an id is never
   * handed out twice, across restarts too. An id reserved and never used is simply skipped.
   */
  reserveClientOrderIds(runId: string, count?: number): Promise<string[]>;
  /** The last sequence reserved for `runId` (0 before the first): `new ClientOrderIds(runId, last)`. */
  lastClientOrderSequence(runId: string): Promise<number>;

  /**
   * Records a new order in `pending-new` with its `send` transition, before it is sent. Recording
   * the same order again (same client id and terms) changes nothing; another order under a stored
   * client id is refused (`STORE_CONFLICT`).
   */
  recordOrder(order: NewOrder, role?: StoredOrderRole): Promise<void>;
  /**
   * Appends a transition other than a fill to an order's history and moves its status to `t.to`;
   * `change` carries a replace's new terms or the venue's order id.
   */
  recordTransition(clientId: string, t: StoredTransition, change?: OrderChange): Promise<void>;
  /**
   * Records a fill with the order's `fill` transition, its filled quantity and the position, in
   * one transaction. Returns false, changing nothing, when a fill of that id is stored already
   * (with different content: `STORE_CONFLICT`).
   */
  recordFill(fill: StoredFill, t: StoredTransition): Promise<boolean>;

  order(clientId: string): Promise<StoredOrder | undefined>;
  /** Every transition of an order, oldest first (empty for an unknown order). */
  orderHistory(clientId: string): Promise<StoredTransition[]>;
  /** Orders not finished (neither filled, cancelled, rejected nor expired), oldest first. */
  openOrders(): Promise<StoredOrder[]>;
  /** Fills of one order, or all fills, in the order they were recorded. */
  fills(clientId?: string): Promise<StoredFill[]>;
  /** Positions of every instrument ever filled (flat ones at 0), by instrument id. */
  positions(): Promise<StoredPosition[]>;
  /** Send times of the orders sent at or after `sinceNs`, oldest first (the order-rate window). */
  orderTimesSince(sinceNs: bigint): Promise<bigint[]>;

  /**
   * Records a decision with its audit record (JSON text). Returns false when the same decision is
   * stored already; another decision under a stored id is refused (`STORE_CONFLICT`).
   */
  recordDecision(d: DecisionHeader, audit: string): Promise<boolean>;
  decision(id: string): Promise<StoredDecision | undefined>;

  /** Saves the risk state of a trading day (replacing what was saved for that day). */
  saveRiskDay(day: RiskDay): Promise<void>;
  riskDay(tradingDate: string): Promise<RiskDay | undefined>;
  /** Engages or releases the kill switch; every change is kept. */
  setKillSwitch(k: KillSwitch): Promise<void>;
  /** The kill switch now (released, reason '', at 0 before it was ever set). */
  killSwitch(): Promise<KillSwitch>;
  /** Saves how far a feed got (`lastNs`, ns; it only moves forward). */
  saveFeedPosition(feed: string, lastNs: bigint): Promise<void>;
  /** How far a feed got, or null for a feed never saved. */
  feedPosition(feed: string): Promise<bigint | null>;
  /** Decisions recorded (a restarted pipeline numbers its decisions on from it). */
  decisionCount(): Promise<number>;
}

/** A bar of one instrument: OHLC in raw 1e-9 units, `tsNs` the time it opens, volume in lots. */
export interface StoredBar {
  readonly instrumentId: number;
  /** Its length in seconds (60 for 1-minute bars). */
  readonly intervalS: number;
  readonly tsNs: bigint;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** The feature values of one instrument at one time, by feature name (null: not ready). */
export interface StoredFeatureSnapshot {
  readonly instrumentId: number;
  readonly tsNs: bigint;
  readonly features: Readonly<Record<string, number | null>>;
}

/**
 * How a bulk write sends its rows: `copy` streams them with COPY into a staging table and moves
 * them with one statement (the fast path); `insert` sends multi-row INSERT statements (the
 * baseline it is measured against).
 */
export type BulkMethod = 'copy' | 'insert';

/**
 * The history a server database keeps for dashboards, reports and research: bars, feature
 * snapshots and the fills of runs (backtests and sessions), written in bulk and read by time.
 * Each write is one transaction and returns the rows written; a row written again under the same
 * key (instrument, interval and time; instrument and time; run, fill id and time) replaces the one
 * stored, so a re-run rewrites its range instead of failing on it.
 */
export interface HistoryStore {
  readonly location: string;
  writeBars(bars: readonly StoredBar[], method?: BulkMethod): Promise<number>;
  writeFeatureSnapshots(snapshots: readonly StoredFeatureSnapshot[], method?: BulkMethod): Promise<number>;
  writeRunFills(runId: string, fills: readonly StoredFill[], method?: BulkMethod): Promise<number>;
  /** Bars of one instrument and length opening in [fromNs, toNs), oldest first. */
  bars(instrumentId: number, intervalS: number, fromNs: bigint, toNs: bigint): Promise<StoredBar[]>;
  /** Snapshots of one instrument in [fromNs, toNs), oldest first. */
  featureSnapshots(instrumentId: number, fromNs: bigint, toNs: bigint): Promise<StoredFeatureSnapshot[]>;
  /** The fills of a run, by time then fill id. */
  runFills(runId: string): Promise<StoredFill[]>;
}
