/**
 * Technical analyst: the ten techniques' setups (ORB, SFP, pivots, big figures, liquidity sweeps,
 * VWAP, EMA momentum, Asian breakout, prior levels, fair-value gaps), combined by side.
 *
 * Rules:
 * - a setup counts when it is valid at the decision (createdMs ≤ now ≤ validUntilMs) and its
 *   confidence is at least `minSetupConfidence`;
 * - each side's score is the noisy-or of its setups' confidences, 1 − Π(1 − cᵢ): independent
 *   techniques agreeing raise the score, one strong setup is not diluted by weak ones;
 * - direction: the side whose score beats the other's by more than `minEdge`, with confidence the
 *   difference of the scores; otherwise flat (no setups: confidence 0; conflicting: the larger score);
 * - the best setup of the winning side (highest confidence, then earliest technique in
 *   `TECHNIQUE_NAMES` order) gives its entry, stop, target and reward-to-risk as evidence, with the
 *   levels it used (its numeric evidence, prefixed by the technique).
 */

import type { Setup } from '../strategy/index.js';
import { TECHNIQUE_NAMES } from '../strategy/index.js';
import type { AnalystSpec } from './analyst.js';
import { type Evidence, num, signal } from './common.js';
import { DEFAULT_AGENTS_CONFIG, type TechnicalParams } from './config.js';
import type { AgentInput, AgentSignal } from './types.js';

function better(a: Setup, b: Setup): boolean {
  if (a.confidence !== b.confidence) return a.confidence > b.confidence;
  return TECHNIQUE_NAMES.indexOf(a.technique) < TECHNIQUE_NAMES.indexOf(b.technique);
}

/** The technical view of `input` (pure; see the module comment for the rules). */
export function analyzeTechnical(
  input: AgentInput,
  params: TechnicalParams = DEFAULT_AGENTS_CONFIG.technical,
): AgentSignal {
  let keepLong = 1;
  let keepShort = 1;
  let nLong = 0;
  let nShort = 0;
  let bestLong: Setup | null = null;
  let bestShort: Setup | null = null;
  const evidence: Evidence = {};
  for (const st of input.setups) {
    if (st.createdMs > input.nowMs || st.validUntilMs < input.nowMs) continue;
    if (!(st.confidence >= params.minSetupConfidence)) continue;
    const key = `${st.technique}_${st.side}`;
    const prev = evidence[key];
    if (typeof prev !== 'number' || st.confidence > prev) evidence[key] = st.confidence;
    if (st.side === 'long') {
      keepLong *= 1 - st.confidence;
      nLong += 1;
      if (bestLong === null || better(st, bestLong)) bestLong = st;
    } else {
      keepShort *= 1 - st.confidence;
      nShort += 1;
      if (bestShort === null || better(st, bestShort)) bestShort = st;
    }
  }
  const longScore = 1 - keepLong;
  const shortScore = 1 - keepShort;
  evidence.setups_long = nLong;
  evidence.setups_short = nShort;
  evidence.long_score = longScore;
  evidence.short_score = shortScore;
  const base = { horizonSec: params.horizonSec, evidence };
  if (nLong + nShort === 0) {
    return signal('technical', { direction: 'flat', confidence: 0, rationale: 'no valid setups', ...base });
  }
  const edge = longScore - shortScore;
  if (Math.abs(edge) <= params.minEdge) {
    return signal('technical', {
      direction: 'flat',
      confidence: Math.max(longScore, shortScore),
      rationale: `long and short setups balance (${longScore.toFixed(2)} vs ${shortScore.toFixed(2)})`,
      ...base,
    });
  }
  const best = (edge > 0 ? bestLong : bestShort) as Setup;
  const risk = Math.abs(best.entry - best.stop);
  evidence.best_technique = best.technique;
  evidence.best_entry = num(best.entry);
  evidence.best_stop = num(best.stop);
  evidence.best_target = num(best.target);
  evidence.best_reward_risk = risk > 0 ? num(Math.abs(best.target - best.entry) / risk) : null;
  for (const [k, v] of Object.entries(best.evidence)) {
    if (typeof v === 'number') evidence[`${best.technique}.${k}`] = num(v);
  }
  return signal('technical', {
    direction: edge > 0 ? 'long' : 'short',
    confidence: Math.abs(edge),
    rationale: `${edge > 0 ? nLong : nShort} ${edge > 0 ? 'long' : 'short'} setup(s), best ${best.technique}`,
    ...base,
  });
}

/** The technical analyst: it reads the setups, no snapshot field. */
export const TECHNICAL_ANALYST: AnalystSpec<'technical'> = {
  name: 'technical',
  configKey: 'technical',
  reads: [],
  analyze: analyzeTechnical,
  module: import.meta.url,
  exportName: 'analyzeTechnical',
};
