/**
 * Filling a `TechniqueContext` from the feature engine: a `FeatureSnapshot` supplies the indicators,
 * VWAP, flow and book values; a `SweepInfo` alert becomes the context's last sweep.
 */

import { BookSide } from '../../book/index.js';
import type { FeatureSnapshot, SweepInfo } from '../../features/index.js';
import type { TechniqueContext } from './types.js';

/** Copies the snapshot's values into `ctx` (NaN where the snapshot has none yet). */
export function fillContext(ctx: TechniqueContext, s: FeatureSnapshot): TechniqueContext {
  ctx.ema3 = s.ema_3;
  ctx.ema6 = s.ema_6;
  ctx.ema12 = s.ema_12;
  ctx.rsi7 = s.rsi_7;
  ctx.adx7 = s.adx_7;
  ctx.plusDi7 = s.plus_di_7;
  ctx.minusDi7 = s.minus_di_7;
  ctx.atr = s.atr_7;
  ctx.vwap = s.vwap;
  ctx.vwapSd = s.vwap_sd;
  ctx.ofi10s = s.ofi_10s;
  ctx.volumeDelta = s.volume_delta;
  // The depth ratio the sweep rule reads is taken over the best 5 levels of each side.
  ctx.bestBidSize = s.depth_bid_5 > 0 ? s.depth_bid_5 : Number.NaN;
  ctx.bestAskSize = s.depth_ask_5 > 0 ? s.depth_ask_5 : Number.NaN;
  ctx.bidWallPx = s.bid_wall_px;
  ctx.askWallPx = s.ask_wall_px;
  return ctx;
}

/** Records a sweep alert (decimal prices from raw 1e-9 units) as the context's last sweep. */
export function noteSweep(ctx: TechniqueContext, info: SweepInfo, tMs: number): void {
  ctx.sweep = {
    side: info.side === BookSide.BID ? 'buy' : 'sell',
    levels: info.levels,
    size: info.qty,
    tMs,
    price: info.lastPx * 1e-9,
  };
}
