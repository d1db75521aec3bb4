/**
 * Time bars from trades and from top-of-book quotes, built incrementally.
 *
 * A bar covers `[startMs, startMs + periodMs)`, aligned to the Unix epoch (so 1-min bars start on
 * whole UTC minutes, 5-min bars on :00, :05, …). Time comes only from the events: a bar closes when
 * the first event of a LATER period arrives (or when the caller calls `flush()`, e.g. at the end of
 * the data). An event whose period is EARLIER than the forming bar's (out-of-order receive times)
 * is folded into the forming bar and counted in `lateEvents`.
 *
 * Gaps: periods with no events produce NO bars. After a gap the next bar simply starts later
 * (`startMs` jumps); consumers that need a regular grid can detect the jump from `startMs`. This
 * keeps indicators from being fed fabricated flat bars during halts and the daily CME break.
 *
 * A bar carries two independent sets of fields:
 * - from trades: OHLC, volume, VWAP, buy volume and sell volume (from the trade's aggressor side:
 *   `Side.BID` = buyer-initiated, `Side.ASK` = seller-initiated, `Side.NONE` counts in neither),
 *   trade count. A bar with quotes but no trades has `tradeCount` 0, `volume` 0 and NaN trade
 *   OHLC/VWAP (a bar with no volume).
 * - from quotes (e.g. spot MBP-1 / BBO): bid OHLC and ask OHLC of the top of book, and the number
 *   of quote updates. A side whose price is NaN (undefined, an empty side) is skipped for that
 *   update; a bar with no quotes has NaN bid/ask fields. Sources that only give bars (IG-style
 *   spot bid/ask bars) feed `quoteBar`, and `mergeBar` rolls shorter bars (1 min) into longer ones.
 *
 * The builder owns two preallocated `Bar` objects: the forming bar (`current`) and the last closed
 * bar (`lastBar`), which is overwritten on every close. Copy out what you need to keep: the object
 * handed to `onBar` is reused. Nothing is allocated per event.
 */
import { type Calculator, requirePositiveInt } from '../../core/index.js';
import { type RecordCursor, Side } from '../../data/dbn/index.js';
import { clearOhlc, copyOhlc, foldOhlc, foldQuotes, type Ohlc, OhlcPrices } from './ohlc.js';

/** One time bar (mutable, reused by its builder). Prices are in the caller's units. */
export class Bar implements Ohlc {
  /** Period start (inclusive), ms since the epoch; NaN for a bar that has not started. */
  startMs = Number.NaN;
  /** Period end (exclusive), ms. */
  endMs = Number.NaN;
  /** Receive time of the first and last event folded into the bar, ms. */
  firstEventMs = Number.NaN;
  lastEventMs = Number.NaN;
  /** Trade OHLC (NaN when the bar has no trade). */
  open = Number.NaN;
  high = Number.NaN;
  low = Number.NaN;
  close = Number.NaN;
  volume = 0;
  /** Σ price·size / Σ size; NaN when the bar has no volume. */
  vwap = Number.NaN;
  buyVolume = 0;
  sellVolume = 0;
  tradeCount = 0;
  /** Bid and ask OHLC of the top of book (NaN when the bar has no quote on that side). */
  readonly bid = new OhlcPrices();
  readonly ask = new OhlcPrices();
  quoteCount = 0;
  /** Σ price·size, kept to update `vwap` without a division chain. */
  notional = 0;

  /** Buy volume minus sell volume. */
  get delta(): number {
    return this.buyVolume - this.sellVolume;
  }

  /** Clears the bar and starts it at `startMs`. */
  reset(startMs: number, periodMs: number): void {
    this.startMs = startMs;
    this.endMs = startMs + periodMs;
    this.firstEventMs = Number.NaN;
    this.lastEventMs = Number.NaN;
    clearOhlc(this);
    this.volume = 0;
    this.vwap = Number.NaN;
    this.buyVolume = 0;
    this.sellVolume = 0;
    this.tradeCount = 0;
    clearOhlc(this.bid);
    clearOhlc(this.ask);
    this.quoteCount = 0;
    this.notional = 0;
  }

  /** Copies every field of `src` into this bar. */
  copyFrom(src: Bar): void {
    this.startMs = src.startMs;
    this.endMs = src.endMs;
    this.firstEventMs = src.firstEventMs;
    this.lastEventMs = src.lastEventMs;
    copyOhlc(this, src);
    this.volume = src.volume;
    this.vwap = src.vwap;
    this.buyVolume = src.buyVolume;
    this.sellVolume = src.sellVolume;
    this.tradeCount = src.tradeCount;
    copyOhlc(this.bid, src.bid);
    copyOhlc(this.ask, src.ask);
    this.quoteCount = src.quoteCount;
    this.notional = src.notional;
  }
}

/** Bar periods used by the strategy, in ms. */
export const BarPeriod = { S1: 1_000, M1: 60_000, M5: 300_000 } as const;

export interface TimeBarBuilderOptions {
  /** Bar length in ms (positive integer), e.g. `BarPeriod.M1`. */
  periodMs: number;
  /** Called with the closed bar (a reused object) each time a bar closes. */
  onBar?: (bar: Bar) => void;
  /**
   * Multiplier applied to prices read by `tradeRecord`/`quoteRecord` (DBN prices are raw 1e-9
   * units: pass 1e-9 for decimal prices). Default 1. `trade`/`quote` take prices as given.
   */
  priceScale?: number;
}

/**
 * Builds time bars from trades (`update`/`trade`), quotes (`quote`), source bars (`quoteBar`) and
 * shorter bars (`mergeBar`); ready once a bar has closed (`lastBar`).
 */
export class TimeBarBuilder implements Calculator<[tsMs: number, price: number, size: number, side: number]> {
  readonly periodMs: number;
  readonly #onBar: ((bar: Bar) => void) | undefined;
  readonly #scale: number;
  readonly #cur = new Bar();
  readonly #last = new Bar();
  #closed = false;
  #barsClosed = 0;
  #lateEvents = 0;

  constructor(options: TimeBarBuilderOptions) {
    this.periodMs = requirePositiveInt('periodMs', options.periodMs);
    this.#onBar = options.onBar;
    this.#scale = options.priceScale ?? 1;
  }

  /** True when the last event (or `flush`) closed a bar; `lastBar` then holds it. */
  get closed(): boolean {
    return this.#closed;
  }
  /** The most recently closed bar (NaN `startMs` until the first close). Reused on every close. */
  get lastBar(): Bar {
    return this.#last;
  }
  /** The bar being formed (NaN `startMs` before the first event and after `flush`). */
  get current(): Bar {
    return this.#cur;
  }
  /** A bar has closed: `lastBar` holds it. */
  get isReady(): boolean {
    return this.#barsClosed > 0;
  }
  /** Number of bars closed so far. */
  get barsClosed(): number {
    return this.#barsClosed;
  }
  /** Events that arrived with a time in a period before the forming bar's (folded into it). */
  get lateEvents(): number {
    return this.#lateEvents;
  }

  /** Adds a trade (as `trade`): the input of the bars as a calculator. */
  update(tsMs: number, price: number, size: number, side: number): void {
    this.trade(tsMs, price, size, side);
  }

  /** Adds a trade: receive time (ms), price, size and aggressor side (`Side.BID` = buyer). */
  trade(tsMs: number, price: number, size: number, side: number): void {
    this.#advance(tsMs);
    if (Number.isNaN(price)) return; // an UNDEF price carries no trade information
    const b = this.#cur;
    foldOhlc(b, b.tradeCount === 0, price, price, price, price);
    b.tradeCount++;
    b.volume += size;
    b.notional += price * size;
    b.vwap = b.volume > 0 ? b.notional / b.volume : Number.NaN;
    if (side === Side.BID) b.buyVolume += size;
    else if (side === Side.ASK) b.sellVolume += size;
  }

  /** Adds a top-of-book update: receive time (ms), best bid and best ask (NaN = empty side). */
  quote(tsMs: number, bid: number, ask: number): void {
    this.#advance(tsMs);
    // A quote is a one-point bar of each side.
    const b = this.#cur;
    foldQuotes(b.bid, bid, bid, bid, bid);
    foldQuotes(b.ask, ask, ask, ask, ask);
    b.quoteCount++;
  }

  /**
   * Adds a bid/ask bar from a source that only provides bars (IG-style spot bars: bid and ask OHLC),
   * timed at the source bar's start `tsMs`; several source bars of a shorter period roll up into one
   * bar of this builder's period. A NaN side is skipped.
   */
  quoteBar(
    tsMs: number,
    bidOpen: number,
    bidHigh: number,
    bidLow: number,
    bidClose: number,
    askOpen: number,
    askHigh: number,
    askLow: number,
    askClose: number,
  ): void {
    this.#advance(tsMs);
    const b = this.#cur;
    foldQuotes(b.bid, bidOpen, bidHigh, bidLow, bidClose);
    foldQuotes(b.ask, askOpen, askHigh, askLow, askClose);
    b.quoteCount++;
  }

  /**
   * Rolls a finished bar of a shorter period (e.g. a 1-min bar into 5-min bars) into this builder,
   * timed at `src.startMs`: OHLC, volumes, VWAP (through the notional), counts, bid/ask OHLC. A bar
   * that never started (NaN `startMs`) is ignored.
   */
  mergeBar(src: Bar): void {
    if (Number.isNaN(src.startMs)) return;
    this.#advance(src.startMs);
    const b = this.#cur;
    if (src.tradeCount > 0) {
      foldOhlc(b, b.tradeCount === 0, src.open, src.high, src.low, src.close);
      b.tradeCount += src.tradeCount;
      b.volume += src.volume;
      b.notional += src.notional;
      b.buyVolume += src.buyVolume;
      b.sellVolume += src.sellVolume;
      b.vwap = b.volume > 0 ? b.notional / b.volume : Number.NaN;
    }
    const { bid, ask } = src;
    foldQuotes(b.bid, bid.open, bid.high, bid.low, bid.close);
    foldQuotes(b.ask, ask.open, ask.high, ask.low, ask.close);
    b.quoteCount += src.quoteCount;
    if (src.lastEventMs > b.lastEventMs) b.lastEventMs = src.lastEventMs;
  }

  /** Adds a DBN trade record (trades / MBP schemas): `tsRecvMs`, `price`, `size`, `side`. */
  tradeRecord(c: RecordCursor): void {
    this.trade(c.tsRecvMs, c.price * this.#scale, c.size, c.side);
  }

  /** Adds a DBN top-of-book record (MBP-1, BBO): `tsRecvMs`, level-0 bid and ask prices. */
  quoteRecord(c: RecordCursor): void {
    this.quote(c.tsRecvMs, c.bidPx(0) * this.#scale, c.askPx(0) * this.#scale);
  }

  /** Closes the forming bar, if any (end of data, or a caller-known period end). */
  flush(): void {
    this.#closed = false;
    if (!Number.isNaN(this.#cur.startMs)) this.#close();
    this.#cur.startMs = Number.NaN;
  }

  /** Forgets the forming and last bars and the counts (e.g. at a new trading day). */
  reset(): void {
    this.#cur.reset(Number.NaN, this.periodMs);
    this.#last.reset(Number.NaN, this.periodMs);
    this.#closed = false;
    this.#barsClosed = 0;
    this.#lateEvents = 0;
  }

  #advance(tsMs: number): void {
    this.#closed = false;
    const b = this.#cur;
    const start = Math.floor(tsMs / this.periodMs) * this.periodMs;
    if (Number.isNaN(b.startMs)) {
      b.reset(start, this.periodMs);
    } else if (start > b.startMs) {
      this.#close();
      b.reset(start, this.periodMs);
    } else if (start < b.startMs) {
      this.#lateEvents++;
    }
    if (Number.isNaN(b.firstEventMs)) b.firstEventMs = tsMs;
    if (!(tsMs < b.lastEventMs)) b.lastEventMs = tsMs;
  }

  #close(): void {
    this.#last.copyFrom(this.#cur);
    this.#closed = true;
    this.#barsClosed++;
    if (this.#onBar !== undefined) this.#onBar(this.#last);
  }
}
