/**
 * Flow toxicity and sweep-risk analyst. Its view is always flat (toxic flow says liquidity
 * providers are being picked off, not which way the next move goes); its confidence is how strongly
 * it advises standing aside, and its flags are what later tiers must obey:
 * - `toxicity`: VPIN CDF ≥ `vpinCdfToxic` (MICROSTRUCTURE.md §11, Easley, López de Prado & O'Hara
 *   2012: the CDF of VPIN against its own history) or a cancel-to-add ratio ≥ `cancelAddBurst`
 *   (§8: cancels outrunning adds, liquidity being pulled);
 * - `sweep`: at least one sweep alert (§9: an aggressor taking ≥ 3 levels or ≥ 2× L1 depth) within
 *   `sweepWindowMs` before the decision;
 * - `risk_off`: VPIN CDF ≥ `vpinCdfRiskOff` (§11: "flag ≥ 0.9"), or ≥ `sweepRiskOffCount` sweeps in
 *   the window, or a cancel-to-add ratio ≥ `cancelAddRiskOff`. Later tiers must not open risk
 *   while it stands.
 * Confidence = the largest of the VPIN CDF, sweeps / `sweepRiskOffCount` and
 * cancel-to-add / `cancelAddRiskOff` (each capped at 1). With neither VPIN CDF nor cancel-to-add
 * ready and no sweep history: flat, 0.
 */

import type { AnalystSpec } from './analyst.js';
import { clamp, type Evidence, pick, signal } from './common.js';
import { DEFAULT_AGENTS_CONFIG, type ToxicityParams } from './config.js';
import type { AgentInput, AgentSignal, RiskFlag } from './types.js';

const FIELDS = ['vpin', 'vpin_cdf', 'cancel_add_ratio', 'sweep_alerts'] as const;

/** The toxicity view of `input` (pure; see the module comment for the rules). */
export function analyzeToxicity(
  input: AgentInput,
  params: ToxicityParams = DEFAULT_AGENTS_CONFIG.toxicity,
): AgentSignal {
  const s = input.snapshot;
  const evidence: Evidence = pick(s, FIELDS);
  const base = { horizonSec: params.horizonSec, evidence, direction: 'flat' as const };
  let sweeps = Number.NaN;
  if (input.recentSweeps !== undefined) {
    const from = input.nowMs - params.sweepWindowMs;
    sweeps = 0;
    for (const sw of input.recentSweeps) if (sw.tMs > from && sw.tMs <= input.nowMs) sweeps += 1;
    evidence.sweeps_in_window = sweeps;
  } else {
    evidence.sweeps_in_window = null;
  }
  const cdf = s.vpin_cdf;
  const car = s.cancel_add_ratio;
  if (!Number.isFinite(cdf) && !Number.isFinite(car) && !Number.isFinite(sweeps)) {
    return signal('toxicity', {
      confidence: 0,
      rationale: 'VPIN, cancel-to-add and sweeps not ready',
      ...base,
    });
  }
  const flags: RiskFlag[] = [];
  const reasons: string[] = [];
  if (cdf >= params.vpinCdfToxic) flags.push('toxicity');
  if (car >= params.cancelAddBurst) flags.push('toxicity');
  if (sweeps >= 1) flags.push('sweep');
  if (cdf >= params.vpinCdfRiskOff) reasons.push(`VPIN CDF ${cdf.toFixed(2)} ≥ ${params.vpinCdfRiskOff}`);
  if (sweeps >= params.sweepRiskOffCount) reasons.push(`${sweeps} sweeps in ${params.sweepWindowMs} ms`);
  if (car >= params.cancelAddRiskOff)
    reasons.push(`cancel-to-add ${car.toFixed(2)} ≥ ${params.cancelAddRiskOff}`);
  if (reasons.length > 0) flags.push('risk_off');
  const confidence = Math.max(
    clamp(cdf),
    clamp(sweeps / params.sweepRiskOffCount),
    clamp(car / params.cancelAddRiskOff),
  );
  return signal('toxicity', {
    confidence,
    flags,
    rationale:
      reasons.length > 0
        ? `risk off: ${reasons.join(', ')}`
        : flags.length > 0
          ? `elevated: ${[...new Set(flags)].join(', ')}`
          : 'flow not toxic',
    ...base,
  });
}

/** The flow toxicity and sweep-risk analyst. */
export const TOXICITY_ANALYST: AnalystSpec<'toxicity'> = {
  name: 'toxicity',
  configKey: 'toxicity',
  reads: FIELDS,
  analyze: analyzeToxicity,
  module: import.meta.url,
  exportName: 'analyzeToxicity',
};
