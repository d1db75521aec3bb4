/**
 * The trader: what turns approved decisions into brackets on a broker and keeps them in check. It
 * owns the account's `FillPortfolio` (fed by the broker's fill and charge reports, marked by the
 * market data it is shown) and the pre-trade `RiskEngine`, and it is what the decision pipeline's
 * validators read positions and P&L from (`position`, `grossExposure`, `dailyPnl`).
 *
 * Per instrument it runs one bracket at a time: the entry, then a stop and a target sized to what
 * the entry filled, one cancelling the other; a time stop closes what is still open after
 * `exits.timeStopMs`; before the CME daily break and the weekend everything is cancelled and
 * closed, and no new risk is taken until the market reopens. A risk-off or sweep alert applies
 * the toxicity policy to open positions; the kill switch cancels every working order, closes every
 * position and refuses new risk until reset.
 *
 * Time comes only from the market data it is shown (`before`/`after`), so a backtest and a live
 * session act alike; every action is journalled with its time and reason.
 */
import type { BookView, FeedHealthOptions } from '../book/index.js';
import {
  CME_FX_FUTURES,
  fxFutureRoot,
  globexCloseAround,
  InvalidOptionError,
  instrumentCurrencies,
  readEconomicCalendar,
  SPOT_PAIRS,
  tradingDateOf,
  tradingDayBounds,
  u64FromHalves,
} from '../core/index.js';
import { Action, type RecordCursor } from '../data/dbn/index.js';
import { type BracketExits, planBracket, type TradeIntent } from './bracket.js';
import { type Broker, type ExecutionReport, isReplaying, type ReplayingBroker } from './broker.js';
import type { ExecutionConfig } from './config.js';
import { type Liquidity, PerContractFees, SpotFees } from './fees.js';
import { ConstantLatency, FeedLatency } from './latency.js';
import { ClientOrderIds, isTerminal, Order, type OrderSide, type OrderSpec } from './order.js';
import { PaperBroker, type PaperInstrument } from './paper.js';
import { type Fill, FillPortfolio } from './portfolio.js';
import { logProbability, ProbabilisticQueue, powerProbability, RiskAverseQueue } from './queue.js';
import { RiskEngine, type RiskLimits, type RiskReason, RiskRejection } from './risk.js';

/** What the trader did, for the journal and reports. */
export interface TraderEvent {
  readonly atNs: bigint;
  readonly instrumentId: number;
  readonly kind:
    | 'bracket'
    | 'refused'
    | 'exits'
    | 'time-stop'
    | 'flat-window'
    | 'toxicity'
    | 'kill'
    | 'stop'
    | 'closed'
    | 'untrusted';
  readonly detail: string;
}

/** Why a position was closed: an exit of its bracket, or a close-out and its cause. */
export type ExitReason = 'target' | 'stop' | 'time' | 'flatten' | 'risk_off' | 'kill';

/**
 * What an order was for: a bracket's entry (with the decision it came from and the exits that
 * will protect what it fills) or an exit and why.
 */
export interface OrderRole {
  readonly role: 'entry' | 'exit';
  readonly reason?: ExitReason;
  readonly decisionId?: string;
  readonly bracket?: BracketExits;
}

/**
 * What became of a decision the trader was asked to act on (`act` with its `decisionId`): an
 * order sent for it (the entry, or the close of a reversed position), refused and why, or nothing
 * to do (the position already at its target).
 */
export type DecisionFate =
  | { readonly kind: 'sent'; readonly clientId: string }
  | { readonly kind: 'refused'; readonly reason: RiskReason; readonly detail: string }
  | { readonly kind: 'held' };

/** A fill as the trader booked it: which order, and who provided the liquidity. */
export interface TraderFill extends Fill {
  readonly clientId: string;
  readonly liquidity: Liquidity;
}

/** Decisions whose fate the trader remembers (`fateOf`). */
const FATES_KEPT = 1_000;

/** A market the trader trades: its book and bracket state. */
class Slot {
  constructor(readonly id: number) {}
  book: BookView | null = null;
  lastDataMs = Number.NEGATIVE_INFINITY;
  entryId: string | null = null;
  stopId: string | null = null;
  targetId: string | null = null;
  /** Close-out orders working (time stop, flat window, toxicity, kill). */
  closeId: string | null = null;
  /** The exits of the current bracket (a resumed position's, from its entry in the store). */
  exits: BracketExits | null = null;
  /**
   * A resumed position whose stop or target is not working (they are sent with the next record),
   * or resumed exits of a position closed meanwhile (they are cancelled then).
   */
  rearm = false;
  /** When the current position was opened (first entry fill), ns. */
  openedNs: bigint | null = null;
  /** The position must be closed and stay closed until this is cleared: why, and the reason code. */
  closing: string | null = null;
  closeReason: ExitReason = 'flatten';
  /** VPIN CDF of the instrument (for the toxicity veto), NaN when not known. */
  toxicity = Number.NaN;
}

/**
 * What a restarted session resumes from (the runtime's state store): the fills booked before, in
 * order (positions, realized P&L and fees follow from them), the kill switch, the trading day's loss
 * state and the send times of the last minute's orders (the rate limit).
 */
export interface TraderResume {
  readonly fills: readonly TraderFill[];
  readonly killed: boolean;
  readonly day?: {
    readonly tradingDate: string;
    readonly startEquity: number;
    readonly high: number;
    readonly halted: RiskReason | null;
  };
  readonly sentNs: readonly bigint[];
  /**
   * The brackets of the session that died: per instrument the exits of the entry that opened its
   * position, and the orders of that bracket still working at the venue (adopted by the broker),
   * which are followed rather than sent again. An open position is protected again by these exits:
   * a stop or target not working is sent with the instrument's next record.
   */
  readonly brackets?: readonly ResumedBracket[];
}

/** A bracket a restarted session takes over (see `TraderResume.brackets`). */
export interface ResumedBracket {
  readonly instrumentId: number;
  /** The bracket's exits, null when not known (its orders are still followed). */
  readonly exits: BracketExits | null;
  /** Client ids of the bracket's orders the broker holds as working, when there are. */
  readonly entryId?: string;
  readonly stopId?: string;
  readonly targetId?: string;
}

export interface TraderOptions {
  readonly broker: Broker;
  readonly portfolio: FillPortfolio;
  readonly risk: RiskEngine;
  readonly config: ExecutionConfig;
  /** Client order ids (`<run id>-<n>`). */
  readonly ids: ClientOrderIds;
  /**
   * Why an instrument's market data is not trusted, null when it is (book/feed-health.ts
   * `FeedHealth.whyUntrusted`): no new risk while it is not, as `DATA_UNTRUSTED`, and a working
   * entry is cancelled; closing and cancelling go on. Without it every instrument's data is
   * trusted. Asked after each record while an entry works, so give the monitor the record first.
   */
  readonly dataTrust?: (instrumentId: number) => string | null;
  /**
   * Called with each order before it is sent (paper and live trading record it in their state
   * store); when it throws, the order is not sent: it ends rejected, with the reason.
   */
  readonly beforeSend?: (spec: OrderSpec, role: OrderRole, nowNs: bigint) => void;
}

const MINUTE_MS = 60_000;

export class Trader {
  readonly journal: TraderEvent[] = [];
  /** Every fill booked, in order. */
  readonly fills: TraderFill[] = [];
  /** What each order sent was for, by client id. */
  readonly roles = new Map<string, OrderRole>();
  readonly broker: Broker;
  readonly portfolio: FillPortfolio;
  readonly risk: RiskEngine;
  readonly config: ExecutionConfig;
  readonly #ids: ClientOrderIds;
  readonly #dataTrust: ((instrumentId: number) => string | null) | null;
  readonly #beforeSend: ((spec: OrderSpec, role: OrderRole, nowNs: bigint) => void) | null;
  readonly #slots = new Map<number, Slot>();
  /** The slot of the last record and its instrument (most records follow one of their own). */
  #lastSlot: Slot | undefined = undefined;
  #lastSlotId = -1;
  readonly #fates = new Map<string, DecisionFate>();
  /** Client id of the last order sent. */
  #lastSent: string | null = null;
  /** Equity at the start of the current trading day, and that day. */
  #dayStart = 0;
  #day = '';
  /** The trader's time (ns): `#now`, from the halves a once-a-second check leaves when asked. */
  #nowNs = 0n;
  #nowLo = 0;
  #nowHi = 0;
  #nowFromHalves = false;
  #nextCheckMs = Number.NEGATIVE_INFINITY;
  #nextSampleMs = Number.NEGATIVE_INFINITY;
  /** End of the current trading day (ms): the day is looked up again only past it. */
  #dayEndMs = Number.NEGATIVE_INFINITY;
  readonly #replay: ReplayingBroker | null;
  #orders = 0;
  /** The next flat deadline (break or weekend) and the reopening after it, ms. */
  #flatAtMs = Number.NaN;
  /** Fills of a resumed session per instrument, booked when the instrument is added. */
  readonly #resumed = new Map<number, TraderFill[]>();
  /** Brackets of a resumed session per instrument, taken over when the instrument is added. */
  readonly #resumedBrackets = new Map<number, ResumedBracket>();
  /** Why the session stopped trading (`stop`), or null. */
  #stopped: string | null = null;
  #reopenMs = Number.NaN;
  /**
   * Records the trader need not see: while this is set, nothing is working or on its way (no
   * order, venue action, report or mark of taken depth in the replaying broker, no entry or
   * resumed exits in the slot of this book), and a record of this book changes nothing `before`
   * does until `#quietBeforeNs` (ts_event), nor `after` until `#quietAfterNs` (ts_recv), but for
   * a trade's price, which only the broker keeps. Any change in the broker ends it
   * (`ReplayingBroker.changes`: an order sent, cancelled or replaced by anyone, a report queued, in
   * any market), and so do `resume` and `addInstrument`, which change what `after` reads; `after`
   * sets it again.
   */
  #quietBook: BookView | null = null;
  /** ns since the epoch, as doubles (see `#quietBook`). */
  #quietBeforeNs = Number.NEGATIVE_INFINITY;
  #quietAfterNs = Number.NEGATIVE_INFINITY;
  /** The broker's `changes` when the quiet began. */
  #quietChanges = 0;
  /** `before` skipped the current record (it was quiet). */
  #skipped = false;
  #skippedRecords = 0;

  constructor(opts: TraderOptions) {
    this.broker = opts.broker;
    this.portfolio = opts.portfolio;
    this.risk = opts.risk;
    this.config = opts.config;
    this.#ids = opts.ids;
    this.#dataTrust = opts.dataTrust ?? null;
    this.#beforeSend = opts.beforeSend ?? null;
    this.#replay = isReplaying(opts.broker) ? opts.broker : null;
    this.broker.onReport((r, o) => this.#onReport(r, o));
  }

  // ── what the pipeline's validators read ──────────────────────────────────────────────────

  /** Signed position of an instrument by symbol (or id). */
  position(instrument: string | number): number {
    return this.portfolio.position(instrument);
  }

  grossExposure(): number {
    return this.portfolio.grossPosition();
  }

  /** Every instrument's position. */
  positions(): { symbol: string; instrumentId: number; quantity: number }[] {
    return this.portfolio.positions();
  }

  /** Realized + open P&L since the current trading day began, less fees, USD. */
  dailyPnl(): number {
    return this.portfolio.equity() - this.#dayStart;
  }

  // ── market data ───────────────────────────────────────────────────────────────────────────

  /**
   * Before `c` is applied to its book (a replaying broker's venue actions and reports happen here).
   * While the trader is quiet (`#quietBook`), nothing in the broker changed since, and its next
   * timed work is after the record's ts_event, this would change nothing, whatever the record's
   * book: it returns at once.
   */
  before(c: RecordCursor): void {
    if (
      this.#quietBook !== null &&
      c.tsEventHi * 4294967296 + c.tsEventLo < this.#quietBeforeNs &&
      (this.#replay === null || this.#replay.changes === this.#quietChanges)
    ) {
      this.#skipped = true;
      return;
    }
    this.#skipped = false;
    this.#quietBook = null;
    this.#replay?.before(c);
  }

  /**
   * After `c` updated `book`: the broker matches, the portfolio is marked, the clocks are checked.
   * A record of the quiet book before anything falls due changes nothing here; a trade among them
   * goes to the broker alone (its last trade price, which a stop sent later is checked against),
   * and the quiet goes on unless that changed something in the broker.
   */
  after(c: RecordCursor, book: BookView): void {
    // Kept small, so that it is compiled into the replay's loop: what a record that is not skipped
    // needs is in the methods below.
    const skipped = this.#skipped;
    this.#skipped = false;
    if (
      skipped &&
      book === this.#quietBook &&
      book.tsRecvHi * 4294967296 + book.tsRecvLo < this.#quietAfterNs
    ) {
      if (c.action === Action.TRADE) this.#quietTrade(c, book);
      else this.#skippedRecords++;
      return;
    }
    this.#replay?.after(c, book);
    this.#afterBroker(c, book);
  }

  /**
   * A trade of the quiet book: the broker keeps its price, and the quiet goes on unless that
   * changed something there.
   */
  #quietTrade(c: RecordCursor, book: BookView): void {
    const replay = this.#replay;
    replay?.after(c, book);
    if (replay === null || replay.changes === this.#quietChanges) this.#skippedRecords++;
    else this.#afterBroker(c, book);
  }

  /** `after` once the broker has matched on `book`: the slot, the clocks, and the quiet again. */
  #afterBroker(c: RecordCursor, book: BookView): void {
    const replay = this.#replay;
    const id = c.instrumentId;
    let slot = this.#lastSlot;
    if (slot === undefined || this.#lastSlotId !== id) {
      slot = this.#slots.get(id);
      if (slot === undefined) {
        // Not an instrument of ours. What the broker did for it (a market it knows, say) shows in
        // its `changes`, which ends any quiet.
        if (this.portfolio.terms(id) === undefined) return;
        slot = this.#slot(id);
      }
      this.#lastSlot = slot;
      this.#lastSlotId = id;
    }
    slot.book = book;
    // The record's ts_recv in ms from its halves as small integers: `c.tsRecvMs`, a double returned
    // by a getter not compiled into this method, would be a new heap number a record.
    const ms = (c.tsRecvHi * 4294967296 + (c.tsRecvLoBits >>> 0)) / 1e6;
    slot.lastDataMs = ms;
    if (slot.entryId !== null && this.#dataTrust !== null) this.#entryOnUntrusted(id, slot, c.tsRecv);
    if (ms >= this.#nextCheckMs) this.#check(ms, c.tsRecvLo, c.tsRecvHi);
    if (slot.rearm) this.#rearm(id, slot, book, c.tsRecv);
    // Quiet, unless something is working or on its way: `before` until the broker's next timed
    // work (by ts_event, the venue's clock), this method until the next check (by ts_recv). The
    // bounds are 1 ms early, in ns as doubles: a record's time as a double, below one, is surely
    // below what the broker and this method compare in float milliseconds.
    if (slot.entryId === null && !slot.rearm && (replay === null || replay.quietFor(book))) {
      this.#quietBook = book;
      this.#quietBeforeNs = replay === null ? Number.POSITIVE_INFINITY : (replay.dueMs - 1) * 1e6;
      this.#quietAfterNs = (this.#nextCheckMs - 1) * 1e6;
      this.#quietChanges = replay === null ? 0 : replay.changes;
    } else this.#quietBook = null;
  }

  /**
   * When `slot`'s market last had data: records skipped while quiet updated its book only, so the
   * later of the last record the trader saw and the book's last record.
   */
  #lastDataMs(slot: Slot): number {
    const b = slot.book;
    return b !== null && b.tsRecvMs > slot.lastDataMs ? b.tsRecvMs : slot.lastDataMs;
  }

  get #now(): bigint {
    if (this.#nowFromHalves) {
      this.#nowNs = u64FromHalves(this.#nowLo, this.#nowHi);
      this.#nowFromHalves = false;
    }
    return this.#nowNs;
  }

  #setNow(ns: bigint): void {
    this.#nowNs = ns;
    this.#nowFromHalves = false;
  }

  /**
   * A resumed position's missing stop and target, sent at its bracket's levels once the book is
   * two-sided; not while the position is being closed, the trader is stopped or the kill switch is
   * on (exits are not new risk, but the switch's rule is that nothing is sent). Exits still working
   * for a position that was closed while the session was down are cancelled: filled, they would
   * open a new one.
   */
  #rearm(id: number, slot: Slot, book: BookView, nowNs: bigint): void {
    const pos = this.portfolio.position(id);
    if (pos === 0 && slot.entryId === null) {
      slot.rearm = false;
      this.#setNow(nowNs);
      this.#log(id, 'exits', 'resumed exits of a closed position cancelled');
      this.#cancel(slot.stopId);
      this.#cancel(slot.targetId);
      return;
    }
    if (pos === 0 || slot.exits === null || slot.closing !== null) {
      slot.rearm = false;
      return;
    }
    if (this.#stopped !== null || this.risk.killed) return;
    if (!book.consistent || book.crossed || book.bidLevels === 0 || book.askLevels === 0) return;
    slot.rearm = false;
    this.#setNow(nowNs);
    const sent = this.#sendMissingExits(id, slot, pos, slot.exits);
    this.#log(id, 'exits', `resumed position of ${pos}: ${sent} for ${Math.abs(pos)}`);
  }

  /** A working entry is new risk not yet taken: cancelled when the data goes untrusted. */
  #entryOnUntrusted(id: number, slot: Slot, nowNs: bigint): void {
    const entry = this.broker.order(slot.entryId as string);
    if (entry === undefined || isTerminal(entry.status) || entry.status === 'pending-cancel') return;
    const why = (this.#dataTrust as (id: number) => string | null)(id);
    if (why === null) return;
    this.#setNow(nowNs);
    this.#log(id, 'untrusted', `DATA_UNTRUSTED: ${why}: working entry cancelled`);
    this.#cancel(slot.entryId);
  }

  /** Marks each instrument at its book's mid (a book between consistent states keeps the last mark). */
  #mark(): void {
    for (const slot of this.#slots.values()) {
      const b = slot.book;
      if (b?.consistent && !b.crossed && b.bidLevels > 0 && b.askLevels > 0)
        this.portfolio.mark(slot.id, b.mid);
    }
  }

  /**
   * An instrument to trade, as its symbol names it: a CME FX future or a spot pair. Returns false
   * (and trades nothing of it) for any other symbol. `book` is its book as the data has it now,
   * for an instrument added after its records began (a spot pair the first decision on its future
   * trades): read from then on as after a record, so that decision need not wait for the next quote.
   */
  addInstrument(i: TradedInstrument, book?: BookView): boolean {
    this.#quietBook = null;
    if (this.portfolio.terms(i.instrumentId) === undefined) {
      if (!isTradable(i.symbol)) return false;
      const terms = paperInstrument(i, this.config);
      this.portfolio.add(terms);
      if (this.broker instanceof PaperBroker) this.broker.addInstrument(terms, book);
      this.#bookResumed(i.instrumentId);
    }
    if (book !== undefined && book.updates > 0) {
      const slot = this.#slot(i.instrumentId);
      if (slot.book === null) {
        slot.book = book;
        slot.lastDataMs = book.tsRecvMs;
      }
    }
    return true;
  }

  /**
   * A restarted session's state (see `TraderResume`), before its first record. The fills of each
   * instrument are booked when it is added: the position is the one the session left. With its
   * bracket (`brackets`) it is protected as before: the bracket's orders the broker still works
   * are followed, a missing stop or target is sent again at the bracket's level, and the time stop
   * counts from when the position was opened. Without one it is held until the time stop
   * (`exits.timeStopMs`), a flat window or a decision closes it.
   */
  resume(r: TraderResume): void {
    this.#quietBook = null;
    if (r.killed) this.risk.kill();
    if (r.day !== undefined) {
      this.#day = r.day.tradingDate;
      this.#dayStart = r.day.startEquity;
      this.#dayEndMs = tradingDayBounds(r.day.tradingDate).endMs;
      this.risk.resumeDay(r.day.high, r.day.halted);
    }
    this.risk.resumeSent(r.sentNs);
    for (const f of r.fills) {
      const list = this.#resumed.get(f.instrumentId) ?? [];
      list.push(f);
      this.#resumed.set(f.instrumentId, list);
    }
    for (const b of r.brackets ?? []) this.#resumedBrackets.set(b.instrumentId, b);
    const ids = new Set([...this.#resumed.keys(), ...this.#resumedBrackets.keys()]);
    for (const id of ids) if (this.portfolio.terms(id) !== undefined) this.#bookResumed(id);
  }

  /** The trading day the loss limits count (YYYY-MM-DD, '' before the first data) and its opening equity. */
  get day(): { readonly tradingDate: string; readonly startEquity: number } {
    return { tradingDate: this.#day, startEquity: this.#dayStart };
  }

  /**
   * The fee of a fill the venue reported without one (a FIX report without commission): the
   * configured fee model's for the instrument.
   */
  #feeOf(r: ExecutionReport): number {
    const t = this.portfolio.terms(r.instrumentId) as PaperInstrument | undefined;
    if (t?.fees === undefined) return 0;
    return t.fees.fee(t, r.quantity as number, r.price as number, r.liquidity ?? 'taker');
  }

  #bookResumed(id: number): void {
    const fills = this.#resumed.get(id) ?? [];
    const bracket = this.#resumedBrackets.get(id);
    if (fills.length === 0 && bracket === undefined) return;
    this.#resumed.delete(id);
    this.#resumedBrackets.delete(id);
    const slot = this.#slot(id);
    for (const f of fills) {
      this.portfolio.apply(f);
      this.fills.push(f);
      const pos = this.portfolio.position(id);
      if (pos === 0) slot.openedNs = null;
      else if (slot.openedNs === null) slot.openedNs = f.tsNs;
    }
    const pos = this.portfolio.position(id);
    if (this.broker instanceof PaperBroker) this.broker.resumePosition(id, pos);
    if (bracket !== undefined) this.#takeOver(slot, bracket, pos);
  }

  /** A resumed bracket: its working orders followed, its missing exits sent with the next record. */
  #takeOver(slot: Slot, b: ResumedBracket, pos: number): void {
    const working = (clientId: string | undefined): string | null => {
      const o = clientId === undefined ? undefined : this.broker.order(clientId);
      return o === undefined || isTerminal(o.status) ? null : o.clientId;
    };
    if (b.exits !== null) slot.exits = b.exits;
    slot.entryId = working(b.entryId);
    slot.stopId = working(b.stopId);
    slot.targetId = working(b.targetId);
    const exits = slot.stopId !== null || slot.targetId !== null;
    slot.rearm = pos === 0 ? exits : b.exits !== null && (slot.stopId === null || slot.targetId === null);
  }

  /** Adds the equity now to the curve (at the end of a run, so that the curve ends at the total). */
  sampleEquity(): void {
    const last = this.portfolio.equityCurve.at(-1);
    if (last === undefined || last.tsNs < this.#now) this.portfolio.sample(this.#now);
  }

  /** The toxicity analyst's VPIN CDF for an instrument (read by the veto). */
  setToxicity(instrumentId: number, vpinCdf: number): void {
    const s = this.#slots.get(instrumentId);
    if (s !== undefined) s.toxicity = vpinCdf;
  }

  // ── decisions ─────────────────────────────────────────────────────────────────────────────

  /**
   * An approved decision: hold `target` (signed) of the instrument. A position on the other side
   * is closed first; growing the position opens a bracket for the difference; a smaller target on
   * the same side leaves the exits to do their work. Returns the refusal, if any.
   */
  act(
    intent: Omit<TradeIntent, 'side' | 'quantity'> & {
      readonly target: number;
      readonly decisionId?: string;
    },
    nowNs: bigint,
  ): RiskRejection | null {
    const sent = this.#orders;
    const r = this.#act(intent, nowNs);
    const decision = intent.decisionId;
    if (decision !== undefined) {
      const fate: DecisionFate =
        r !== null
          ? { kind: 'refused', reason: r.reason, detail: r.message }
          : this.#orders > sent
            ? { kind: 'sent', clientId: this.#lastSent as string }
            : { kind: 'held' };
      this.#fates.set(decision, fate);
      if (this.#fates.size > FATES_KEPT) this.#fates.delete(this.#fates.keys().next().value as string);
    }
    return r;
  }

  /** What became of a decision given to `act` (the last `FATES_KEPT` of them), or undefined. */
  fateOf(decisionId: string): DecisionFate | undefined {
    return this.#fates.get(decisionId);
  }

  /**
   * An operator's pause: no new entries until `unpause`; open positions keep their stops, targets
   * and time stops (the risk engine refuses new risk with `PAUSED`).
   */
  pause(why = 'paused'): void {
    this.risk.pause(why);
  }

  /** Lifts a pause: new entries again. */
  unpause(): void {
    this.risk.resume();
  }

  #act(
    intent: Omit<TradeIntent, 'side' | 'quantity'> & {
      readonly target: number;
      readonly decisionId?: string;
    },
    nowNs: bigint,
  ): RiskRejection | null {
    const slot = this.#slot(intent.instrumentId);
    this.#setNow(nowNs);
    const id = intent.instrumentId;
    if (this.#stopped !== null) return this.#refuse(id, 'STOPPED', this.#stopped);
    this.#mark();
    const pos = this.portfolio.position(id);
    const target = intent.target;
    const same = pos !== 0 && Math.sign(target) === Math.sign(pos);
    // The other side: close first; the new side waits for a later decision.
    if (pos !== 0 && !same) this.#close(id, 'flatten', 'reversed by a decision');
    const quantity = Math.abs(target) - (same ? Math.abs(pos) : 0);
    if (target === 0 || quantity <= 0) return null;
    if (slot.entryId !== null || slot.closing !== null)
      return this.#refuse(id, 'BRACKET_WORKING', 'a bracket or a close-out of this instrument is working');
    const book = slot.book;
    const terms = this.portfolio.terms(id);
    if (terms === undefined) return this.#refuse(id, 'NOT_TRADABLE', 'not a CME FX future or a spot pair');
    if (book === null) return this.#refuse(id, 'NO_MARKET_DATA', 'no market data of this instrument yet');
    const side: OrderSide = target > 0 ? 'buy' : 'sell';
    const ms = Number(nowNs / 1_000_000n);
    if (!Number.isNaN(this.#flatAtMs) && ms >= this.#flatAtMs && ms < this.#reopenMs)
      return this.#refuse(id, 'FLAT_WINDOW', 'flat before the CME daily break or the weekend');
    const rejection = this.risk.check(side, quantity, {
      nowNs,
      position: pos,
      grossPosition: this.portfolio.grossPosition(),
      dayPnl: this.dailyPnl(),
      lastDataNs: BigInt(Math.round(this.#lastDataMs(slot))) * 1_000_000n,
      bidPx: book.bestBidPx,
      askPx: book.bestAskPx,
      tickRaw: terms.tickRaw,
      spot: fxFutureRoot(terms.symbol) === undefined,
      toxicity: slot.toxicity,
      currencies: instrumentCurrencies(terms.symbol),
      dataUntrusted: this.#dataTrust?.(id) ?? null,
    });
    if (rejection !== null) {
      this.#log(id, 'refused', rejection.message);
      return rejection;
    }
    const plan = planBracket(
      { ...intent, side, quantity },
      { bidPx: book.bestBidPx, askPx: book.bestAskPx, tickRaw: terms.tickRaw },
      this.config,
      nowNs,
    );
    const exits: BracketExits = {
      stopPx: plan.stopPx,
      targetPx: plan.targetPx,
      timeStopMs: this.config.exits.timeStopMs,
    };
    slot.exits = exits;
    const order = this.#send(plan.entry, {
      role: 'entry',
      ...(intent.decisionId !== undefined ? { decisionId: intent.decisionId } : {}),
      bracket: exits,
    });
    slot.entryId = order.clientId;
    this.#log(
      intent.instrumentId,
      'bracket',
      `${side} ${quantity} ${plan.entry.type}${plan.entry.limitPx !== undefined ? ` at ${plan.entry.limitPx}` : ''}, stop ${plan.stopPx}, target ${plan.targetPx}`,
    );
    return null;
  }

  /**
   * A risk-off flag or sweep alert for an instrument: the configured policy applies to its open
   * position (flatten, tighten the stop to `tightenTicks` from the price, or hold).
   */
  onToxicity(instrumentId: number, nowNs: bigint, why: string): void {
    const slot = this.#slots.get(instrumentId);
    const pos = this.portfolio.position(instrumentId);
    if (slot === undefined || pos === 0) return;
    this.#setNow(nowNs);
    const policy = this.config.toxicity.policy;
    if (policy === 'hold') return;
    this.#log(instrumentId, 'toxicity', `${why}: ${policy}`);
    if (policy === 'flatten') {
      this.#close(instrumentId, 'risk_off', why);
      return;
    }
    const book = slot.book;
    const terms = this.portfolio.terms(instrumentId);
    if (slot.stopId === null || book === null || terms === undefined) return;
    const stop = this.broker.order(slot.stopId);
    const k = this.config.toxicity.tightenTicks * terms.tickRaw;
    const tight = pos > 0 ? book.bestBidPx - k : book.bestAskPx + k;
    const current = stop?.spec.stopPx ?? Number.NaN;
    if (
      stop !== undefined &&
      !isTerminal(stop.status) &&
      stop.status !== 'pending-replace' &&
      stop.status !== 'pending-cancel'
    ) {
      if (pos > 0 ? tight > current : tight < current)
        this.broker.replace(stop.clientId, { stopPx: tight }, nowNs);
    }
  }

  /**
   * The end of a session (shutdown): no new risk from now on and every working order cancelled;
   * with `flatten` every position is closed too. Unlike the kill switch it is not a risk state: a
   * session started again trades.
   */
  stop(nowNs: bigint, why: string, flatten: boolean): void {
    this.#setNow(nowNs);
    this.#stopped = why;
    if (flatten) for (const id of this.#slots.keys()) this.#close(id, 'flatten', why);
    const closing = new Set([...this.#slots.values()].map((s) => s.closeId));
    for (const o of this.broker.openOrders()) if (!closing.has(o.clientId)) this.#cancel(o.clientId);
    this.#log(0, 'stop', why);
  }

  /** Why the trader stopped (`stop`), or null while it trades. */
  get stopped(): string | null {
    return this.#stopped;
  }

  /** The kill switch: no new risk, every working order cancelled, every position closed. */
  kill(nowNs: bigint, why = 'kill switch'): void {
    this.#setNow(nowNs);
    this.risk.kill();
    for (const id of this.#slots.keys()) this.#close(id, 'kill', why);
    const closing = new Set([...this.#slots.values()].map((s) => s.closeId));
    for (const o of this.broker.openOrders()) if (!closing.has(o.clientId)) this.#cancel(o.clientId);
    this.#log(0, 'kill', why);
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  #slot(id: number): Slot {
    let s = this.#slots.get(id);
    if (s === undefined) {
      s = new Slot(id);
      this.#slots.set(id, s);
    }
    return s;
  }

  /** A decision on `instrumentId` that cannot be acted on, journalled as refused. */
  refuse(instrumentId: number, reason: RiskReason, detail: string): RiskRejection {
    return this.#refuse(instrumentId, reason, detail);
  }

  #refuse(instrumentId: number, reason: RiskReason, detail: string): RiskRejection {
    const r = new RiskRejection(reason, detail);
    this.#log(instrumentId, 'refused', r.message);
    return r;
  }

  #log(instrumentId: number, kind: TraderEvent['kind'], detail: string): void {
    this.journal.push({ atNs: this.#now, instrumentId, kind, detail });
  }

  #send(spec: Omit<OrderSpec, 'clientId'>, role: OrderRole): Order {
    this.#orders++;
    const clientId = this.#ids.next();
    this.#lastSent = clientId;
    this.roles.set(clientId, role);
    const full = { ...spec, clientId } as OrderSpec;
    if (this.#beforeSend !== null) {
      try {
        this.#beforeSend(full, role, this.#now);
      } catch (e) {
        const why = `not sent: ${e instanceof Error ? e.message : String(e)}`;
        const order = new Order(full, this.#now);
        order.reject(this.#now, why);
        this.#log(spec.instrumentId, 'refused', `${clientId} ${why}`);
        return order;
      }
    }
    return this.broker.submit(full, this.#now);
  }

  /** Records that reached neither the broker nor the trader's clocks: it was quiet (`before`). */
  get skippedRecords(): number {
    return this.#skippedRecords;
  }

  /** Orders sent so far. */
  get orderCount(): number {
    return this.#orders;
  }

  /** Fill reports booked so far. */
  get fillCount(): number {
    return this.fills.length;
  }

  #cancel(id: string | null): void {
    if (id === null) return;
    const o = this.broker.order(id);
    if (o === undefined || isTerminal(o.status) || o.status === 'pending-cancel') return;
    this.broker.cancel(id, this.#now);
  }

  /** Cancels the bracket's orders and closes the position at the market; no new entry until it is flat. */
  #close(instrumentId: number, reason: ExitReason, why: string): void {
    const slot = this.#slot(instrumentId);
    if (slot.closing === null) slot.closeReason = reason;
    this.#cancel(slot.entryId);
    this.#cancel(slot.stopId);
    this.#cancel(slot.targetId);
    const pos = this.portfolio.position(instrumentId);
    slot.closing = why;
    if (pos === 0) {
      slot.closing = null;
      return;
    }
    if (slot.closeId !== null) return;
    const order = this.#send(
      { instrumentId, side: pos > 0 ? 'sell' : 'buy', type: 'market', quantity: Math.abs(pos), tif: 'IOC' },
      { role: 'exit', reason: slot.closeReason },
    );
    slot.closeId = isTerminal(order.status) ? null : order.clientId;
  }

  /** Time stops, flat windows, day changes and the equity curve, once a minute of data at most. */
  #check(ms: number, nowLo: number, nowHi: number): void {
    this.#nowLo = nowLo;
    this.#nowHi = nowHi;
    this.#nowFromHalves = true;
    this.#nextCheckMs = ms + 1_000;
    this.#mark();
    if (ms >= this.#dayEndMs) {
      const day = tradingDateOf(ms) ?? this.#day;
      this.#dayEndMs = day === '' ? Number.NEGATIVE_INFINITY : tradingDayBounds(day).endMs;
      if (day !== this.#day) {
        this.#day = day;
        this.#dayStart = this.portfolio.equity();
        this.risk.newDay();
      }
    }
    this.risk.observe(this.dailyPnl());
    if (ms >= this.#nextSampleMs) {
      this.portfolio.sample(this.#now);
      this.#nextSampleMs = ms + MINUTE_MS;
    }
    if (Number.isNaN(this.#flatAtMs) || ms >= this.#reopenMs) this.#planFlat(ms);
    const flat = ms >= this.#flatAtMs && ms < this.#reopenMs;
    for (const slot of this.#slots.values()) {
      const id = slot.id;
      const pos = this.portfolio.position(id);
      if (flat && (pos !== 0 || slot.entryId !== null) && slot.closing === null) {
        this.#log(id, 'flat-window', 'flat before the CME break or the weekend');
        this.#close(id, 'flatten', 'flat window');
      } else if (
        pos !== 0 &&
        slot.openedNs !== null &&
        slot.closing === null &&
        this.#now - slot.openedNs >=
          BigInt(slot.exits?.timeStopMs ?? this.config.exits.timeStopMs) * 1_000_000n
      ) {
        this.#log(id, 'time-stop', `open for ${slot.exits?.timeStopMs ?? this.config.exits.timeStopMs} ms`);
        this.#close(id, 'time', 'time stop');
      } else if (slot.closing !== null && pos !== 0 && slot.closeId === null) {
        // A close-out that found too little liquidity: try again.
        this.#close(id, slot.closeReason, slot.closing);
      }
    }
  }

  /**
   * The next flat deadline after `ms` and the reopening: `beforeBreakMin` before the daily break,
   * `beforeWeekendMin` before a longer closure (the weekend, a CME holiday or early halt).
   */
  #planFlat(ms: number): void {
    const { closeMs, reopenMs } = globexCloseAround(ms);
    const long = reopenMs - closeMs > 60 * MINUTE_MS;
    const before = long ? this.config.flat.beforeWeekendMin : this.config.flat.beforeBreakMin;
    this.#reopenMs = reopenMs;
    this.#flatAtMs = before > 0 ? closeMs - before * MINUTE_MS : reopenMs;
  }

  #onReport(r: ExecutionReport, order: Order | undefined): void {
    if (r.kind === 'charge') {
      this.portfolio.charge(r.instrumentId, r.fee as number);
      return;
    }
    const slot = this.#slots.get(r.instrumentId);
    if (r.kind === 'fill') {
      const fill: TraderFill = {
        clientId: r.clientId,
        liquidity: r.liquidity ?? 'taker',
        instrumentId: r.instrumentId,
        side: r.side as OrderSide,
        quantity: r.quantity as number,
        price: r.price as number,
        fee: r.fee ?? this.#feeOf(r),
        tsNs: r.atNs,
      };
      this.portfolio.apply(fill);
      this.fills.push(fill);
    }
    if (slot === undefined || order === undefined) return;
    if (r.atNs > this.#now) this.#setNow(r.atNs);
    const id = r.clientId;
    const pos = this.portfolio.position(r.instrumentId);
    if (pos === 0) slot.openedNs = null;
    else if (slot.openedNs === null && r.kind === 'fill') slot.openedNs = r.atNs;
    const done = isTerminal(order.status);
    if (id === slot.entryId) {
      if (r.kind === 'fill' && slot.closing === null) this.#protect(r.instrumentId, slot, pos);
      if (done) slot.entryId = null;
    } else if (id === slot.stopId || id === slot.targetId) {
      const isStop = id === slot.stopId;
      if (done) {
        if (isStop) slot.stopId = null;
        else slot.targetId = null;
      }
      const other = isStop ? slot.targetId : slot.stopId;
      if (r.kind === 'fill') {
        // One cancels the other: flat, the other goes; still open, it shrinks to what is left.
        if (pos === 0) this.#cancel(other);
        else this.#resize(other, Math.abs(pos));
      } else if (r.kind === 'ack' && pos !== 0 && slot.closing === null) {
        // An exit sent while the entry was still filling: sized to the position now.
        this.#resize(id, Math.abs(pos));
      }
    } else if (id === slot.closeId) {
      if (done) slot.closeId = null;
    }
    if (pos === 0 && slot.closing !== null && slot.closeId === null) {
      this.#cancel(slot.stopId);
      this.#cancel(slot.targetId);
      if (slot.entryId === null) {
        this.#log(r.instrumentId, 'closed', slot.closing);
        slot.closing = null;
      }
    }
  }

  /** After an entry fill: exits sized to the whole position (new ones, or the working ones resized). */
  #protect(instrumentId: number, slot: Slot, pos: number): void {
    const plan = slot.exits;
    if (plan === null || pos === 0) return;
    const size = Math.abs(pos);
    if (slot.stopId === null && slot.targetId === null) {
      this.#log(
        instrumentId,
        'exits',
        `${this.#sendMissingExits(instrumentId, slot, pos, plan)} for ${size}`,
      );
      return;
    }
    this.#resize(slot.stopId, size);
    this.#resize(slot.targetId, size);
  }

  /**
   * The stop and the target `slot`'s position of `pos` lacks, at the bracket's levels and sized to
   * it; says what was sent (`stop P and target Q`).
   */
  #sendMissingExits(instrumentId: number, slot: Slot, pos: number, exits: BracketExits): string {
    const quantity = Math.abs(pos);
    const side: OrderSide = pos > 0 ? 'sell' : 'buy';
    const sent: string[] = [];
    if (slot.stopId === null) {
      slot.stopId = this.#send(
        { instrumentId, side, type: 'stop', stopPx: exits.stopPx, quantity, tif: 'GTC' },
        { role: 'exit', reason: 'stop' },
      ).clientId;
      sent.push(`stop ${exits.stopPx}`);
    }
    if (slot.targetId === null) {
      slot.targetId = this.#send(
        { instrumentId, side, type: 'limit', limitPx: exits.targetPx, quantity, tif: 'GTC' },
        { role: 'exit', reason: 'target' },
      ).clientId;
      sent.push(`target ${exits.targetPx}`);
    }
    return sent.join(' and ');
  }

  /** A working exit to cover `size` (its filled part counts: the new total is filled + size). */
  #resize(id: string | null, size: number): void {
    if (id === null) return;
    const o = this.broker.order(id);
    if (o === undefined || (o.status !== 'accepted' && o.status !== 'partially-filled')) return;
    const total = o.filledQuantity + size;
    if (total !== o.spec.quantity) this.broker.replace(id, { quantity: total }, this.#now);
  }
}

/** What `paperTrader` needs to know of an instrument. */
export interface TradedInstrument {
  readonly instrumentId: number;
  /** A CME FX future (`6EZ6`) or a spot pair (`EUR/USD`). */
  readonly symbol: string;
}

/** Whether the paper broker can trade `symbol`: a CME FX future (`6EZ6`) or a spot pair (`EUR/USD`). */
export function isTradable(symbol: string): boolean {
  return fxFutureRoot(symbol) !== undefined || Object.values(SPOT_PAIRS).some((p) => p.pair === symbol);
}

/**
 * The terms of a CME FX future (tick and contract size from `CME_FX_FUTURES`) or of a spot pair
 * traded in lots of 100,000 of the base currency at the quote (IG), with the configured fees.
 */
export function paperInstrument(i: TradedInstrument, cfg: ExecutionConfig): PaperInstrument {
  const root = fxFutureRoot(i.symbol);
  if (root !== undefined) {
    const spec = CME_FX_FUTURES[root];
    return {
      instrumentId: i.instrumentId,
      symbol: i.symbol,
      tickRaw: spec.tickRaw,
      multiplier: spec.contractSize,
      fillAt: 'book',
      fees: new PerContractFees(cfg.fees.futures),
    };
  }
  const spot = Object.values(SPOT_PAIRS).find((p) => p.pair === i.symbol);
  if (spot === undefined)
    throw new InvalidOptionError(
      'traded instrument',
      i.symbol,
      'a CME FX future (6EZ6) or a spot pair (EUR/USD)',
    );
  const f = cfg.fees.spot;
  return {
    instrumentId: i.instrumentId,
    symbol: i.symbol,
    tickRaw: spot.tick,
    multiplier: 100_000,
    quotedInJpy: i.symbol.endsWith('/JPY'),
    fillAt: 'quote',
    slippageTicks: f.slippagePips,
    minQuantity: f.minLots,
    fees: new SpotFees({ markupPips: f.markupPips, adminPct: f.adminPct, tomNextPct: f.tomNextPct }),
  };
}

/** The paper broker the configuration describes (queue, latency and fee models). */
export function paperBroker(instruments: readonly TradedInstrument[], cfg: ExecutionConfig): PaperBroker {
  const p = cfg.paper;
  const ms = (v: number) => BigInt(Math.round(v * 1_000_000));
  const queue =
    p.queue === 'risk-averse'
      ? new RiskAverseQueue()
      : new ProbabilisticQueue(p.queue === 'log' ? logProbability : powerProbability(p.queuePower), p.queue);
  const l = p.latency;
  const latency =
    l.kind === 'feed'
      ? new FeedLatency(ms(l.floorMs))
      : new ConstantLatency({
          entry: ms(l.entryMs),
          modify: ms(l.modifyMs),
          cancel: ms(l.cancelMs),
          ack: ms(l.ackMs),
        });
  return new PaperBroker({
    instruments: instruments.map((i) => paperInstrument(i, cfg)),
    queue,
    latency,
    largeShare: p.largeShare,
  });
}

/** The risk limits of the configuration. */
export function riskLimits(cfg: ExecutionConfig): RiskLimits {
  const r = cfg.risk;
  return {
    maxOrderSize: r.maxOrderSize,
    maxPosition: r.maxPosition,
    maxGrossPosition: r.maxGrossPosition,
    maxOrdersPerMinute: r.maxOrdersPerMinute,
    dailyLossLimit: r.dailyLossLimit,
    maxDrawdown: r.maxDrawdown,
    staleAfterNs: BigInt(r.staleAfterMs) * 1_000_000n,
    maxSpreadTicks: r.maxSpreadTicks,
    maxSpotSpreadPips: r.maxSpotSpreadPips,
    toxicityVeto: r.toxicityVeto,
    sessions: r.sessions,
    noTradeWindows: r.noTradeWindows,
    economicCalendar: r.economicCalendar === undefined ? undefined : readEconomicCalendar(r.economicCalendar),
  };
}

/** The feed-health monitor's options of the configuration (`risk.feed`). */
export function feedHealthOptions(
  cfg: ExecutionConfig,
  onEvent?: FeedHealthOptions['onEvent'],
): FeedHealthOptions {
  const f = cfg.risk.feed;
  return {
    sequence: f.sequence,
    staleAfterMs: f.staleAfterMs,
    requireSnapshot: f.requireSnapshot,
    crossedUntrusts: f.crossedUntrusts,
    onEvent,
  };
}

/** What a trader is made of besides its broker and instruments. */
interface TraderParts {
  readonly config: ExecutionConfig;
  /** Client order ids are `<runId>-<n>`. */
  readonly runId: string;
  /** See `TraderOptions.dataTrust`. */
  readonly dataTrust?: (instrumentId: number) => string | null;
  /** The last client order sequence of `runId` already used (a restarted session's, from its store). */
  readonly lastSequence?: number;
  /** See `TraderOptions.beforeSend`. */
  readonly beforeSend?: TraderOptions['beforeSend'];
}

function traderOn(broker: Broker, terms: readonly PaperInstrument[], p: TraderParts): Trader {
  return new Trader({
    broker,
    portfolio: new FillPortfolio(terms),
    risk: new RiskEngine(riskLimits(p.config)),
    config: p.config,
    ids: new ClientOrderIds(p.runId, p.lastSequence ?? 0),
    dataTrust: p.dataTrust,
    beforeSend: p.beforeSend,
  });
}

/** A trader on a venue's broker (IG, FIX) for live trading: instruments are added as the feed names them. */
export function venueTrader(opts: TraderParts & { readonly broker: Broker }): Trader {
  return traderOn(opts.broker, [], opts);
}

/** A trader on the paper broker, for backtests, the demo and paper trading. */
export function paperTrader(
  opts: TraderParts & { readonly instruments: readonly TradedInstrument[] },
): Trader {
  const terms = opts.instruments.map((i) => paperInstrument(i, opts.config));
  return traderOn(paperBroker(opts.instruments, opts.config), terms, opts);
}
