/**
 * Summaries of recorded decisions: counts per trigger, route and outcome, the debate skip rate,
 * vetoes per check, and latency percentiles per tier (nearest-rank on the recorded times).
 */

import { plainJsonValue } from '../core/index.js';
import { isModelFallback } from './fallback.js';
import type { Decision, TierTimes } from './pipeline.js';

export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentile p (0–1] of `values` (sorted copy); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

/** p50, p95, p99 (nearest rank) and the largest of `values`; NaN when empty. */
export function percentiles(values: readonly number[]): Percentiles {
  let max = Number.NaN;
  for (const v of values) if (!(v <= max)) max = v;
  return {
    p50: percentile(values, 0.5),
    p95: percentile(values, 0.95),
    p99: percentile(values, 0.99),
    max,
  };
}

export interface DecisionSummary {
  readonly decisions: number;
  readonly byTrigger: Readonly<Record<string, number>>;
  readonly byRoute: Readonly<Record<string, number>>;
  /** Long / short / not approved. */
  readonly byOutcome: Readonly<Record<string, number>>;
  /** Debates skipped over decisions that were not on the fast path (which never debates). */
  readonly debateSkipRate: number;
  readonly debateEnds: Readonly<Record<string, number>>;
  /** Vetoes per validator. */
  readonly vetoes: Readonly<Record<string, number>>;
  /** Latency per tier and in total, ms. */
  readonly latency: Readonly<Record<keyof TierTimes, Percentiles>>;
  /** Model fallbacks and analysts left out, recorded. */
  readonly fallbacks: number;
  /** Fallbacks by failure kind (timeout, network, malformed …), with the first message of each. */
  readonly fallbackKinds: Readonly<Record<string, { count: number; example: string }>>;
  /** Analysts left out of a vote, by analyst. */
  readonly leftOut: Readonly<Record<string, number>>;
}

function count<T>(items: readonly T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of items) {
    const k = key(x);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

export function summarizeDecisions(ds: readonly Decision[]): DecisionSummary {
  const vetoes: Record<string, number> = {};
  for (const d of ds) for (const v of d.verdicts) if (!v.pass) vetoes[v.check] = (vetoes[v.check] ?? 0) + 1;
  const notFast = ds.filter((d) => d.route !== 'fast');
  const tiers: (keyof TierTimes)[] = ['tier1', 'tier2', 'tier3', 'tier4', 'tier5', 'total'];
  const latency = Object.fromEntries(
    tiers.map((t) => [t, percentiles(ds.map((d) => d.timings[t]))]),
  ) as Record<keyof TierTimes, Percentiles>;
  return {
    decisions: ds.length,
    byTrigger: count(ds, (d) => d.trigger.kind),
    byRoute: count(ds, (d) => d.route),
    byOutcome: count(ds, (d) => (d.approval.approved ? d.approval.direction : 'not approved')),
    debateSkipRate:
      notFast.length > 0 ? notFast.filter((d) => !d.debate.ran).length / notFast.length : Number.NaN,
    debateEnds: count(ds, (d) => d.debate.end),
    vetoes,
    latency,
    fallbacks: ds.reduce((a, d) => a + d.fallbacks.length, 0),
    fallbackKinds: fallbackKinds(ds),
    leftOut: count(
      ds.flatMap((d) => d.outcomes.filter((o) => o.status !== 'ok')),
      (o) => o.agent,
    ),
  };
}

/** Model fallbacks (tiers 3 and 5) grouped by failure kind, with the first message of each. */
function fallbackKinds(ds: readonly Decision[]): Record<string, { count: number; example: string }> {
  const out: Record<string, { count: number; example: string }> = {};
  for (const d of ds) {
    for (const f of d.fallbacks) {
      if (!isModelFallback(f)) continue;
      const e = out[f.kind];
      if (e === undefined) out[f.kind] = { count: 1, example: f.message };
      else e.count++;
    }
  }
  return out;
}

/** A decision as one JSON line (bigints as strings, NaN as null). */
export function decisionJson(d: Decision): string {
  return JSON.stringify(d, (k, raw) => {
    const v = plainJsonValue(k, raw);
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      return withIsoTimes(v as Record<string, unknown>);
    return v;
  });
}

/** Epoch milliseconds from 2001 on: what a `…Ms` field holds when it is a time, not a duration. */
const EPOCH_MS_FROM = 1e12;

/** Whether field `k` holds a time in epoch ms (`tMs`, `createdMs`), not a duration. */
function isEpochMs(k: string, v: unknown): v is number {
  return k.endsWith('Ms') && typeof v === 'number' && v >= EPOCH_MS_FROM;
}

/**
 * `o` with an ISO-8601 time beside each time in epoch ms (`tMs` → `ts`, `createdMs` → `createdTs`),
 * so a person reading an audit record need not convert them; durations (`totalMs: 0.3`) stay alone.
 */
function withIsoTimes(o: Record<string, unknown>): Record<string, unknown> {
  if (!Object.entries(o).some(([k, v]) => isEpochMs(k, v))) return o;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] = v;
    if (isEpochMs(k, v)) out[k === 'tMs' ? 'ts' : `${k.slice(0, -2)}Ts`] = new Date(v).toISOString();
  }
  return out;
}
