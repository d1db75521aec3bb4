/**
 * Round trips from fills: per instrument, a trade opens when the position leaves zero and closes
 * when it comes back (a fill through zero closes one trade and opens the next, its fee shared
 * pro rata). Its entry and exit prices are the volume-weighted prices of the fills that grew and
 * shrank it; its P&L is the exact first-in-first-out P&L of those fills, in ticks and in USD after
 * its fees; its exit reason is that of the order whose fill closed it, and its decision the one
 * behind its first entry order.
 */
import type { ExitReason, InstrumentTerms, OrderRole, TraderFill } from '../execution/index.js';

export interface RoundTrip {
  readonly instrumentId: number;
  readonly symbol: string;
  readonly side: 'long' | 'short';
  /** Largest |position| during the trade. */
  readonly quantity: number;
  readonly entryNs: bigint;
  readonly exitNs: bigint;
  /** Volume-weighted entry and exit prices, raw units. */
  readonly entryPx: number;
  readonly exitPx: number;
  /** P&L before fees in ticks, summed over the quantity. */
  readonly pnlTicks: number;
  /** P&L after fees, USD. */
  readonly pnl: number;
  readonly fees: number;
  readonly exitReason: ExitReason | 'unknown';
  /** The decision behind the entry (`Decision.id`), '' when none is known. */
  readonly decisionId: string;
}

class Open {
  position = 0;
  maxAbs = 0;
  /** FIFO lots: signed quantity and raw price. */
  readonly lots: { q: number; px: number }[] = [];
  realizedRaw = 0;
  fees = 0;
  inQty = 0;
  inNotional = 0;
  outQty = 0;
  outNotional = 0;

  constructor(
    readonly entryNs: bigint,
    readonly decisionId: string,
  ) {}
}

/** The round trips of `fills` (in time order), with what each order was for from `roles`. */
export function roundTrips(
  fills: readonly TraderFill[],
  roles: ReadonlyMap<string, OrderRole>,
  terms: (instrumentId: number) => InstrumentTerms | undefined,
): RoundTrip[] {
  const open = new Map<number, Open>();
  const out: RoundTrip[] = [];
  for (const f of fills) {
    let left = f.side === 'buy' ? f.quantity : -f.quantity;
    while (left !== 0) {
      let t = open.get(f.instrumentId);
      if (t === undefined) {
        t = new Open(f.tsNs, roles.get(f.clientId)?.decisionId ?? '');
        open.set(f.instrumentId, t);
      }
      // The part of this fill that belongs to the current trade: all of it, unless it goes through zero.
      const closing = t.position !== 0 && Math.sign(left) !== Math.sign(t.position);
      const q = closing ? Math.sign(left) * Math.min(Math.abs(left), Math.abs(t.position)) : left;
      book(t, q, f.price);
      t.fees += (f.fee * Math.abs(q)) / f.quantity;
      left -= q;
      if (t.position === 0) {
        out.push(finish(t, f, roles, terms(f.instrumentId)));
        open.delete(f.instrumentId);
      }
    }
  }
  return out;
}

/** Books `q` (signed) at `px` into the trade: FIFO against opposite lots, the rest as a new lot. */
function book(t: Open, q: number, px: number): void {
  let rest = q;
  while (rest !== 0 && t.lots.length > 0 && Math.sign(t.lots[0].q) !== Math.sign(rest)) {
    const lot = t.lots[0];
    const closed = Math.min(Math.abs(lot.q), Math.abs(rest)) * Math.sign(lot.q);
    t.realizedRaw += (px - lot.px) * closed;
    lot.q -= closed;
    rest += closed;
    if (lot.q === 0) t.lots.shift();
  }
  if (rest !== 0) t.lots.push({ q: rest, px });
  const grows = Math.abs(t.position + q) > Math.abs(t.position);
  if (grows) {
    t.inQty += Math.abs(q);
    t.inNotional += Math.abs(q) * px;
  } else {
    t.outQty += Math.abs(q);
    t.outNotional += Math.abs(q) * px;
  }
  t.position += q;
  t.maxAbs = Math.max(t.maxAbs, Math.abs(t.position));
}

function finish(
  t: Open,
  last: TraderFill,
  roles: ReadonlyMap<string, OrderRole>,
  terms: InstrumentTerms | undefined,
): RoundTrip {
  const entryPx = t.inNotional / t.inQty;
  const exitPx = t.outNotional / t.outQty;
  const tick = terms?.tickRaw ?? 1;
  const multiplier = terms?.multiplier ?? 1;
  let money = (t.realizedRaw / 1e9) * multiplier;
  // A JPY-quoted pair's P&L is in JPY: in USD at the exit price.
  if (terms?.quotedInJpy === true) money /= exitPx / 1e9;
  return {
    instrumentId: last.instrumentId,
    symbol: terms?.symbol ?? String(last.instrumentId),
    // The closing fill sells a long and buys back a short.
    side: last.side === 'sell' ? 'long' : 'short',
    quantity: t.maxAbs,
    entryNs: t.entryNs,
    exitNs: last.tsNs,
    entryPx,
    exitPx,
    pnlTicks: t.realizedRaw / tick,
    pnl: money - t.fees,
    fees: t.fees,
    exitReason: roles.get(last.clientId)?.reason ?? 'unknown',
    decisionId: t.decisionId,
  };
}
