/** Test helpers: hand-built snapshots and inputs, and functions for worker-thread tests. */

import type { AgentInput, AgentName, AgentSignal, Direction } from '../src/agents/types.js';
import { fxSession, openCentres } from '../src/core/index.js';
import { FEATURE_COLUMNS, type FeatureColumn, type FeatureSnapshot } from '../src/features/index.js';

/** 2025-01-15 (a Wednesday) 15:00 UTC = 10:00 New York, 09:00 Chicago: London–New York overlap. */
export const WED_OVERLAP_MS = Date.UTC(2025, 0, 15, 15, 0);

/** Snapshot fields a test sets (the rest are NaN: not ready). */
export type SnapshotFields = Partial<Record<FeatureColumn, number>> & {
  session?: FeatureSnapshot['session'];
};

/** The fields of a snapshot that are not feature columns. */
export type SnapshotHeader = Pick<FeatureSnapshot, 'ts_ns' | 'ts' | 'symbol' | 'instrument_id' | 'session'>;

/**
 * A `FeatureSnapshot` (not frozen) with the fields of `header` in their order, then every column
 * NaN, then `fields` assigned over them.
 */
export function nanSnapshot(
  header: SnapshotHeader,
  fields: Readonly<Record<string, unknown>> = {},
): FeatureSnapshot {
  const s: Record<string, unknown> = { ...header };
  for (const c of FEATURE_COLUMNS) s[c] = Number.NaN;
  Object.assign(s, fields);
  return s as FeatureSnapshot;
}

/**
 * A frozen `FeatureSnapshot` at `ms` with every column NaN except `fields`; `session` and
 * `open_centres` default to the real calendar's values at `ms`.
 */
export function snapshotAt(ms: number, fields: SnapshotFields = {}): FeatureSnapshot {
  const { session, ...rest } = fields;
  return Object.freeze(
    nanSnapshot(
      {
        ts_ns: BigInt(ms) * 1_000_000n,
        ts: new Date(ms).toISOString(),
        symbol: '6EH5',
        instrument_id: 1,
        session: session ?? fxSession(ms),
      },
      { open_centres: openCentres(ms), ...rest },
    ),
  );
}

/**
 * The decision-pipeline tests' snapshot at `ms` (not frozen): 6EZ6 in the overlap, `ts` with 9
 * fractional digits, every column NaN but mid 1.16, a 1-tick spread and VPIN CDF 0.5, then `over`.
 */
export function quoteSnapshot(
  ms: number,
  over: Readonly<Partial<Record<string, number | string>>> = {},
): FeatureSnapshot {
  return nanSnapshot(
    {
      ts: `${new Date(ms).toISOString().slice(0, -1)}000000Z`,
      ts_ns: BigInt(ms) * 1_000_000n,
      symbol: '6EZ6',
      instrument_id: 1,
      session: 'overlap',
    },
    { mid: 1.16, spread_ticks: 1, vpin_cdf: 0.5, ...over },
  );
}

/** An `AgentInput` of `snapshot` at `nowMs` (fresh data: lastEventMs = nowMs, no setups, no regime). */
export function inputOf(
  snapshot: FeatureSnapshot,
  nowMs: number,
  extra: Partial<Omit<AgentInput, 'snapshot' | 'nowMs'>> = {},
): AgentInput {
  return { snapshot, setups: [], regime: null, nowMs, lastEventMs: nowMs, ...extra };
}

/** An `AgentInput` at `nowMs` (fresh data: lastEventMs = nowMs, no setups, no regime) with overrides. */
export function inputAt(
  nowMs: number,
  fields: SnapshotFields = {},
  extra: Partial<Omit<AgentInput, 'snapshot' | 'nowMs'>> = {},
): AgentInput {
  return inputOf(snapshotAt(nowMs, fields), nowMs, extra);
}

/**
 * An `AgentSignal`: horizon 60 s, no evidence or flags, full size, no passive price and the
 * rationale "<agent> <direction>", with `over` on top.
 */
export function signalOf(
  agent: AgentName,
  direction: Direction,
  confidence: number,
  over: Partial<AgentSignal> = {},
): AgentSignal {
  return {
    agent,
    direction,
    confidence,
    horizonSec: 60,
    evidence: {},
    flags: [],
    sizeScale: 1,
    rationale: `${agent} ${direction}`,
    passivePrice: null,
    ...over,
  };
}

/** A pure CPU loop that never returns (only terminating its thread stops it). */
export function spinForever(): number {
  let x = 0;
  for (;;) x = (x + 1) | 0;
}

/** A task function that throws. */
export function failingTask(what: string): never {
  throw new RangeError(`bad ${what}`);
}
