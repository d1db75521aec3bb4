/** Helpers shared by the analysts: evidence values, clamping, and the validated answer. */
import type { FeatureSnapshot } from '../features/index.js';
import { type AgentName, type AgentSignal, type Direction, ownSignal, type RiskFlag } from './types.js';

/** Evidence values: numbers, strings, booleans, or null (JSON has no NaN). */
export type Evidence = Record<string, number | string | boolean | null>;

/** A number as evidence: NaN and ±Infinity become null. */
export function num(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** The named snapshot fields as evidence (NaN → null). */
export function pick(s: FeatureSnapshot, keys: readonly (keyof FeatureSnapshot)[]): Evidence {
  const out: Evidence = {};
  for (const k of keys) {
    const v = s[k];
    out[k] = typeof v === 'number' ? num(v) : typeof v === 'bigint' ? String(v) : (v as string);
  }
  return out;
}

/** `x` limited to [lo, hi]; NaN → lo. */
export function clamp(x: number, lo = 0, hi = 1): number {
  if (!(x > lo)) return lo;
  return Math.min(x, hi);
}

/** Every value is a finite number. */
export function ready(...xs: number[]): boolean {
  for (const x of xs) if (!Number.isFinite(x)) return false;
  return true;
}

/** The fair price: the Stoikov micro-price when fitted, else the weighted mid (`microprice`). */
export function fairPrice(s: FeatureSnapshot): number {
  return Number.isFinite(s.microprice_stoikov) ? s.microprice_stoikov : s.microprice;
}

/** Half the quoted spread in price units: spread_bps × mid / 2·10⁴. */
export function halfSpreadOf(s: FeatureSnapshot): number {
  return (s.spread_bps * s.mid) / 2e4;
}

/** OFI over 10 s in units of the mean level size (both sides' 5-level `depth` / 10), through tanh. */
export function normalisedOfi(s: FeatureSnapshot, depth: number): number {
  return Math.tanh(s.ofi_10s / (depth / 10));
}

/**
 * The fields of a signal an analyst decides. Analysts spread the parts their answers share last
 * (`{ direction, confidence, rationale, ...base }`): on Node 20 every property a literal defines
 * after a spread costs about a microsecond, several times the whole analysis.
 */
export interface SignalParts {
  direction: Direction;
  confidence: number;
  horizonSec: number;
  evidence: Evidence;
  flags?: readonly RiskFlag[];
  sizeScale?: number;
  rationale: string;
  passivePrice?: number | null;
}

/**
 * The analyst's answer, validated with `AgentSignalSchema` and frozen (a bug that produces an
 * out-of-range value fails here, in the analyst, rather than in the vote). Flags are de-duplicated, in order.
 */
export function signal(agent: AgentName, p: SignalParts): AgentSignal {
  return ownSignal({
    agent,
    direction: p.direction,
    confidence: clamp(p.confidence),
    horizonSec: p.horizonSec,
    evidence: p.evidence,
    flags: p.flags === undefined || p.flags.length === 0 ? [] : [...new Set(p.flags)],
    sizeScale: p.sizeScale ?? 1,
    rationale: p.rationale,
    passivePrice: p.passivePrice ?? null,
  });
}

/** Throws the signal's reason when it is aborted (for analysts with loops worth interrupting). */
export function checkAbort(sig: AbortSignal | undefined): void {
  if (sig?.aborted) throw sig.reason;
}
