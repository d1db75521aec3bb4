/**
 * Order-book microstructure analyst: a weighted score in [−1, 1] from five components, each in
 * [−1, 1] (positive = buying pressure), averaged over the components that are ready:
 * - OFI (MICROSTRUCTURE.md §1, Cont, Kukanov & Stoikov 2014): tanh(OFI₁₀ₛ / AD), AD the mean size of
 *   a level (both sides' 5-level depth / 10), the depth normalisation the paper's β ∝ 1/depth implies;
 * - queue imbalance (§3, Gould & Bonart 2016): `qi_l5` (else `qi_l1`), at half weight when the
 *   spread is over one tick because the imbalance then predicts less;
 * - microprice vs mid (§4, Stoikov 2018): (microprice − mid) / half-spread, clamped, using the
 *   Stoikov micro-price when fitted, else the weighted mid;
 * - volume delta (§7): tanh(60-s buyer − seller volume / both sides' 5-level depth);
 * - walls and gaps (§6): +½ for a bid wall (support under the price), −½ for an ask wall, +½ for
 *   a gap on the ask side (thin offers, a move up meets little), −½ for a gap on the bid side.
 * Direction when |score| > `threshold`; confidence = |score| × the weight share that was ready,
 * halved on a wide spread (`wide_spread` when spread_ticks > `wideSpreadTicks`, §5); inside the
 * threshold the view is flat with confidence ½ × (1 − |score| / threshold) × that share.
 * A crossed or locked book (spread ≤ 0) or a missing mid is not a readable book: flat, 0; so is a
 * book with fewer than two of OFI, queue imbalance and microprice ready.
 */

import type { AnalystSpec } from './analyst.js';
import {
  clamp,
  type Evidence,
  fairPrice,
  halfSpreadOf,
  normalisedOfi,
  num,
  pick,
  ready,
  signal,
} from './common.js';
import { DEFAULT_AGENTS_CONFIG, type MicrostructureParams } from './config.js';
import type { AgentInput, AgentSignal, RiskFlag } from './types.js';

const FIELDS = [
  'spread_ticks',
  'spread_bps',
  'mid',
  'microprice',
  'microprice_stoikov',
  'qi_l1',
  'qi_l5',
  'ofi_10s',
  'volume_delta',
  'depth_bid_5',
  'depth_ask_5',
  'bid_wall_px',
  'ask_wall_px',
  'bid_gap_px',
  'ask_gap_px',
] as const;

/** The microstructure view of `input` (pure; see the module comment for the rules). */
export function analyzeMicrostructure(
  input: AgentInput,
  params: MicrostructureParams = DEFAULT_AGENTS_CONFIG.microstructure,
): AgentSignal {
  const s = input.snapshot;
  const evidence: Evidence = pick(s, FIELDS);
  const base = { horizonSec: params.horizonSec, evidence };
  if (!ready(s.spread_ticks, s.mid)) {
    return signal('microstructure', {
      direction: 'flat',
      confidence: 0,
      rationale: 'book not ready',
      ...base,
    });
  }
  if (s.spread_ticks <= 0) {
    return signal('microstructure', {
      direction: 'flat',
      confidence: 0,
      rationale: `crossed or locked book (spread ${s.spread_ticks} ticks)`,
      ...base,
    });
  }
  const flags: RiskFlag[] = [];
  const wide = s.spread_ticks > params.wideSpreadTicks;
  if (wide) flags.push('wide_spread');
  const depth = s.depth_bid_5 + s.depth_ask_5;
  const depthReady = ready(depth) && depth > 0;
  const halfSpread = halfSpreadOf(s);
  const mp = fairPrice(s);
  const qi = Number.isFinite(s.qi_l5) ? s.qi_l5 : s.qi_l1;

  const ofi = depthReady && ready(s.ofi_10s) ? normalisedOfi(s, depth) : Number.NaN;
  const queue = ready(qi) ? clamp(qi, -1, 1) : Number.NaN;
  const micro =
    ready(mp, halfSpread) && halfSpread > 0 ? clamp((mp - s.mid) / halfSpread, -1, 1) : Number.NaN;
  const vd = depthReady && ready(s.volume_delta) ? Math.tanh(s.volume_delta / depth) : Number.NaN;
  let book = Number.NaN;
  if (depthReady) {
    book = 0;
    if (Number.isFinite(s.bid_wall_px)) book += 0.5;
    if (Number.isFinite(s.ask_wall_px)) book -= 0.5;
    if (Number.isFinite(s.ask_gap_px)) book += 0.5;
    if (Number.isFinite(s.bid_gap_px)) book -= 0.5;
    book = clamp(book, -1, 1);
  }
  evidence.c_ofi = num(ofi);
  evidence.c_queue = num(queue);
  evidence.c_microprice = num(micro);
  evidence.c_volume_delta = num(vd);
  evidence.c_book = num(book);

  const wQueue = s.spread_ticks > 1 ? params.wQueue / 2 : params.wQueue;
  const parts: [number, number][] = [
    [ofi, params.wOfi],
    [queue, wQueue],
    [micro, params.wMicroprice],
    [vd, params.wVolumeDelta],
    [book, params.wBook],
  ];
  let wSum = 0;
  let wReady = 0;
  let acc = 0;
  for (const [c, w] of parts) {
    wSum += w;
    if (Number.isFinite(c)) {
      wReady += w;
      acc += w * c;
    }
  }
  const core = [ofi, queue, micro].filter(Number.isFinite).length;
  if (core < 2 || wReady === 0) {
    return signal('microstructure', {
      direction: 'flat',
      confidence: 0,
      flags,
      rationale: 'fewer than two of OFI, queue imbalance and microprice ready',
      ...base,
    });
  }
  const score = acc / wReady;
  evidence.score = score;
  let confidence = Math.abs(score) * (wReady / wSum);
  if (wide) confidence /= 2;
  // A balanced book is a mild view that there is no edge: ½ at score 0, falling to 0 at the threshold.
  const flatConfidence =
    (params.threshold > 0 ? 0.5 * (1 - Math.abs(score) / params.threshold) : 0.5) * (wReady / wSum);
  const direction = score > params.threshold ? 'long' : score < -params.threshold ? 'short' : 'flat';
  return signal('microstructure', {
    direction,
    confidence: direction === 'flat' ? flatConfidence : confidence,
    flags,
    rationale: `book score ${score.toFixed(2)}${wide ? ' on a wide spread' : ''}`,
    ...base,
  });
}

/** The order-book microstructure analyst. */
export const MICROSTRUCTURE_ANALYST: AnalystSpec<'microstructure'> = {
  name: 'microstructure',
  configKey: 'microstructure',
  reads: FIELDS,
  analyze: analyzeMicrostructure,
  module: import.meta.url,
  exportName: 'analyzeMicrostructure',
};
