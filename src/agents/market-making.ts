/**
 * Market-making and spread-capture analyst: proposes a passive entry (join the best bid or offer)
 * when the book is in a making phase, and otherwise stays flat.
 *
 * Conditions for a passive entry, all required:
 * - tight and stable spread: spread_ticks ≤ `maxSpreadTicks` (the large-tick regime, where 6E/6J
 *   spend liquid hours: MICROSTRUCTURE.md §16 "Spread") and cancel-to-add ≤ `maxCancelAdd` (quotes
 *   not being pulled, §8);
 * - balanced flow, no taking phase: |tanh(OFI₁₀ₛ / AD)| ≤ `maxOfi` (§1) and |volume delta| ≤
 *   `maxTakeShare` × both sides' 5-level depth (§7);
 * - no adverse selection: VPIN CDF < `maxVpinCdf` (§11; NaN is accepted: not yet known);
 * - a side: m = (microprice − mid) / half-spread (§4). m ≥ `minMicroEdge` → long, join the bid
 *   (the fair price leans to the ask, so a filled bid is expected to gain); m ≤ −`minMicroEdge` →
 *   short, join the offer; in between → flat.
 * `passivePrice` is the joined quote (mid ∓ half-spread, rounded to 1e-9). Confidence =
 * ½ + ½·|m|, × (1 − VPIN CDF) when known. `wide_spread` when spread_ticks > `wideSpreadTicks`.
 * Not ready (spread, mid, microprice, OFI or depth NaN), crossed or locked: flat, 0.
 */

import type { AnalystSpec } from './analyst.js';
import { type Evidence, fairPrice, halfSpreadOf, normalisedOfi, num, pick, ready, signal } from './common.js';
import { DEFAULT_AGENTS_CONFIG, type MarketMakingParams } from './config.js';
import type { AgentInput, AgentSignal, RiskFlag } from './types.js';

const FIELDS = [
  'spread_ticks',
  'spread_bps',
  'mid',
  'microprice',
  'microprice_stoikov',
  'ofi_10s',
  'volume_delta',
  'depth_bid_5',
  'depth_ask_5',
  'cancel_add_ratio',
  'vpin_cdf',
  'trade_rate',
] as const;

/** The market-making view of `input` (pure; see the module comment for the rules). */
export function analyzeMarketMaking(
  input: AgentInput,
  params: MarketMakingParams = DEFAULT_AGENTS_CONFIG.marketMaking,
): AgentSignal {
  const s = input.snapshot;
  const evidence: Evidence = pick(s, FIELDS);
  const base = { horizonSec: params.horizonSec, evidence };
  const flat = (confidence: number, rationale: string, flags: RiskFlag[] = []) =>
    signal('market_making', { direction: 'flat', confidence, flags, rationale, ...base });
  const mp = fairPrice(s);
  const depth = s.depth_bid_5 + s.depth_ask_5;
  if (!ready(s.spread_ticks, s.spread_bps, s.mid, mp, s.ofi_10s, depth)) return flat(0, 'book not ready');
  if (s.spread_ticks <= 0) return flat(0, `crossed or locked book (spread ${s.spread_ticks} ticks)`);
  const flags: RiskFlag[] = s.spread_ticks > params.wideSpreadTicks ? ['wide_spread'] : [];
  const halfSpread = halfSpreadOf(s);
  const ofi = depth > 0 ? normalisedOfi(s, depth) : 0;
  const take = depth > 0 && Number.isFinite(s.volume_delta) ? Math.abs(s.volume_delta) / depth : 0;
  const m = halfSpread > 0 ? Math.max(-1, Math.min(1, (mp - s.mid) / halfSpread)) : 0;
  evidence.ofi_norm = num(ofi);
  evidence.take_share = num(take);
  evidence.micro_edge = num(m);
  if (s.spread_ticks > params.maxSpreadTicks) {
    return flat(0.5, `spread ${s.spread_ticks} ticks > ${params.maxSpreadTicks}`, flags);
  }
  if (s.cancel_add_ratio > params.maxCancelAdd) {
    return flat(0.5, `quotes unstable (cancel-to-add ${s.cancel_add_ratio.toFixed(2)})`, flags);
  }
  if (Math.abs(ofi) > params.maxOfi || take > params.maxTakeShare) {
    return flat(0.5, 'one-sided flow: a taking phase', flags);
  }
  if (s.vpin_cdf >= params.maxVpinCdf)
    return flat(0.5, `toxic flow (VPIN CDF ${s.vpin_cdf.toFixed(2)})`, flags);
  if (Math.abs(m) < params.minMicroEdge) return flat(0.25, 'microprice at mid: no side to join', flags);
  const long = m > 0;
  const passivePrice = Math.round((long ? s.mid - halfSpread : s.mid + halfSpread) * 1e9) / 1e9;
  let confidence = 0.5 + 0.5 * Math.abs(m);
  if (Number.isFinite(s.vpin_cdf)) confidence *= 1 - s.vpin_cdf;
  return signal('market_making', {
    direction: long ? 'long' : 'short',
    confidence,
    flags,
    passivePrice,
    rationale: `tight balanced book, microprice ${long ? 'above' : 'below'} mid: join the ${long ? 'bid' : 'offer'} at ${passivePrice}`,
    ...base,
  });
}

/** The market-making and spread-capture analyst. */
export const MARKET_MAKING_ANALYST: AnalystSpec<'marketMaking'> = {
  name: 'market_making',
  configKey: 'marketMaking',
  reads: FIELDS,
  analyze: analyzeMarketMaking,
  module: import.meta.url,
  exportName: 'analyzeMarketMaking',
};
