/**
 * From an approved decision to a bracket: the entry order, and the stop-loss and take-profit that
 * will protect what it fills (one cancels the other). Prices are raw 1e-9 units on the tick grid.
 *
 * - Entry: a market order, or (`entry.type: limit`) a limit at the first of `entry.limitAt` the
 *   decision has (the passive price the market-making analyst proposed, the setup's entry), else
 *   joining the best bid (buy) or offer (sell);
 *   a limit entry expires after `entry.expireMs` (GTT). A limit on the wrong side of the market
 *   (a buy above the ask) would take: it is held at the touch instead.
 * - Stop and target: as distances in ticks when the intent gives them; else the setup's, when they
 *   lie on the right side of the entry; else `stopAtr` and `targetAtr` ATRs from it; never nearer
 *   than `minTicks` ticks. Stops round away from the entry
 *   and targets towards it, so rounding never adds risk or promises more.
 */
import type { ExecutionConfig } from './config.js';
import type { OrderSide, OrderSpec } from './order.js';

/** What an approved decision asks of the execution layer. */
export interface TradeIntent {
  readonly instrumentId: number;
  /** The entry's side. */
  readonly side: OrderSide;
  /** Contracts (lots for spot) to open. */
  readonly quantity: number;
  /** The best setup's prices (raw units), when a technique gave one. */
  readonly setup?: { readonly entry: number; readonly stop: number; readonly target: number } | null;
  /** The market-making analyst's passive price (raw units), when it proposed one. */
  readonly passivePx?: number | null;
  /** ATR of the instrument (raw price units); NaN or absent when not known yet. */
  readonly atrRaw?: number;
  /**
   * Stop and target as distances from the entry, in ticks: used in place of the setup's prices and
   * the ATR multiples (still never nearer than `exits.minTicks`).
   */
  readonly distances?: { readonly stopTicks: number; readonly targetTicks: number } | null;
}

/**
 * What protects and ends the position a bracket's entry opens: the stop and target prices (raw
 * units) and how long it may stay open (ms) before the time stop closes it. Kept with the entry
 * in the state store, so that a restarted session protects the position it left the same way.
 */
export interface BracketExits {
  readonly stopPx: number;
  readonly targetPx: number;
  readonly timeStopMs: number;
}

/** The orders of a bracket, before they get client ids. */
export interface BracketPlan {
  readonly entry: Omit<OrderSpec, 'clientId'>;
  /** The price stops and targets are measured from: the limit, or the touch a market order meets. */
  readonly referencePx: number;
  readonly stopPx: number;
  readonly targetPx: number;
}

/** The bracket for `intent` when the best bid and ask are `bidPx` and `askPx` at `nowNs`. */
export function planBracket(
  intent: TradeIntent,
  market: { readonly bidPx: number; readonly askPx: number; readonly tickRaw: number },
  cfg: ExecutionConfig,
  nowNs: bigint,
): BracketPlan {
  const { bidPx, askPx, tickRaw: tick } = market;
  const buy = intent.side === 'buy';
  const touch = buy ? askPx : bidPx;
  const base = { instrumentId: intent.instrumentId, side: intent.side, quantity: intent.quantity };
  let entry: Omit<OrderSpec, 'clientId'>;
  let ref: number;
  if (cfg.entry.type === 'market') {
    entry = { ...base, type: 'market', tif: 'IOC' };
    ref = touch;
  } else {
    let wanted = buy ? bidPx : askPx;
    for (const source of [...cfg.entry.limitAt].reverse()) {
      const px = source === 'passive' ? intent.passivePx : intent.setup?.entry;
      if (px !== undefined && px !== null && px > 0) wanted = px;
    }
    // Passive prices round away from the market; a price through it is held at the touch.
    let px = buy ? Math.floor(wanted / tick) * tick : Math.ceil(wanted / tick) * tick;
    if (buy ? px >= askPx : px <= bidPx) px = buy ? bidPx : askPx;
    entry = {
      ...base,
      type: 'limit',
      limitPx: px,
      tif: 'GTT',
      expireAtNs: nowNs + BigInt(cfg.entry.expireMs) * 1_000_000n,
    };
    ref = px;
  }
  const dir = buy ? 1 : -1;
  const atr = intent.atrRaw !== undefined && intent.atrRaw > 0 ? intent.atrRaw : 0;
  const minDist = cfg.exits.minTicks * tick;
  const setup = intent.setup ?? null;
  const setupStop = setup !== null && (setup.stop - ref) * dir < 0 ? setup.stop : Number.NaN;
  const setupTarget = setup !== null && (setup.target - ref) * dir > 0 ? setup.target : Number.NaN;
  // Ticks when given, else the setup's price when usable, else ATRs; never nearer than minTicks.
  const distance = (ticks: number | undefined, setupPx: number, atrs: number, away: number) =>
    Math.max(
      ticks !== undefined ? ticks * tick : Number.isNaN(setupPx) ? atrs * atr : (setupPx - ref) * dir * away,
      minDist,
    );
  const stopDist = distance(intent.distances?.stopTicks, setupStop, cfg.exits.stopAtr, -1);
  const targetDist = distance(intent.distances?.targetTicks, setupTarget, cfg.exits.targetAtr, 1);
  // Away from the entry for the stop, towards it (but not nearer than minTicks) for the target.
  const stopPx = ref - dir * Math.ceil(stopDist / tick - 1e-9) * tick;
  const targetPx = ref + dir * Math.max(Math.floor(targetDist / tick + 1e-9), cfg.exits.minTicks) * tick;
  return { entry, referencePx: ref, stopPx, targetPx };
}
