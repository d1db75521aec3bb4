/**
 * Pre-trade risk: every order that would add risk is checked before it is sent, and refused with a
 * stable reason code when it breaks a limit. Orders that only reduce a position (closing, stops)
 * pass the position, size, rate and loss limits, so that risk can always be taken off; the kill
 * switch stops everything but those, and so does market data that is not trusted (a sequence gap
 * or a bad book until a snapshot rebuilds it, a stale feed, a crossed book).
 *
 * Time is the event clock's (ns), so a backtest and a live session refuse the same orders.
 */
import {
  type EconomicCalendar,
  EngineError,
  type FxSessionName,
  fxSession,
  InvalidOptionError,
  localTime,
  requireNonNegative,
  requirePositive,
  requirePositiveInt,
} from '../core/index.js';
import type { OrderSide } from './order.js';

/** Why an order was refused. */
export type RiskReason =
  | 'KILL_SWITCH'
  | 'MAX_ORDER_SIZE'
  | 'MAX_POSITION'
  | 'MAX_GROSS_POSITION'
  | 'ORDER_RATE'
  | 'DAILY_LOSS'
  | 'DRAWDOWN'
  | 'STALE_DATA'
  | 'DATA_UNTRUSTED'
  | 'CROSSED_BOOK'
  | 'WIDE_SPREAD'
  | 'NO_TRADE_WINDOW'
  | 'NEWS_BLACKOUT'
  | 'SESSION_CLOSED'
  | 'TOXICITY'
  | 'BRACKET_WORKING'
  | 'NO_MARKET_DATA'
  | 'NOT_TRADABLE'
  | 'FLAT_WINDOW'
  /** The session is shutting down (`Trader.stop`). */
  | 'STOPPED'
  /** New entries paused by an operator (`RiskEngine.pause`). */
  | 'PAUSED';

/** A daily window in a time zone (HH:MM to HH:MM, across midnight when `to` < `from`) without new risk. */
export interface TradeWindow {
  readonly from: string;
  readonly to: string;
  /** IANA zone of the times (America/Chicago). */
  readonly zone: string;
  /** Weekdays (0 = Sunday) of the window's local time; every day when absent. */
  readonly days?: readonly number[];
  /** What a rejection says. */
  readonly reason: string;
}

/** Limits; sizes in contracts (or spot units), money in the account currency. */
export interface RiskLimits {
  /** Largest single order. */
  readonly maxOrderSize: number;
  /** Largest |position| per instrument after the order fills. */
  readonly maxPosition: number;
  /** Largest Σ |position| over instruments after the order fills. */
  readonly maxGrossPosition: number;
  /** Orders sent in any 60 s of the event clock. */
  readonly maxOrdersPerMinute: number;
  /** Day's P&L (realized + open − fees) at or below −this: no new risk for the rest of the day. */
  readonly dailyLossLimit: number;
  /** Equity this far below its high of the day: no new risk for the rest of the day. */
  readonly maxDrawdown: number;
  /** Market data older than this (ns) is stale. */
  readonly staleAfterNs: bigint;
  /** Spread wider than this many ticks: no new entries. */
  readonly maxSpreadTicks: number;
  /** A spot pair's spread wider than this many pips (ten of its ticks): no new entries (default 2). */
  readonly maxSpotSpreadPips?: number;
  /** VPIN CDF at or above this: no new risk (default: no veto). */
  readonly toxicityVeto?: number;
  /** FX sessions (calendar.ts `fxSession`) in which new risk may be taken (default: all). */
  readonly sessions?: readonly FxSessionName[];
  /** Daily windows without new risk. */
  readonly noTradeWindows?: readonly TradeWindow[];
  /**
   * Scheduled releases around which no new risk is taken: an order whose instrument trades one of
   * a release's currency is refused inside its blackout window (`EconomicCalendar.blackoutAt`).
   */
  readonly economicCalendar?: EconomicCalendar;
}

/** What the risk engine needs to know when an order is about to be sent. */
export interface RiskContext {
  readonly nowNs: bigint;
  /** Signed position of the order's instrument now, and Σ |position| over all instruments. */
  readonly position: number;
  readonly grossPosition: number;
  /** The day's P&L, account currency. */
  readonly dayPnl: number;
  /** Receive time of the latest market data of the instrument (ns). */
  readonly lastDataNs: bigint;
  /** Best bid and ask (raw units; NaN when a side is empty) and the tick. */
  readonly bidPx: number;
  readonly askPx: number;
  readonly tickRaw: number;
  /** A spot pair (quoted to a tenth of a pip): its spread is held to `maxSpotSpreadPips`. */
  readonly spot?: boolean;
  /** VPIN CDF of the instrument now (NaN or absent: unknown, no veto). */
  readonly toxicity?: number;
  /** The currencies the instrument trades (`instrumentCurrencies`); absent: no news blackout applies. */
  readonly currencies?: readonly string[];
  /**
   * Why the instrument's market data is not trusted (a sequence gap, a bad book, a stale feed, a
   * crossed book: book/feed-health.ts `whyUntrusted`); null or absent when it is.
   */
  readonly dataUntrusted?: string | null;
}

/** A refusal. */
/**
 * A refusal, returned (never thrown) to the caller that asked: it carries no stack, which V8 would
 * otherwise capture for every refused decision.
 */
export class RiskRejection extends EngineError {
  constructor(
    readonly reason: RiskReason,
    detail: string,
  ) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super('RISK_REJECTED', `${reason}: ${detail}`);
    Error.stackTraceLimit = limit;
  }
}

const MINUTE_NS = 60_000_000_000n;
/** Spot pairs are quoted to a tenth of a pip (core/instruments.ts SPOT_PAIRS). */
const TICKS_PER_PIP = 10;

export class RiskEngine {
  readonly limits: RiskLimits;
  /** Send times of the orders of the last minute, oldest first. */
  readonly #sent: bigint[] = [];
  #killed = false;
  #paused: string | null = null;
  #haltedReason: RiskReason | null = null;
  #dayHigh = 0;

  constructor(limits: RiskLimits) {
    requirePositiveInt('maxOrderSize', limits.maxOrderSize);
    requirePositiveInt('maxPosition', limits.maxPosition);
    requirePositiveInt('maxGrossPosition', limits.maxGrossPosition);
    requirePositiveInt('maxOrdersPerMinute', limits.maxOrdersPerMinute);
    requirePositive('dailyLossLimit', limits.dailyLossLimit);
    requirePositive('maxDrawdown', limits.maxDrawdown);
    requireNonNegative('maxSpreadTicks', limits.maxSpreadTicks);
    requireNonNegative('maxSpotSpreadPips', limits.maxSpotSpreadPips ?? 0);
    if (!(limits.staleAfterNs > 0n))
      throw new InvalidOptionError('staleAfterNs', limits.staleAfterNs, 'a duration in ns > 0n');
    for (const w of limits.noTradeWindows ?? []) {
      for (const t of [w.from, w.to])
        if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(t))
          throw new InvalidOptionError('no-trade window time', t, 'HH:MM');
      try {
        localTime(0, w.zone);
      } catch {
        throw new InvalidOptionError(
          'no-trade window zone',
          w.zone,
          'an IANA time zone such as America/Chicago',
        );
      }
    }
    this.limits = limits;
  }

  /** Stops all new risk until `reset`; the caller cancels working orders and flattens. */
  kill(): void {
    this.#killed = true;
  }

  /** A new trading day: the loss and drawdown halts and the day's high start again (not the kill switch). */
  newDay(): void {
    this.#haltedReason = null;
    this.#dayHigh = 0;
  }

  /** A restarted session's day: its P&L high and the halt in force (`observe` goes on from them). */
  resumeDay(high: number, halted: RiskReason | null): void {
    this.#dayHigh = high;
    this.#haltedReason = halted;
  }

  /** A restarted session's order send times (ns, oldest first): the rate limit counts them. */
  resumeSent(times: readonly bigint[]): void {
    this.#sent.push(...times);
  }

  /** The day's P&L high so far (the drawdown limit's reference). */
  get dayHigh(): number {
    return this.#dayHigh;
  }

  /** Clears the kill switch. */
  reset(): void {
    this.#killed = false;
  }

  get killed(): boolean {
    return this.#killed;
  }

  /**
   * No new risk until `resume` (an operator's pause): unlike the kill switch nothing is cancelled or
   * closed, and orders that reduce a position (stops, targets, close-outs) still pass.
   */
  pause(why = 'paused'): void {
    this.#paused = why;
  }

  /** Lifts a pause. */
  resume(): void {
    this.#paused = null;
  }

  /** Why new risk is paused, or null. */
  get paused(): string | null {
    return this.#paused;
  }

  /** Orders sent in the 60 s up to `nowNs` (the rate limit's count). */
  ordersInLastMinute(nowNs: bigint): number {
    const sent = this.#sent;
    let n = 0;
    for (let i = sent.length - 1; i >= 0 && sent[i] > nowNs - MINUTE_NS; i--) if (sent[i] <= nowNs) n++;
    return n;
  }

  /**
   * Checks an order of `quantity` on `side`; returns null when it may be sent (and counts it
   * towards the rate limit), or the rejection. Nothing changes on a rejection.
   */
  check(side: OrderSide, quantity: number, ctx: RiskContext): RiskRejection | null {
    const signed = side === 'buy' ? quantity : -quantity;
    const after = ctx.position + signed;
    const reducing =
      Math.abs(after) < Math.abs(ctx.position) && Math.sign(after) !== -Math.sign(ctx.position);
    const r = reducing ? null : this.#checkNewRisk(quantity, after, ctx);
    if (r !== null) return r;
    this.#sent.push(ctx.nowNs);
    return null;
  }

  /**
   * The day's P&L at a mark (call it on every equity sample, so that the day's high is the real
   * one); crossing the loss limit or the drawdown halts new risk for the rest of the day.
   */
  observe(dayPnl: number): void {
    if (dayPnl > this.#dayHigh) this.#dayHigh = dayPnl;
    if (this.#haltedReason !== null) return;
    if (dayPnl <= -this.limits.dailyLossLimit) this.#haltedReason = 'DAILY_LOSS';
    else if (this.#dayHigh - dayPnl >= this.limits.maxDrawdown) this.#haltedReason = 'DRAWDOWN';
  }

  /** Why new risk is halted for the day, or null. */
  get halted(): RiskReason | null {
    return this.#haltedReason;
  }

  #checkNewRisk(quantity: number, after: number, ctx: RiskContext): RiskRejection | null {
    const L = this.limits;
    if (this.#killed) return new RiskRejection('KILL_SWITCH', 'the kill switch is on');
    if (this.#paused !== null) return new RiskRejection('PAUSED', `new entries paused (${this.#paused})`);
    this.observe(ctx.dayPnl);
    if (this.#haltedReason !== null)
      return new RiskRejection(
        this.#haltedReason,
        `no new risk for the rest of the day (day's P&L ${ctx.dayPnl.toFixed(2)})`,
      );
    if (quantity > L.maxOrderSize)
      return new RiskRejection('MAX_ORDER_SIZE', `order of ${quantity} over the limit of ${L.maxOrderSize}`);
    if (Math.abs(after) > L.maxPosition)
      return new RiskRejection('MAX_POSITION', `position would be ${after}, limit ${L.maxPosition}`);
    const gross = ctx.grossPosition - Math.abs(ctx.position) + Math.abs(after);
    if (gross > L.maxGrossPosition)
      return new RiskRejection(
        'MAX_GROSS_POSITION',
        `gross position would be ${gross}, limit ${L.maxGrossPosition}`,
      );
    while (this.#sent.length > 0 && this.#sent[0] <= ctx.nowNs - MINUTE_NS) this.#sent.shift();
    if (this.#sent.length >= L.maxOrdersPerMinute)
      return new RiskRejection(
        'ORDER_RATE',
        `${this.#sent.length} orders in the last minute, limit ${L.maxOrdersPerMinute}`,
      );
    const untrusted = ctx.dataUntrusted ?? null;
    if (untrusted !== null) return new RiskRejection('DATA_UNTRUSTED', untrusted);
    if (ctx.nowNs - ctx.lastDataNs > L.staleAfterNs)
      return new RiskRejection(
        'STALE_DATA',
        `market data is ${(Number(ctx.nowNs - ctx.lastDataNs) / 1e6).toFixed(0)} ms old`,
      );
    if (Number.isNaN(ctx.bidPx) || Number.isNaN(ctx.askPx) || ctx.bidPx >= ctx.askPx)
      return new RiskRejection('CROSSED_BOOK', 'the book is one-sided, crossed or locked');
    const spreadTicks = (ctx.askPx - ctx.bidPx) / ctx.tickRaw;
    if (ctx.spot === true) {
      const pips = spreadTicks / TICKS_PER_PIP;
      const most = L.maxSpotSpreadPips ?? 2;
      if (pips > most) return new RiskRejection('WIDE_SPREAD', `spread of ${pips} pips over ${most}`);
    } else if (spreadTicks > L.maxSpreadTicks)
      return new RiskRejection('WIDE_SPREAD', `spread of ${spreadTicks} ticks over ${L.maxSpreadTicks}`);
    if (L.toxicityVeto !== undefined && (ctx.toxicity ?? Number.NaN) >= L.toxicityVeto)
      return new RiskRejection(
        'TOXICITY',
        `VPIN CDF ${ctx.toxicity?.toFixed(3)} at or over ${L.toxicityVeto}`,
      );
    return this.#checkTime(Number(ctx.nowNs / 1_000_000n), ctx.currencies);
  }

  /** Sessions, no-trade windows and news blackouts at `ms`. */
  #checkTime(ms: number, currencies: readonly string[] | undefined): RiskRejection | null {
    const L = this.limits;
    if (L.sessions !== undefined) {
      const s = fxSession(ms);
      if (!L.sessions.includes(s))
        return new RiskRejection('SESSION_CLOSED', `the ${s} session is not one of ${L.sessions.join(', ')}`);
    }
    for (const w of L.noTradeWindows ?? []) {
      if (inWindow(w, ms))
        return new RiskRejection('NO_TRADE_WINDOW', `${w.reason} (${w.from}–${w.to} ${w.zone})`);
    }
    const e =
      currencies === undefined || L.economicCalendar === undefined
        ? undefined
        : L.economicCalendar.blackoutAt(ms, currencies);
    if (e !== undefined)
      return new RiskRejection(
        'NEWS_BLACKOUT',
        `${e.event} (${e.currency}) at ${new Date(e.tsMs).toISOString()}: no new risk from ${e.minutesBefore} min before to ${e.minutesAfter} min after`,
      );
    return null;
  }
}

/** Whether `ms` falls in the daily window `w` (its start included, its end not). */
export function inWindow(w: TradeWindow, ms: number): boolean {
  const t = localTime(ms, w.zone);
  if (w.days !== undefined && !w.days.includes(t.weekday)) return false;
  const m = t.hour * 60 + t.minute;
  const from = minutes(w.from);
  const to = minutes(w.to);
  return from <= to ? m >= from && m < to : m >= from || m < to;
}

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}
