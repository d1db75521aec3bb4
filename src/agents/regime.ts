/**
 * Volatility-regime analyst: reads the online HMM/GMM filter's state (MICROSTRUCTURE.md §14,
 * `RegimeFilter`) and sets the stance and size scaling later tiers apply. Its view is flat (a
 * volatility state has no direction); confidence is the state's filtered probability.
 *
 * Size scale = `stateScale[state]` (default low 1, medium 1, high 0.5: turbulent markets jump and
 * widen, so the same risk needs a smaller size; `stand_aside` stance → 0), then
 * × `lowProbabilityScale` when the state's probability is below `minProbability` (the filter is
 * unsure which regime holds), × `transitionScale` when the state changed within
 * `recentTransitionMs` (a fresh switch is often reversed, and the stance it implies is untested) —
 * that case also raises `regime_change`. The stance goes into the evidence (`stance`).
 * No regime yet (null, or a NaN probability): flat, 0, size `unknownScale`.
 */

import type { AnalystSpec } from './analyst.js';
import { type Evidence, num, signal } from './common.js';
import { DEFAULT_AGENTS_CONFIG, type RegimeParams } from './config.js';
import type { AgentInput, AgentSignal, RiskFlag } from './types.js';

/** The regime view of `input` (pure; see the module comment for the rules). */
export function analyzeRegime(
  input: AgentInput,
  params: RegimeParams = DEFAULT_AGENTS_CONFIG.regime,
): AgentSignal {
  const r = input.regime;
  const base = { horizonSec: params.horizonSec, direction: 'flat' as const };
  if (r === null || !Number.isFinite(r.probability)) {
    return signal('regime', {
      evidence: { state: r?.state ?? null, probability: r ? num(r.probability) : null },
      confidence: 0,
      sizeScale: params.unknownScale,
      rationale: 'regime not ready',
      ...base,
    });
  }
  const sinceMs = input.nowMs - r.lastTransitionMs;
  const evidence: Evidence = {
    state: r.state,
    probability: r.probability,
    stance: r.stance,
    ms_since_transition: num(sinceMs),
  };
  r.probabilities.forEach((p, i) => {
    evidence[`p_${i}`] = num(p);
  });
  const flags: RiskFlag[] = [];
  const notes: string[] = [];
  let size = params.stateScale[r.state] ?? params.unknownScale;
  if (r.stance === 'stand_aside') {
    size = 0;
    notes.push('stance stand_aside');
  }
  if (r.probability < params.minProbability) {
    size *= params.lowProbabilityScale;
    notes.push(`probability ${r.probability.toFixed(2)} < ${params.minProbability}`);
  }
  // NaN (no transition yet) compares false: no discount.
  if (sinceMs >= 0 && sinceMs < params.recentTransitionMs) {
    size *= params.transitionScale;
    flags.push('regime_change');
    notes.push(`changed ${Math.round(sinceMs / 1000)} s ago`);
  }
  evidence.size_scale = size;
  return signal('regime', {
    evidence,
    confidence: r.probability,
    flags,
    sizeScale: Math.min(2, Math.max(0, size)),
    rationale: `${r.state} volatility, stance ${r.stance}, size × ${size}${notes.length ? ` (${notes.join('; ')})` : ''}`,
    ...base,
  });
}

/** The volatility-regime analyst: it reads the regime state, no snapshot field. */
export const REGIME_ANALYST: AnalystSpec<'regime'> = {
  name: 'regime',
  configKey: 'regime',
  reads: [],
  analyze: analyzeRegime,
  module: import.meta.url,
  exportName: 'analyzeRegime',
};
