/**
 * What analysts read and what they return (issue 7, tier 1). An analyst gets a frozen
 * `FeatureSnapshot`, the setups the techniques found and the regime state, and returns a typed,
 * schema-validated `AgentSignal`.
 */

import * as z from 'zod/mini';
import { POSITIVE_INT, UNIT } from '../core/schema/index.js';
import type { FeatureSnapshot } from '../features/index.js';
import type { Setup, Stance, SweepAlert } from '../strategy/index.js';
import { AGENT_NAMES, type AgentName } from './names.js';

export { AGENT_NAMES, type AgentName } from './names.js';

export const DIRECTIONS = ['long', 'short', 'flat'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Risk flags an analyst can raise. */
export const RISK_FLAGS = [
  'toxicity',
  'sweep',
  'wide_spread',
  'session_closed',
  'stale_data',
  'risk_off',
  'no_trade_window',
  'regime_change',
] as const;
export type RiskFlag = (typeof RISK_FLAGS)[number];

/** The signal schema: every analyst's answer is validated against it (a model's answer too). */
export const AgentSignalSchema = z.object({
  agent: z.enum(AGENT_NAMES),
  direction: z.enum(DIRECTIONS),
  /** 0–1. */
  confidence: UNIT,
  /** Horizon in seconds the view is meant for. */
  horizonSec: POSITIVE_INT,
  /** The named feature values and setups used. */
  evidence: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  flags: z.array(z.enum(RISK_FLAGS)),
  /** Size multiplier the analyst suggests (regime: scaling by volatility), 0–2; 1 = neutral. */
  sizeScale: z._default(z.number().check(z.gte(0), z.lte(2)), 1),
  /** One sentence, for the audit trail. */
  rationale: z.string(),
  /** Market making: a passive entry price (decimal) when conditions suit. */
  passivePrice: z._default(z.nullable(z.number()), null),
});
export type AgentSignal = z.infer<typeof AgentSignalSchema>;

/** Signals already validated against `AgentSignalSchema` and frozen whole, so never changed since. */
const VALIDATED = new WeakSet<object>();

/**
 * `v` validated against `AgentSignalSchema` (throws the schema's error when it is not one) and
 * frozen, with everything it holds.
 */
export function validSignal(v: unknown): AgentSignal {
  // The schema's own parse where the quick check fails: its problems name the path.
  const s = quickSignal(v) ?? AgentSignalSchema.parse(v);
  Object.freeze(s.evidence);
  Object.freeze(s.flags);
  VALIDATED.add(Object.freeze(s));
  return s;
}

const AGENT_SET: ReadonlySet<unknown> = new Set(AGENT_NAMES);
const DIRECTION_SET: ReadonlySet<unknown> = new Set(DIRECTIONS);
const FLAG_SET: ReadonlySet<unknown> = new Set(RISK_FLAGS);
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * A signal `signal` (common.ts) built: the schema's keys in its order, with its own evidence and
 * flags. Checked in place rather than copied (seven a decision) and frozen; anything the quick
 * check refuses goes to `validSignal`, whose schema names the problem.
 */
export function ownSignal(s: AgentSignal): AgentSignal {
  // Defaults are the schema's to fill in (a copy): only a signal with every field is taken as it is.
  const whole = s.sizeScale !== undefined && s.passivePrice !== undefined;
  if (!whole || !acceptable(s as unknown as Record<string, unknown>)) return validSignal(s);
  Object.freeze(s.evidence);
  Object.freeze(s.flags);
  VALIDATED.add(Object.freeze(s));
  return s;
}

/** Whether the schema accepts the values of `o` (its unknown keys and key order aside). */
function acceptable(o: Record<string, unknown>): boolean {
  const { confidence: c, horizonSec: h, sizeScale: k, passivePrice: pp, evidence: e, flags: f } = o;
  if (!AGENT_SET.has(o.agent) || !DIRECTION_SET.has(o.direction) || typeof o.rationale !== 'string')
    return false;
  if (!finite(c) || c < 0 || c > 1 || !Number.isSafeInteger(h) || (h as number) <= 0) return false;
  if (k !== undefined && (!finite(k) || k < 0 || k > 2)) return false;
  if (pp !== undefined && pp !== null && !finite(pp)) return false;
  if (!Array.isArray(f) || !f.every((x) => FLAG_SET.has(x))) return false;
  if (
    typeof e !== 'object' ||
    e === null ||
    Array.isArray(e) ||
    Object.getPrototypeOf(e) !== Object.prototype
  )
    return false;
  for (const key of Object.keys(e)) {
    if (key === '__proto__') return false;
    const x = (e as Record<string, unknown>)[key];
    if (!(x === null || typeof x === 'string' || typeof x === 'boolean' || finite(x))) return false;
  }
  return true;
}

/**
 * `AgentSignalSchema.parse(v)` for a value the schema accepts, checked by hand (the schema's parse
 * was most of the analysts' cost); undefined for anything else, which the schema then parses to
 * its error. Same output: the schema's keys in its order, unknown keys dropped, defaults applied,
 * evidence and flags copied.
 */
function quickSignal(v: unknown): AgentSignal | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (!acceptable(o)) return undefined;
  const e = o.evidence as Record<string, number | string | boolean | null>;
  const evidence: Record<string, number | string | boolean | null> = {};
  for (const key of Object.keys(e)) evidence[key] = e[key];
  return {
    agent: o.agent as AgentName,
    direction: o.direction as Direction,
    confidence: o.confidence as number,
    horizonSec: o.horizonSec as number,
    evidence,
    flags: [...(o.flags as RiskFlag[])],
    sizeScale: (o.sizeScale as number | undefined) ?? 1,
    rationale: o.rationale as string,
    passivePrice: (o.passivePrice as number | null | undefined) ?? null,
  };
}

export function isValidatedSignal(v: unknown): v is AgentSignal {
  return typeof v === 'object' && v !== null && VALIDATED.has(v);
}

/** The regime state analysts read (from `RegimeFilter`). */
export interface RegimeState {
  /** State name: low, medium, high. */
  readonly state: string;
  /** Probability of that state. */
  readonly probability: number;
  /** Probabilities of all states, lowest volatility first. */
  readonly probabilities: readonly number[];
  readonly stance: Stance;
  /** Time of the last change of state, ms (NaN when none yet). */
  readonly lastTransitionMs: number;
}

/** What every analyst reads: one frozen view of the market at the decision's time. */
export interface AgentInput {
  readonly snapshot: FeatureSnapshot;
  /** Setups valid at the snapshot's time (for this instrument). */
  readonly setups: readonly Setup[];
  readonly regime: RegimeState | null;
  /** The decision's time, ms (the snapshot's time in a backtest). */
  readonly nowMs: number;
  /** Time of the newest market event the snapshot reflects, ms (for stale-data checks). */
  readonly lastEventMs: number;
  /**
   * Sweep alerts of the recent past, oldest first (the snapshot's `sweep_alerts` is a running count,
   * so how many fell in the last minute needs their times). Optional: absent = unknown.
   */
  readonly recentSweeps?: readonly SweepAlert[];
  /**
   * Closes of the recent 1-minute bars, oldest first (the momentum analyst's bootstrap reads their
   * returns). Optional: absent = not available.
   */
  readonly closes?: readonly number[];
}

/** An analyst. `analyze` must stop work and reject when `signal` aborts. */
export interface Agent {
  readonly name: AgentName;
  /** Time budget, ms (enforced by the runner on its clock). */
  readonly budgetMs: number;
  analyze(input: AgentInput, signal: AbortSignal): AgentSignal | Promise<AgentSignal>;
}
