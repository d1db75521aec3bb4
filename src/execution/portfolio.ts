/**
 * Positions and P&L from fills. Each instrument keeps its open lots first in, first out, at their
 * fill prices in raw 1e-9 units, so that realized P&L is integer arithmetic: what a closing fill
 * realizes is (its price − the lot's price) × quantity, summed exactly in `bigint`. Once flat,
 * the realized P&L of an instrument is exactly the sum of its fills' cash flows; fees are kept
 * apart, in nano-units of the account currency, and subtracted in the totals.
 *
 * Money: a price move of 1.0 on one unit is worth `multiplier` units of the quote currency
 * (125,000 for 6E: USD per EUR × EUR); a JPY-quoted instrument (USD/JPY spot) is converted to the
 * account currency (USD) at its latest mark.
 */
import { InvalidOptionError } from '../core/index.js';
import type { OrderSide } from './order.js';

/** What the portfolio needs to know of an instrument. */
export interface InstrumentTerms {
  readonly instrumentId: number;
  readonly symbol: string;
  /** Tick (pip, for spot) in raw 1e-9 price units. */
  readonly tickRaw: number;
  /** Quote-currency value of a 1.0 price move on one unit of quantity. */
  readonly multiplier: number;
  /** The quote currency is JPY (USD/JPY spot): P&L is divided by the mark to be in USD. */
  readonly quotedInJpy?: boolean;
}

/** A fill as the portfolio books it. */
export interface Fill {
  readonly instrumentId: number;
  readonly side: OrderSide;
  readonly quantity: number;
  /** Raw 1e-9 price units. */
  readonly price: number;
  /** Fees of this fill in the account currency (>= 0). */
  readonly fee: number;
  readonly tsNs: bigint;
}

/** One point of the equity curve: realized + unrealized − fees, account currency. */
export interface EquityPoint {
  readonly tsNs: bigint;
  readonly equity: number;
}

const NANO = 1_000_000_000;

class Holding {
  /** Open lots, oldest first: signed quantity (long > 0) and raw price. */
  readonly lots: { quantity: number; price: number }[] = [];
  position = 0;
  /** Σ (exit − entry) × quantity of closed lots, raw price units × quantity. */
  realizedRaw = 0n;
  /** Fees in nano-units of the account currency. */
  feesNano = 0n;
  mark = Number.NaN;

  constructor(readonly terms: InstrumentTerms) {}

  book(signed: number, price: number): void {
    let left = signed;
    while (left !== 0 && this.lots.length > 0 && Math.sign(this.lots[0].quantity) !== Math.sign(left)) {
      const lot = this.lots[0];
      const closed = Math.min(Math.abs(lot.quantity), Math.abs(left)) * Math.sign(lot.quantity);
      this.realizedRaw += BigInt(price - lot.price) * BigInt(closed);
      lot.quantity -= closed;
      left += closed;
      if (lot.quantity === 0) this.lots.shift();
    }
    if (left !== 0) this.lots.push({ quantity: left, price });
    this.position += signed;
  }

  /** Open P&L at the mark, raw price units × quantity (NaN before a mark). */
  unrealizedRaw(): number {
    let u = 0;
    for (const lot of this.lots) u += (this.mark - lot.price) * lot.quantity;
    return this.lots.length === 0 ? 0 : u;
  }

  /** Raw price units × quantity in the account currency. */
  money(raw: number): number {
    const quote = (raw / NANO) * this.terms.multiplier;
    return this.terms.quotedInJpy ? quote / (this.mark / NANO) : quote;
  }
}

/** Positions, P&L, fees and the equity curve of an account, from its fills. */
export class FillPortfolio {
  readonly #holdings = new Map<number, Holding>();
  readonly #bySymbol = new Map<string, Holding>();
  readonly equityCurve: EquityPoint[] = [];
  /** Σ of the fills' cash flows (sell +, buy −) per instrument, raw units × quantity. */
  readonly #cash = new Map<number, bigint>();

  constructor(instruments: readonly InstrumentTerms[]) {
    for (const t of instruments) this.add(t);
  }

  /** Adds an instrument (nothing happens if one of that id is held already). */
  add(t: InstrumentTerms): void {
    if (this.#holdings.has(t.instrumentId)) return;
    if (!(t.tickRaw > 0) || !(t.multiplier > 0))
      throw new InvalidOptionError(`terms of ${t.symbol}`, t, 'a positive tick and multiplier');
    const h = new Holding(t);
    this.#holdings.set(t.instrumentId, h);
    this.#bySymbol.set(t.symbol, h);
    this.#cash.set(t.instrumentId, 0n);
  }

  /** Books a fill. Throws for an instrument it does not hold terms of, or a malformed fill. */
  apply(fill: Fill): void {
    const h = this.#holding(fill.instrumentId);
    if (!Number.isInteger(fill.quantity) || fill.quantity <= 0)
      throw new InvalidOptionError('fill quantity', fill.quantity, 'a positive integer');
    if (!Number.isInteger(fill.price))
      throw new InvalidOptionError('fill price', fill.price, 'an integer of raw 1e-9 units');
    if (!(fill.fee >= 0)) throw new InvalidOptionError('fill fee', fill.fee, '>= 0');
    const signed = fill.side === 'buy' ? fill.quantity : -fill.quantity;
    h.book(signed, fill.price);
    h.feesNano += BigInt(Math.round(fill.fee * NANO));
    this.#cash.set(
      fill.instrumentId,
      this.#cash.get(fill.instrumentId)! - BigInt(signed) * BigInt(fill.price),
    );
  }

  /**
   * A cost without a fill (overnight financing), account currency: counted with the fees; a
   * negative amount is a credit.
   */
  charge(instrumentId: number, amount: number): void {
    const h = this.#holding(instrumentId);
    if (!Number.isFinite(amount)) throw new InvalidOptionError('charge', amount, 'a finite amount');
    h.feesNano += BigInt(Math.round(amount * NANO));
  }

  /** Marks an instrument at `price` (raw units), for open P&L and JPY conversion. */
  mark(instrumentId: number, price: number): void {
    this.#holding(instrumentId).mark = price;
  }

  /** Appends a point to the equity curve. */
  sample(tsNs: bigint): EquityPoint {
    const point = { tsNs, equity: this.equity() };
    this.equityCurve.push(point);
    return point;
  }

  /** Signed position (long > 0) by instrument id or symbol. */
  position(instrument: number | string): number {
    return this.#find(instrument)?.position ?? 0;
  }

  /** Average price of the open position (raw units), NaN when flat. */
  averagePrice(instrument: number | string): number {
    const h = this.#find(instrument);
    if (!h || h.position === 0) return Number.NaN;
    let notional = 0;
    for (const lot of h.lots) notional += lot.quantity * lot.price;
    return notional / h.position;
  }

  /** Realized P&L before fees, raw price units × quantity (exact). */
  realizedRaw(instrument: number | string): bigint {
    return this.#find(instrument)?.realizedRaw ?? 0n;
  }

  /** Realized P&L before fees in ticks (pips for spot), summed over the quantity. */
  realizedTicks(instrument: number | string): number {
    const h = this.#find(instrument);
    return h ? Number(h.realizedRaw) / h.terms.tickRaw : 0;
  }

  /** Open P&L at the mark in ticks (pips for spot), summed over the quantity; 0 when flat. */
  unrealizedTicks(instrument: number | string): number {
    const h = this.#find(instrument);
    return h === undefined || h.position === 0 ? 0 : h.unrealizedRaw() / h.terms.tickRaw;
  }

  /** Σ of the fills' cash flows (sells +, buys −), raw units × quantity (exact). */
  cashFlowRaw(instrument: number | string): bigint {
    const h = this.#find(instrument);
    return h ? this.#cash.get(h.terms.instrumentId)! : 0n;
  }

  /** Fees and charges paid, nano-units of the account currency (exact). */
  feesNano(instrument?: number | string): bigint {
    if (instrument !== undefined) return this.#find(instrument)?.feesNano ?? 0n;
    let f = 0n;
    for (const h of this.#holdings.values()) f += h.feesNano;
    return f;
  }

  /** Realized P&L less fees, account currency. */
  realized(): number {
    let r = 0;
    for (const h of this.#holdings.values()) r += h.money(Number(h.realizedRaw)) - Number(h.feesNano) / NANO;
    return r;
  }

  /** Open P&L at the marks, account currency. */
  unrealized(): number {
    let u = 0;
    for (const h of this.#holdings.values()) if (h.position !== 0) u += h.money(h.unrealizedRaw());
    return u;
  }

  /** Open P&L of one instrument at its mark, account currency; 0 when flat. */
  unrealizedOf(instrument: number | string): number {
    const h = this.#find(instrument);
    return h === undefined || h.position === 0 ? 0 : h.money(h.unrealizedRaw());
  }

  /** Realized + unrealized − fees. */
  equity(): number {
    return this.realized() + this.unrealized();
  }

  /** Σ |position| × mark × multiplier over instruments, account currency (gross exposure). */
  exposure(): number {
    let e = 0;
    for (const h of this.#holdings.values()) {
      if (h.position === 0) continue;
      // A JPY-quoted pair's base is USD: its notional in USD needs no price.
      const units = Math.abs(h.position) * h.terms.multiplier;
      e += h.terms.quotedInJpy ? units : units * (h.mark / NANO);
    }
    return e;
  }

  /** The terms of an instrument the portfolio holds, by id or symbol. */
  terms(instrument: number | string): InstrumentTerms | undefined {
    return this.#find(instrument)?.terms;
  }

  /** Every instrument held, by symbol, with its signed position (flat ones included). */
  positions(): { symbol: string; instrumentId: number; quantity: number }[] {
    return [...this.#holdings.values()].map((h) => ({
      symbol: h.terms.symbol,
      instrumentId: h.terms.instrumentId,
      quantity: h.position,
    }));
  }

  /** Σ |position| over instruments. */
  grossPosition(): number {
    let g = 0;
    for (const h of this.#holdings.values()) g += Math.abs(h.position);
    return g;
  }

  #find(instrument: number | string): Holding | undefined {
    return typeof instrument === 'number' ? this.#holdings.get(instrument) : this.#bySymbol.get(instrument);
  }

  #holding(id: number): Holding {
    const h = this.#holdings.get(id);
    if (!h) throw new InvalidOptionError('instrument id', id, 'an instrument the portfolio holds terms of');
    return h;
  }
}
