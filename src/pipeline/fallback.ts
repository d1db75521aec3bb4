/**
 * Fallbacks: the steps of a decision that did not get the answer they asked for and went on
 * without it — an analyst left out of the vote (tier 1), a model's debate turn or judgement
 * (tier 3) or approval (tier 5) replaced by the quant step. Recorded as data in the audit record,
 * so reports count them by field rather than by parsing text.
 */
import type { AgentOutcome, AgentStatus } from '../agents/index.js';
import type { LlmFailure, LlmFailureKind } from '../llm/index.js';

/** Why a step fell back: an analyst's status, or the model call's failure kind. */
export type FallbackKind = Exclude<AgentStatus, 'ok'> | LlmFailureKind;

/** One step that fell back. */
export interface Fallback {
  /** The tier it happened in: analysts in tier 1, the debate in tier 3, the model's approval in tier 5. */
  readonly tier: 'tier1' | 'tier3' | 'tier5';
  readonly kind: FallbackKind;
  /** What failed, without secrets (the analyst's error, the provider's message). */
  readonly message: string;
  /** Which step: the analyst's name, `round 2 bull`, `judge round 2`, `approval`. */
  readonly step: string;
}

/** The fallback of an analyst left out of the vote (null when it answered). */
export function analystFallback(o: AgentOutcome): Fallback | null {
  if (o.status === 'ok') return null;
  return { tier: 'tier1', kind: o.status, message: o.error ?? o.status, step: o.agent };
}

/** The fallback of a model step whose call failed. */
export function modelFallback(tier: 'tier3' | 'tier5', step: string, failure: LlmFailure): Fallback {
  return { tier, kind: failure.kind, message: failure.message, step };
}

/** The fallbacks of model steps (tiers 3 and 5), not analysts left out. */
export function isModelFallback(f: Fallback): boolean {
  return f.tier !== 'tier1';
}
