/**
 * The paper broker: fills orders against recorded (or simulated) market data as a venue would,
 * for backtests and paper trading.
 *
 * Two clocks, as on a real link: an order sent at local time t (the `ts_recv` clock of the
 * replay) reaches the venue at t + the latency model's delay on the venue's clock (`ts_event`),
 * and acts on the book as it is then: after every record whose `ts_event` is at or before that
 * time. What the venue does is heard back at its time plus the return delay, when the replay's
 * `ts_recv` reaches it. Drive it with `onRecord` (or `before` and `after` around your own book
 * updates) and `advance` when the data ends.
 *
 * Futures (`fillAt: 'book'`), against the recorded book:
 * - a market order walks the visible levels of the other side, never taking more than is shown;
 *   what it cannot get is cancelled. A marketable limit order takes up to its price; the rest
 *   rests (DAY, GTC, GTT), is cancelled (IOC) or, for FOK, nothing fills unless all can.
 * - a resting limit order joins the back of its level and fills as the queue model says (MBP) or
 *   exactly by priority (MBO, `MboQueue`): a trade at our price fills what goes past the queue
 *   ahead and our own earlier orders at that price; a trade through our price, or the other side
 *   reaching it, fills us at our price (limited to the size shown there).
 * - stops trigger on a trade at or through the stop price, or on the other side's best price
 *   reaching it, then act as a market (stop) or limit (stop-limit) order.
 * - a crossed or locked book fills nothing: marketable orders arriving then are cancelled (market)
 *   or rest at their price (limit).
 * - our orders do not change the recorded book (no market impact). What one of our orders took is
 *   remembered per price, so another cannot take it again, until the level shows less than that;
 *   and each time one of our orders joins a level where its size would be more than `largeShare`
 *   of the level, `warnings.largeShare` counts it, for reports to show.
 *
 * Spot FX (`fillAt: 'quote'`, IG), against the quoted bid and ask (MBP-1 records): market orders fill
 * whole at the ask (buy) or bid (sell) plus `slippageTicks` and the fee model's mark-up; limit
 * orders fill at their price when the quote reaches it; stops trigger on the quote. No queue: the
 * broker is the counterparty. Orders below `minQuantity` are rejected. Open positions pay the fee
 * model's overnight financing at each 17:00 New York rollover, as `charge` reports.
 */
import { BookSide, type BookView, type L2Book, type L3Book } from '../book/index.js';
import {
  InvalidOptionError,
  localTime,
  nextLocalTimeMs,
  requireInRange,
  requireNonNegative,
  requirePositiveInt,
  tradingDateOf,
  tradingDayBoundsNs,
} from '../core/index.js';
import type { RecordCursor } from '../data/dbn/index.js';
import {
  acceptReport,
  BrokerRequestError,
  type ExecutionReport,
  type ReplaceChange,
  type ReplayingBroker,
  type ReportAnomaly,
  type ReportListener,
  requireNewId,
} from './broker.js';
import { type FeeModel, type Liquidity, PerContractFees, SpotFees } from './fees.js';
import { ConstantLatency, type LatencyModel } from './latency.js';
import { isTerminal, Order, type OrderSpec, orderProblem } from './order.js';
import type { InstrumentTerms } from './portfolio.js';
import { MboQueue, type QueueModel, type QueuePosition, RiskAverseQueue } from './queue.js';
import { takeLiquidity } from './take.js';

/** An instrument the paper broker trades, and how. */
export interface PaperInstrument extends InstrumentTerms {
  /** `book` (futures, default): against the recorded book; `quote` (spot): at the quoted bid/ask. */
  readonly fillAt?: 'book' | 'quote';
  /** Costs (default: `PerContractFees` for `book`, `SpotFees` for `quote`). */
  readonly fees?: FeeModel;
  /** `quote`: ticks (pips) by which market and stop fills are worse than the quote (default 0). */
  readonly slippageTicks?: number;
  /** `quote`: the smallest order the broker accepts (default 1). */
  readonly minQuantity?: number;
}

export interface PaperBrokerOptions {
  readonly instruments: readonly PaperInstrument[];
  /** Queue model for resting orders on MBP data (default `RiskAverseQueue`); MBO data is exact. */
  readonly queue?: QueueModel;
  /** Default: no delay at all (`ConstantLatency` of 0). */
  readonly latency?: LatencyModel;
  /** Share of its level our resting order may reach before `warnings.largeShare` counts it (0.5). */
  readonly largeShare?: number;
}

const TRADE = 84; // 'T'
const NEW_YORK = 'America/New_York';
/**
 * Rounds of reports and the orders they prompt handled before one record: a listener that keeps
 * answering reports with orders at zero latency would otherwise never let the replay go on.
 */
const MAX_ROUNDS = 100;
const CLEAR = 82; // 'R'
const CANCEL = 67; // 'C'
const ADD = 65; // 'A'
const ASK = BookSide.ASK; // 'A': a trade whose aggressor sold, hitting bids
const BID = BookSide.BID;

/** One instrument at the venue. */
class Market {
  book: BookView | null = null;
  /** Resting limit orders (book or quote), oldest first. */
  readonly resting: Working[] = [];
  /** Resting orders by signed price key (+price for buys, −price for sells), oldest first. */
  readonly atPrice = new Map<number, Working[]>();
  /** Stops waiting for their trigger. */
  readonly stops: Working[] = [];
  /** What our orders took per signed price key (+ for asks we bought from, − for bids we sold to). */
  readonly taken = new Depleted();
  /**
   * What the market's own trades took per signed price key (+ asks lifted, − bids hit) that the
   * book does not show yet: a trade record comes before the record that removes its depth.
   */
  readonly traded = new Depleted();
  /** Highest resting buy and lowest resting sell (NaN when none). */
  maxBuy = Number.NaN;
  minSell = Number.NaN;
  /** Last trade price (raw units), NaN before one. */
  lastTrade = Number.NaN;
  /** Net position from fills, for financing. */
  position = 0;
  readonly quote: boolean;
  readonly fees: FeeModel;
  readonly slippageRaw: number;
  readonly minQuantity: number;

  constructor(readonly terms: PaperInstrument) {
    this.quote = terms.fillAt === 'quote';
    this.fees = terms.fees ?? (this.quote ? new SpotFees() : new PerContractFees());
    this.slippageRaw = requireNonNegative('slippageTicks', terms.slippageTicks ?? 0) * terms.tickRaw;
    this.minQuantity = requirePositiveInt('minQuantity', terms.minQuantity ?? 1);
  }

  get idle(): boolean {
    return !this.working && this.taken.size === 0 && this.traded.size === 0;
  }

  /** Whether an order of ours rests here or waits for its stop price (what a record can fill). */
  get working(): boolean {
    return this.resting.length > 0 || this.stops.length > 0;
  }

  /** Shown at `price` but not there for us: what we and the market's trades already took. */
  gone(buy: boolean, price: number): number {
    const key = Market.takenKey(buy, price);
    return (this.taken.get(key) ?? 0) + (this.traded.get(key) ?? 0);
  }

  /**
   * Whether a change of the bids (`bid`) or the asks can concern us: a resting order of ours on
   * that side, or depth there that we or the market's trades took (keys − for bids, + for asks).
   */
  hasOn(bid: boolean): boolean {
    if (bid ? !Number.isNaN(this.maxBuy) : !Number.isNaN(this.minSell)) return true;
    return bid ? this.taken.bids + this.traded.bids > 0 : this.taken.asks + this.traded.asks > 0;
  }

  /** The taken map's key for a fill on `buy`'s side at `price`. */
  static takenKey(buy: boolean, price: number): number {
    return buy ? price : -price;
  }

  refreshBounds(): void {
    let maxBuy = Number.NaN;
    let minSell = Number.NaN;
    for (const w of this.resting) {
      if (w.buy) maxBuy = Number.isNaN(maxBuy) || w.limitPx > maxBuy ? w.limitPx : maxBuy;
      else minSell = Number.isNaN(minSell) || w.limitPx < minSell ? w.limitPx : minSell;
    }
    this.maxBuy = maxBuy;
    this.minSell = minSell;
  }
}

/**
 * Depth taken at signed price keys (− bids, + asks), with a count of the keys on each side so that
 * "is anything taken on the bids?" costs nothing on every book change. It holds a few keys at a
 * time (the prices of the last trades and of our own fills), so they sit in two small arrays
 * searched from the start: cheaper than a Map hashing a float key on every book change.
 */
class Depleted {
  #keys = new Float64Array(8);
  #values = new Float64Array(8);
  /** Since when (ms) each key's level has been missing from the book; NaN while it is shown. */
  #missing = new Float64Array(8);
  #n = 0;
  bids = 0;
  asks = 0;

  get size(): number {
    return this.#n;
  }
  #find(key: number): number {
    const keys = this.#keys;
    // NaN is one key, as in a Map (a trade without a price).
    if (Number.isNaN(key)) {
      for (let i = 0; i < this.#n; i++) if (Number.isNaN(keys[i])) return i;
      return -1;
    }
    for (let i = 0; i < this.#n; i++) if (keys[i] === key) return i;
    return -1;
  }
  has(key: number): boolean {
    return this.#find(key) >= 0;
  }
  get(key: number): number | undefined {
    const i = this.#find(key);
    return i < 0 ? undefined : this.#values[i];
  }
  add(key: number, quantity: number): void {
    const i = this.#find(key);
    if (i >= 0) this.#values[i] += quantity;
    else this.#insert(key, quantity);
  }
  set(key: number, quantity: number): void {
    const i = this.#find(key);
    if (i >= 0) this.#values[i] = quantity;
    else this.#insert(key, quantity);
  }
  #insert(key: number, quantity: number): void {
    const n = this.#n;
    if (n === this.#keys.length) {
      const keys = new Float64Array(2 * n);
      const values = new Float64Array(2 * n);
      const missing = new Float64Array(2 * n);
      keys.set(this.#keys);
      values.set(this.#values);
      missing.set(this.#missing);
      this.#keys = keys;
      this.#values = values;
      this.#missing = missing;
    }
    this.#keys[n] = key;
    this.#values[n] = quantity;
    this.#missing[n] = Number.NaN;
    this.#n = n + 1;
    if (key < 0) this.bids++;
    else this.asks++;
  }
  delete(key: number): void {
    const i = this.#find(key);
    if (i >= 0) this.#removeAt(i, key);
  }
  #removeAt(i: number, key: number): void {
    // The last entry takes the freed slot (no order is kept).
    const last = --this.#n;
    this.#keys[i] = this.#keys[last];
    this.#values[i] = this.#values[last];
    this.#missing[i] = this.#missing[last];
    if (key < 0) this.bids--;
    else this.asks--;
  }
  clear(): void {
    this.#n = 0;
    this.bids = 0;
    this.asks = 0;
  }
  /**
   * Deletes the marks of levels `book` no longer shows once they have been missing for `keepMs`
   * (from the first call that found them missing, at `nowMs`); a level shown again starts over.
   * Keys are − for bid levels, + for ask levels; the NaN key (a trade without a price) has no
   * level and stays.
   */
  expire(book: BookView, nowMs: number, keepMs: number): void {
    for (let i = this.#n - 1; i >= 0; i--) {
      const key = this.#keys[i];
      if (Number.isNaN(key) || sizeAt(book, key < 0, key < 0 ? -key : key) > 0) this.#missing[i] = Number.NaN;
      else if (Number.isNaN(this.#missing[i])) this.#missing[i] = nowMs;
      else if (nowMs - this.#missing[i] >= keepMs) this.#removeAt(i, key);
    }
  }
}

/** How long a level with a depth mark may be missing from an MBP-10 book's ten before the mark goes. */
const MARK_UNSEEN_MS = 60_000;

/** An order as the venue holds it. */
class Working {
  readonly buy: boolean;
  /** Current limit (NaN for a market order or an untriggered stop) and stop prices. */
  limitPx: number;
  stopPx: number;
  /** market | limit once triggered; stop | stop-limit before. */
  kind: 'market' | 'limit' | 'stop' | 'stop-limit';
  leaves: number;
  /** Expiry on the venue's clock (GTT, DAY), or null. */
  expireNs: bigint | null = null;
  pos: QueuePosition | null = null;
  mbo: MboQueue | null = null;
  /** Join order at its price. */
  seq = 0;
  done = false;
  /** Our latest request for this order reaches the venue at this time; later ones come after it. */
  lastVenueNs: bigint;

  constructor(
    readonly order: Order,
    readonly market: Market,
    venueNs: bigint,
  ) {
    const s = order.spec;
    this.buy = s.side === 'buy';
    this.kind = s.type;
    this.limitPx = s.limitPx ?? Number.NaN;
    this.stopPx = s.stopPx ?? Number.NaN;
    this.leaves = s.quantity;
    this.lastVenueNs = venueNs;
  }

  get key(): number {
    return this.buy ? this.limitPx : -this.limitPx;
  }
}

/** Something that will happen at the venue: an order or request arriving, or an expiry. */
interface VenueAction {
  readonly atNs: bigint;
  readonly kind: 'new' | 'cancel' | 'replace' | 'expire';
  readonly w: Working;
  readonly change?: ReplaceChange;
}

/** A report on its way back, and whether its order's request just reached the venue. */
interface InFlight {
  readonly report: ExecutionReport;
  readonly arrived: boolean;
}

/** Counts for reports: where the replay may flatter us. */
export interface PaperWarnings {
  /** Times one of our resting orders joined a level where it would be more than `largeShare` of it. */
  largeShare: number;
}

/** Orders against recorded books (futures) or quotes (spot), with queue, latency and fee models. */
export class PaperBroker implements ReplayingBroker {
  readonly name = 'paper';
  readonly queue: QueueModel;
  readonly latency: LatencyModel;
  readonly warnings: PaperWarnings = { largeShare: 0 };
  /** Reports their orders could not take (none, unless a venue misbehaves): see `acceptReport`. */
  readonly anomalies: ReportAnomaly[] = [];
  readonly #largeShare: number;
  readonly #markets = new Map<number, Market>();
  readonly #orders = new Map<string, Working | Order>();
  readonly #listeners: ReportListener[] = [];
  /** Venue actions and reports in time order (both kept sorted: inserted in place). */
  readonly #actions: VenueAction[] = [];
  readonly #reports: InFlight[] = [];
  /** Float ms just below the next action's and report's time: a cheap first test per record. */
  #nextActionMs = Number.POSITIVE_INFINITY;
  #nextReportMs = Number.POSITIVE_INFINITY;
  #seq = 0;
  #lastReportNs = 0n;
  /** Next 17:00 New York rollover (ms), for financing; +∞ when no instrument is financed. */
  #nextRolloverMs = Number.POSITIVE_INFINITY;
  /** Next whole second (ms) at which depth marks of levels the book no longer shows are dropped. */
  #nextSweepMs = Number.NEGATIVE_INFINITY;
  #venueNow = 0n;
  /** The record being matched: the venue's time is its ts_event (made a bigint only when a report needs it). */
  #matching: RecordCursor | null = null;
  /** The market of the last record (most streams hold one instrument). */
  #last: Market | null = null;
  readonly #observe: boolean;
  /** See `changes`. */
  #changes = 0;

  constructor(opts: PaperBrokerOptions) {
    for (const t of opts.instruments) this.#markets.set(t.instrumentId, new Market(t));
    this.queue = opts.queue ?? new RiskAverseQueue();
    this.latency = opts.latency ?? new ConstantLatency({ entry: 0n, ack: 0n });
    this.#observe = this.latency.observe !== undefined;
    this.#largeShare = requireInRange('largeShare', opts.largeShare ?? 0.5, 0, 1);
    // Spot instruments are financed: the first record sets the first rollover.
    if ([...this.#markets.values()].some((m) => m.quote)) this.#nextRolloverMs = Number.NEGATIVE_INFINITY;
  }

  /**
   * Adds an instrument to trade (nothing happens if one of that id is known already). `book` is its
   * book as the data has it now, for an instrument added after its records began: orders meet it
   * before the instrument's next record.
   */
  addInstrument(t: PaperInstrument, book?: BookView): void {
    this.#changes++;
    let m = this.#markets.get(t.instrumentId);
    if (m === undefined) {
      m = new Market(t);
      this.#markets.set(t.instrumentId, m);
      if (m.quote && this.#nextRolloverMs === Number.POSITIVE_INFINITY)
        this.#nextRolloverMs = Number.NEGATIVE_INFINITY;
    }
    if (m.book === null && book !== undefined && book.updates > 0) m.book = book;
  }

  onReport(listener: ReportListener): void {
    this.#listeners.push(listener);
  }

  /**
   * A restarted session's position at this venue (the paper broker is its own venue: what the
   * process that died held is what its fills left); financing counts it from now on.
   */
  resumePosition(instrumentId: number, quantity: number): void {
    const m = this.#markets.get(instrumentId);
    if (m !== undefined) m.position = quantity;
  }

  order(clientId: string): Order | undefined {
    const o = this.#orders.get(clientId);
    return o instanceof Working ? o.order : o;
  }

  openOrders(): Order[] {
    const out: Order[] = [];
    for (const o of this.#orders.values()) {
      const order = o instanceof Working ? o.order : o;
      if (!isTerminal(order.status)) out.push(order);
    }
    return out;
  }

  /**
   * Size ahead of a working limit order in its level's queue (exact on MBO, the queue model's
   * estimate on MBP), or null for an order not resting in a book (unknown, done, a market or stop
   * order, a spot quote).
   */
  queueAhead(clientId: string): number | null {
    const w = this.#orders.get(clientId);
    if (!(w instanceof Working) || w.done) return null;
    if (w.mbo !== null) return w.mbo.ahead;
    return w.pos === null ? null : Math.max(0, w.pos.ahead);
  }

  /** The net position the broker has filled per instrument (from its own fills). */
  position(instrumentId: number): number {
    return this.#markets.get(instrumentId)?.position ?? 0;
  }

  submit(spec: OrderSpec, nowNs: bigint): Order {
    requireNewId(this.#orders, spec);
    const order = new Order(spec, nowNs);
    const m = this.#markets.get(spec.instrumentId);
    const problem = orderProblem(spec, m?.terms.tickRaw);
    const small = m !== undefined && problem === null && spec.quantity < m.minQuantity;
    if (problem !== null || small) {
      this.#orders.set(spec.clientId, order);
      const reason =
        problem !== null
          ? `${problem.problem}: ${problem.detail}`
          : `BELOW_MIN_SIZE: ${spec.quantity} is below the minimum of ${m?.minQuantity}`;
      order.reject(nowNs, reason);
      this.#emit(
        {
          kind: 'reject',
          clientId: spec.clientId,
          instrumentId: spec.instrumentId,
          venueNs: nowNs,
          atNs: nowNs,
          reason,
        },
        order,
      );
      return order;
    }
    const w = new Working(order, m as Market, nowNs + this.latency.toVenue('entry'));
    this.#orders.set(spec.clientId, w);
    this.#schedule({ atNs: w.lastVenueNs, kind: 'new', w });
    return order;
  }

  cancel(clientId: string, nowNs: bigint): void {
    const w = this.#working(clientId, 'cancel');
    w.order.cancel(nowNs);
    this.#request(w, 'cancel', nowNs + this.latency.toVenue('cancel'));
  }

  replace(clientId: string, change: ReplaceChange, nowNs: bigint): void {
    const w = this.#working(clientId, 'replace');
    const tick = w.market.terms.tickRaw;
    for (const [name, px] of [
      ['limit price', change.limitPx],
      ['stop price', change.stopPx],
    ] as const) {
      if (px !== undefined && !(px > 0 && px % tick === 0))
        throw new InvalidOptionError(
          `new ${name} of ${clientId}`,
          px,
          `a positive multiple of the tick ${tick}`,
        );
    }
    w.order.replace(nowNs, change);
    this.#request(w, 'replace', nowNs + this.latency.toVenue('modify'), change);
  }

  /**
   * Everything due before `c` at the venue happens (orders arriving, expiries), and every report
   * due by its receive time is delivered. Call before applying `c` to its book.
   */
  before(c: RecordCursor): void {
    if (this.#observe) {
      // ts_recv − ts_event from the halves: exact while under 2^53 ns.
      this.latency.observe?.((c.tsRecvHi - c.tsEventHi) * 4294967296 + (c.tsRecvLo - c.tsEventLo));
    }
    const ms = c.tsEventMs;
    if (ms >= this.#nextActionMs) this.#runActions(c.tsEvent, false);
    // What the listeners send on hearing a report may reach the venue before this record too.
    for (
      let round = 0;
      this.#reports.length > 0 && c.tsRecvMs >= this.#nextReportMs && round < MAX_ROUNDS;
      round++
    ) {
      this.#deliver(c.tsRecv);
      if (ms >= this.#nextActionMs) this.#runActions(c.tsEvent, false);
    }
    if (ms >= this.#nextRolloverMs) this.#rollover(ms);
    if (ms >= this.#nextSweepMs) this.#sweep(ms);
  }

  get changes(): number {
    return this.#changes;
  }

  quietFor(book: BookView): boolean {
    const m = this.#last;
    return (
      m !== null &&
      m.book === book &&
      m.idle &&
      !this.#observe &&
      this.#reports.length === 0 &&
      this.#nextActionMs === Number.POSITIVE_INFINITY
    );
  }

  get dueMs(): number {
    return Math.min(this.#nextRolloverMs, this.#nextSweepMs);
  }

  /**
   * Once a second: the marks of depth we or the market's trades took at a level the ten levels of
   * an MBP-10 book have not shown for `MARK_UNSEEN_MS` go. A change at a level trims its mark
   * (`#trim`), but a level can leave the ten without a change of its own (an add at a better price
   * pushes it out), and what happens to it there the data does not say: a level gone for a moment
   * keeps its mark (what we took from it is not there to take again), one gone for a minute comes
   * back as depth we never took from. MBP-10 books only: an order book shows every level, and a
   * change at one always trims it.
   */
  #sweep(ms: number): void {
    this.#nextSweepMs = (Math.floor(ms / 1000) + 1) * 1000;
    for (const m of this.#markets.values()) {
      const book = m.book;
      if (book === null || book.kind !== 'l2' || m.quote || (m.taken.size === 0 && m.traded.size === 0))
        continue;
      m.taken.expire(book, ms, MARK_UNSEEN_MS);
      m.traded.expire(book, ms, MARK_UNSEEN_MS);
    }
  }

  /** Matching on `book`, which `c` has just updated. Call after applying `c`. */
  after(c: RecordCursor, book: BookView): void {
    const id = c.instrumentId;
    let m = this.#last;
    if (m === null || m.terms.instrumentId !== id) {
      const found = this.#markets.get(id);
      if (found === undefined) return;
      m = this.#last = found;
    }
    m.book = book;
    const l2 = book.kind === 'l2' ? (book as L2Book) : null;
    const action = l2 !== null ? l2.action : c.action;
    if (action === TRADE) {
      const price = l2 !== null ? l2.price : c.price;
      m.lastTrade = price;
      if (m.idle && this.#actions.length === 0) return;
      const size = l2 !== null ? l2.size : c.size;
      const side = l2 !== null ? l2.side : c.side;
      // The depth this trade took is still shown until the next record removes it.
      if (side === BID || side === ASK) {
        const key = Market.takenKey(side === BID, price);
        m.traded.add(key, size);
      }
      // With nothing of ours working, the trade only marks the depth it took.
      if (!m.working) return;
      this.#matching = c;
      this.#onTrade(m, price, size, side);
      this.#onBook(m, price);
      this.#matching = null;
      return;
    }
    if (m.idle) return;
    this.#matching = c;
    if (l2 !== null) {
      if (!m.quote) this.#onDepth(m, l2);
    } else this.#onMboChange(m, action, c.side, c.price, c.size);
    if (m.working) this.#onBook(m, Number.NaN);
    this.#matching = null;
  }

  /** `before`, the book update, then `after`: one record of a replay. */
  onRecord(c: RecordCursor, apply: (c: RecordCursor) => BookView | null): void {
    this.before(c);
    const book = apply(c);
    if (book !== null) this.after(c, book);
  }

  /**
   * Moves both clocks to `nowNs` without market data (the data ended, or a quiet market): due
   * venue actions happen on the books as they are, and due reports are delivered.
   */
  advance(nowNs: bigint): void {
    this.#runActions(nowNs, true);
    for (let round = 0; this.#reports.length > 0 && round < MAX_ROUNDS; round++) {
      this.#deliver(nowNs);
      this.#runActions(nowNs, true);
    }
  }

  // ── requests ──────────────────────────────────────────────────────────────────────────────

  #working(clientId: string, what: string): Working {
    const w = this.#orders.get(clientId);
    if (w === undefined)
      throw new BrokerRequestError('UNKNOWN_ORDER', clientId, `cannot ${what}: no such order`);
    if (!(w instanceof Working))
      throw new BrokerRequestError('UNKNOWN_ORDER', clientId, `cannot ${what}: it was rejected`);
    return w;
  }

  #request(w: Working, kind: 'cancel' | 'replace', atNs: bigint, change?: ReplaceChange): void {
    // Requests about one order reach the venue in the order they were sent.
    w.lastVenueNs = atNs > w.lastVenueNs ? atNs : w.lastVenueNs;
    this.#schedule({ atNs: w.lastVenueNs, kind, w, change });
  }

  #schedule(a: VenueAction): void {
    this.#changes++;
    const list = this.#actions;
    let i = list.length;
    while (i > 0 && list[i - 1].atNs > a.atNs) i--;
    list.splice(i, 0, a);
    this.#nextActionMs = msBelow(list[0].atNs);
  }

  /** Runs the venue actions due before `tsNs` (at or before it when `inclusive`). */
  #runActions(tsNs: bigint, inclusive: boolean): void {
    this.#matching = null;
    const list = this.#actions;
    while (list.length > 0 && (list[0].atNs < tsNs || (inclusive && list[0].atNs === tsNs))) {
      const a = list.shift() as VenueAction;
      this.#venueNow = a.atNs;
      if (a.kind === 'new') this.#arrive(a.w);
      else if (a.kind === 'cancel') this.#cancelAtVenue(a.w);
      else if (a.kind === 'replace') this.#replaceAtVenue(a.w, a.change as ReplaceChange);
      else if (!a.w.done) this.#finish(a.w, 'expired', 'time in force ended');
    }
    this.#nextActionMs = list.length > 0 ? msBelow(list[0].atNs) : Number.POSITIVE_INFINITY;
  }

  // ── the venue ─────────────────────────────────────────────────────────────────────────────

  #arrive(w: Working): void {
    const m = w.market;
    const spec = w.order.spec;
    const book = m.book;
    if (book === null) {
      this.#reject(w, 'NO_MARKET_DATA: no book of this instrument yet');
      return;
    }
    if (spec.postOnly === true && this.#marketable(w, book)) {
      this.#reject(w, 'POST_ONLY: the order would take liquidity on arrival');
      return;
    }
    this.#report(w, 'ack', {}, true);
    if (spec.tif === 'GTT') w.expireNs = spec.expireAtNs as bigint;
    else if (spec.tif === 'DAY') w.expireNs = dayEnd(this.#venueNow);
    if (w.expireNs !== null) this.#schedule({ atNs: w.expireNs, kind: 'expire', w });
    if (w.kind === 'stop' || w.kind === 'stop-limit') {
      // Already through the last trade: set off at once.
      if (this.#triggered(w, m.lastTrade, book)) this.#trigger(w);
      else m.stops.push(w);
      return;
    }
    this.#execute(w, book);
  }

  /** A market or limit order meets the book: takes what it may, then rests, or ends. */
  #execute(w: Working, book: BookView): void {
    const m = w.market;
    const tif = w.order.spec.tif;
    if (m.quote) this.#takeQuote(w, book);
    else if (!book.crossed) {
      const take = takeLiquidity(book, w.order.spec.side, w.leaves, w.limitPx, (px) => m.gone(w.buy, px));
      if (tif === 'FOK' && take.quantity < w.leaves) {
        this.#finish(w, 'cancelled', 'FOK: not all of it could fill');
        return;
      }
      for (const f of take.fills) {
        const key = Market.takenKey(w.buy, f.price);
        m.taken.add(key, f.quantity);
        this.#fill(w, f.quantity, f.price, 'taker');
      }
    }
    if (w.done) return;
    if (w.kind === 'market' || tif === 'IOC' || tif === 'FOK') {
      const why = book.crossed ? 'the book is crossed or locked' : 'no more liquidity shown within its price';
      this.#finish(w, 'cancelled', `${tif === 'IOC' || tif === 'FOK' ? tif : 'market'}: ${why}`);
      return;
    }
    this.#rest(w, book);
  }

  /** Quote mode: a market order fills whole at the quote; a limit one if the quote reaches it. */
  #takeQuote(w: Working, book: BookView): void {
    const px = w.buy ? book.bestAskPx : book.bestBidPx;
    if (Number.isNaN(px) || book.crossed) return;
    const cost = w.market.fees.markupRaw(w.market.terms) + (w.kind === 'market' ? w.market.slippageRaw : 0);
    const price = w.buy ? px + cost : px - cost;
    if (w.kind === 'limit' && (w.buy ? price > w.limitPx : price < w.limitPx)) return;
    this.#fill(w, w.leaves, price, 'taker');
  }

  #rest(w: Working, book: BookView): void {
    const m = w.market;
    w.seq = ++this.#seq;
    if (!m.quote) {
      const level = sizeAt(book, w.buy, w.limitPx);
      if (w.leaves > this.#largeShare * (level + w.leaves)) this.warnings.largeShare++;
      if (book.kind === 'l3') w.mbo = new MboQueue(book as L3Book, w.buy ? BID : ASK, w.limitPx);
      else w.pos = this.queue.join(level);
    }
    m.resting.push(w);
    const at = m.atPrice.get(w.key);
    if (at === undefined) m.atPrice.set(w.key, [w]);
    else at.push(w);
    m.refreshBounds();
  }

  #unrest(w: Working): void {
    const m = w.market;
    const i = m.resting.indexOf(w);
    if (i >= 0) {
      m.resting.splice(i, 1);
      const at = m.atPrice.get(w.key) as Working[];
      at.splice(at.indexOf(w), 1);
      if (at.length === 0) m.atPrice.delete(w.key);
      m.refreshBounds();
    }
    const s = m.stops.indexOf(w);
    if (s >= 0) m.stops.splice(s, 1);
    w.pos = null;
    w.mbo = null;
  }

  #cancelAtVenue(w: Working): void {
    if (w.done) {
      this.#report(w, 'cancel-rejected', { reason: 'TOO_LATE: the order is no longer working' }, true);
      return;
    }
    this.#finish(w, 'cancelled', 'cancelled as asked', true);
  }

  #replaceAtVenue(w: Working, change: ReplaceChange): void {
    if (w.done) {
      this.#report(w, 'replace-rejected', { reason: 'TOO_LATE: the order is no longer working' }, true);
      return;
    }
    const filled = w.order.spec.quantity - w.leaves;
    const quantity = change.quantity ?? w.order.spec.quantity;
    if (quantity <= filled) {
      this.#report(w, 'replace-rejected', { reason: `FILLED: ${filled} already filled` }, true);
      return;
    }
    const resting = w.market.resting.includes(w);
    const moved = change.limitPx !== undefined && change.limitPx !== w.limitPx;
    const grew = quantity - filled > w.leaves;
    if (resting && (moved || grew)) this.#unrest(w);
    if (change.limitPx !== undefined) w.limitPx = change.limitPx;
    if (change.stopPx !== undefined) w.stopPx = change.stopPx;
    w.leaves = quantity - filled;
    this.#report(w, 'replaced', {}, true);
    const book = w.market.book as BookView;
    if (resting && (moved || grew)) this.#execute(w, book);
    else if (w.kind === 'stop' || w.kind === 'stop-limit') {
      if (this.#triggered(w, w.market.lastTrade, book)) this.#trigger(w);
    }
  }

  #reject(w: Working, reason: string): void {
    w.done = true;
    this.#report(w, 'reject', { reason }, true);
  }

  /** Ends a working order: cancelled or expired, with its remainder. */
  #finish(w: Working, kind: 'cancelled' | 'expired', reason: string, arrived = false): void {
    this.#unrest(w);
    w.done = true;
    w.leaves = 0;
    this.#report(w, kind, { reason }, arrived);
  }

  #fill(w: Working, quantity: number, price: number, liquidity: Liquidity): void {
    const m = w.market;
    w.leaves -= quantity;
    m.position += w.buy ? quantity : -quantity;
    const fee = m.fees.fee(m.terms, quantity, price, liquidity);
    this.#report(w, 'fill', { side: w.order.spec.side, quantity, price, fee, liquidity }, false);
    if (w.leaves === 0) {
      this.#unrest(w);
      w.done = true;
    }
  }

  #marketable(w: Working, book: BookView): boolean {
    if (w.kind !== 'limit' || book.crossed) return false;
    const px = w.buy ? book.bestAskPx : book.bestBidPx;
    return !Number.isNaN(px) && (w.buy ? px <= w.limitPx : px >= w.limitPx);
  }

  /**
   * Whether a stop is set off: on futures by a trade at or through its price (`tradePx`, NaN when
   * the record is not a trade; as CME triggers stops), on spot by the quote reaching it.
   */
  #triggered(w: Working, tradePx: number, book: BookView): boolean {
    const stop = w.stopPx;
    const px = w.market.quote
      ? book.crossed
        ? Number.NaN
        : w.buy
          ? book.bestAskPx
          : book.bestBidPx
      : tradePx;
    return w.buy ? px >= stop : px <= stop;
  }

  #trigger(w: Working): void {
    const m = w.market;
    const s = m.stops.indexOf(w);
    if (s >= 0) m.stops.splice(s, 1);
    w.kind = w.kind === 'stop' ? 'market' : 'limit';
    this.#execute(w, m.book as BookView);
  }

  // ── market data ───────────────────────────────────────────────────────────────────────────

  #onTrade(m: Market, price: number, size: number, aggressor: number): void {
    if (m.book?.crossed) return;
    // A seller's trade (aggressor on the ask side) meets our bids; a buyer's our offers.
    if (aggressor !== BID && !Number.isNaN(m.maxBuy) && m.maxBuy >= price)
      this.#tradeSide(m, true, price, size);
    if (aggressor !== ASK && !Number.isNaN(m.minSell) && m.minSell <= price)
      this.#tradeSide(m, false, price, size);
  }

  #tradeSide(m: Market, buy: boolean, price: number, size: number): void {
    // Through our price: we were ahead of everything that traded there, filled whole at our price.
    for (const w of [...m.resting]) {
      if (w.buy === buy && (buy ? w.limitPx > price : w.limitPx < price))
        this.#fill(w, w.leaves, w.limitPx, 'maker');
    }
    const at = m.atPrice.get(buy ? price : -price);
    if (at === undefined || m.quote) return;
    // At our price: the trade passes the queue ahead, then our own orders in the order they joined.
    let ownAhead = 0;
    for (const w of [...at]) {
      const leaves = w.leaves;
      let past: number;
      if (w.mbo !== null) past = size - w.mbo.ahead;
      else {
        const pos = w.pos as QueuePosition;
        this.queue.trade(pos, size);
        past = -pos.ahead;
        if (pos.ahead < 0) pos.ahead = 0;
      }
      // A model may estimate the queue in fractions (expected values): only whole contracts fill.
      const q = Math.min(Math.floor(Math.max(past - ownAhead, 0)), leaves);
      ownAhead += leaves;
      if (q > 0) this.#fill(w, q, price, 'maker');
    }
  }

  #onDepth(m: Market, book: L2Book): void {
    const sides = book.changedSides;
    // One side changed (a trusted add, cancel or modify): nothing to do if nothing of ours is there.
    if (sides === 0 || ((sides === 1 || sides === 2) && !m.hasOn(sides === 1))) return;
    const action = book.action;
    const side = book.side;
    if (book.trustsActions && (action === ADD || action === CANCEL) && (side === BID || side === ASK)) {
      // An add or cancel changes its own price on its own side only: skip it if nothing of ours is there.
      const buy = side === BID;
      const price = book.price;
      const other = Market.takenKey(!buy, price);
      // Our resting buys are at or below the highest of them, our sells at or above the lowest.
      const ours = buy ? price <= m.maxBuy : price >= m.minSell;
      if (!(ours && m.atPrice.has(buy ? price : -price)) && !m.taken.has(other) && !m.traded.has(other))
        return;
    }
    const ch = book.changes;
    const depleted = m.taken.size > 0 || m.traded.size > 0;
    const resting = m.resting.length > 0;
    for (let i = 0; i < ch.count; i++) {
      const buy = ch.side[i] === BID;
      const price = ch.price[i];
      // What was taken on the other side of the change, and our orders at its price: the level's
      // size is looked up only when one of them is there.
      const other = Market.takenKey(!buy, price);
      const trim = depleted && (m.taken.has(other) || m.traded.has(other));
      const at = resting ? m.atPrice.get(buy ? price : -price) : undefined;
      if (!trim && at === undefined) continue;
      const now = sizeAt(book, buy, price);
      if (trim) this.#trim(m, !buy, price, now, ch.delta[i]);
      if (at === undefined) continue;
      const before = now - ch.delta[i];
      for (const w of at) if (w.pos !== null) this.queue.depth(w.pos, before, now);
    }
  }

  #onMboChange(m: Market, action: number, side: number, price: number, size: number): void {
    if (action === CLEAR) {
      m.taken.clear();
      m.traded.clear();
      return;
    }
    if ((m.taken.size > 0 || m.traded.size > 0) && (side === BID || side === ASK) && m.book !== null) {
      const shown = sizeAt(m.book, side === BID, price);
      this.#trim(m, side === ASK, price, shown, action === CANCEL ? -size : 0);
    }
  }

  /**
   * The level at `price` (the asks when `bought`) now shows `shown` after a change of `delta`: what
   * the market's trades took leaves the count as the level shrinks by it, and what we took is at
   * most what the level shows (our orders do not change the recorded book).
   */
  #trim(m: Market, bought: boolean, price: number, shown: number, delta: number): void {
    const key = Market.takenKey(bought, price);
    const traded = m.traded.get(key);
    if (traded !== undefined) {
      const left = shown <= 0 ? 0 : traded + Math.min(delta, 0);
      if (left <= 0) m.traded.delete(key);
      else m.traded.set(key, left);
    }
    const t = m.taken.get(key);
    if (t === undefined) return;
    if (shown <= 0) m.taken.delete(key);
    else if (t > shown) m.taken.set(key, shown);
  }

  /**
   * After any record (a trade at `tradePx`, NaN for others): stops that trigger, and resting orders
   * the other side reached.
   */
  #onBook(m: Market, tradePx: number): void {
    const book = m.book as BookView;
    if (book.crossed) return;
    // Stops wait while a position is open: look first, copy the list only when one goes off.
    let off = false;
    for (let i = 0; i < m.stops.length && !off; i++) off = this.#triggered(m.stops[i], tradePx, book);
    if (off) for (const w of [...m.stops]) if (this.#triggered(w, tradePx, book)) this.#trigger(w);
    const ask = book.bestAskPx;
    const bid = book.bestBidPx;
    if (!(m.maxBuy >= ask) && !(m.minSell <= bid)) return;
    // A fill takes its order out of the list: several are met from a copy, one (a bracket's
    // target, most often) as it is.
    const resting = m.resting;
    if (resting.length === 1) this.#meet(m, resting[0], book);
    else for (const w of [...resting]) this.#meet(m, w, book);
  }

  /** A resting order the other side may have reached: filled at its price against what is shown. */
  #meet(m: Market, w: Working, book: BookView): void {
    if (w.done || !this.#marketable(w, book)) return;
    if (m.quote) {
      this.#fill(w, w.leaves, w.limitPx, 'maker');
      return;
    }
    const take = takeLiquidity(book, w.order.spec.side, w.leaves, w.limitPx, (px) => m.gone(w.buy, px));
    for (const f of take.fills) {
      const key = Market.takenKey(w.buy, f.price);
      m.taken.add(key, f.quantity);
      this.#fill(w, f.quantity, w.limitPx, 'maker');
      if (w.done) break;
    }
  }

  // ── reports ───────────────────────────────────────────────────────────────────────────────

  #report(
    w: Working,
    kind: ExecutionReport['kind'],
    extra: Partial<ExecutionReport>,
    arrived: boolean,
  ): void {
    const venueNs = this.#matching !== null ? this.#matching.tsEvent : this.#venueNow;
    const report: ExecutionReport = {
      kind,
      clientId: w.order.clientId,
      instrumentId: w.order.spec.instrumentId,
      venueNs,
      atNs: venueNs + this.latency.fromVenue(),
      ...extra,
    };
    this.#push(report, arrived);
  }

  /** Queues a report; reports leave in the order they were made, never earlier than the last. */
  #push(report: ExecutionReport, arrived: boolean): void {
    let atNs = report.atNs;
    if (atNs < this.#lastReportNs) atNs = this.#lastReportNs;
    this.#lastReportNs = atNs;
    this.#changes++;
    this.#reports.push({ report: atNs === report.atNs ? report : { ...report, atNs }, arrived });
    if (this.#reports.length === 1) this.#nextReportMs = msBelow(atNs);
  }

  /** Delivers the reports due by `nowNs` (local clock), moving each order first. */
  #deliver(nowNs: bigint): void {
    const list = this.#reports;
    let n = 0;
    while (n < list.length && list[n].report.atNs <= nowNs) n++;
    if (n === 0) return;
    const due = list.splice(0, n);
    this.#nextReportMs = list.length > 0 ? msBelow(list[0].report.atNs) : Number.POSITIVE_INFINITY;
    for (const { report: r, arrived } of due) {
      const entry = this.#orders.get(r.clientId);
      const order = entry instanceof Working ? entry.order : entry;
      // A report its order cannot take is kept aside, never booked (it would move a position twice).
      if (order !== undefined && !acceptReport(order, r, arrived, this.anomalies)) continue;
      this.#emit(r, order);
    }
  }

  #emit(r: ExecutionReport, order: Order | undefined): void {
    for (const l of this.#listeners) l(r, order);
  }

  /**
   * Financing of spot positions at each 17:00 New York rollover up to `ms`: a `charge` report per
   * instrument held over it, three days' worth on Wednesdays (the weekend's value dates).
   */
  #rollover(ms: number): void {
    if (this.#nextRolloverMs === Number.NEGATIVE_INFINITY) {
      this.#nextRolloverMs = nextLocalTimeMs(NEW_YORK, ms, 17, 0);
      return;
    }
    while (ms >= this.#nextRolloverMs) {
      const at = this.#nextRolloverMs;
      const days = localTime(at, NEW_YORK).weekday === 3 ? 3 : 1;
      for (const m of this.#markets.values()) {
        const mark = m.book?.mid ?? Number.NaN;
        if (!m.quote || m.position === 0 || Number.isNaN(mark)) continue;
        const fee = m.fees.carry(m.terms, m.position, mark, days);
        if (fee === 0) continue;
        this.#venueNow = BigInt(at) * 1_000_000n;
        this.#push(
          {
            kind: 'charge',
            clientId: '',
            instrumentId: m.terms.instrumentId,
            venueNs: this.#venueNow,
            atNs: this.#venueNow,
            fee,
            reason: `overnight financing of ${m.position} over ${days} day(s)`,
          },
          false,
        );
      }
      this.#nextRolloverMs = nextLocalTimeMs(NEW_YORK, at, 17, 0);
    }
  }
}

/** Size shown at `price` on the bid (`buy`) or ask side of `book`, 0 when not shown. */
function sizeAt(book: BookView, buy: boolean, price: number): number {
  const n = buy ? book.bidLevels : book.askLevels;
  for (let i = 0; i < n; i++) {
    const p = buy ? book.bidPx(i) : book.askPx(i);
    if (p === price) return buy ? book.bidSz(i) : book.askSz(i);
    if (buy ? p < price : p > price) return 0;
  }
  return 0;
}

/** Float milliseconds a little below `ns`: records at or after `ns` are never missed by `>=`. */
function msBelow(ns: bigint): number {
  return Number(ns / 1000n) / 1000 - 0.002;
}

/** The end of the CME trading day that holds `ns` (16:00 Chicago), where a DAY order expires. */
function dayEnd(ns: bigint): bigint {
  const date = tradingDateOf(Number(ns / 1_000_000n));
  return date === null ? ns : tradingDayBoundsNs(date).endNs;
}
