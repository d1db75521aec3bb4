/** Test helpers: hand-built snapshots and inputs, and functions for worker-thread tests. */
import {
  FEATURE_COLUMNS,
  type FeatureColumn,
  type FeatureSnapshot,
  fxSession,
  openCentres,
} from '../features/index.js';
import type { AgentInput } from './types.js';

/** 2025-01-15 (a Wednesday) 15:00 UTC = 10:00 New York, 09:00 Chicago: London–New York overlap. */
export const WED_OVERLAP_MS = Date.UTC(2025, 0, 15, 15, 0);

/** Snapshot fields a test sets (the rest are NaN: not ready). */
export type SnapshotFields = Partial<Record<FeatureColumn, number>> & {
  session?: FeatureSnapshot['session'];
};

/**
 * A frozen `FeatureSnapshot` at `ms` with every column NaN except `fields`; `session` and
 * `open_centres` default to the real calendar's values at `ms`.
 */
export function snapshotAt(ms: number, fields: SnapshotFields = {}): FeatureSnapshot {
  const cols: Record<string, number> = {};
  for (const c of FEATURE_COLUMNS) cols[c] = Number.NaN;
  cols.open_centres = openCentres(ms);
  const { session, ...rest } = fields;
  Object.assign(cols, rest);
  const tsNs = BigInt(ms) * 1_000_000n;
  return Object.freeze({
    ts_ns: tsNs,
    ts: new Date(ms).toISOString(),
    symbol: '6EH5',
    instrument_id: 1,
    session: session ?? fxSession(ms),
    ...(cols as Record<FeatureColumn, number>),
  });
}

/** An `AgentInput` at `nowMs` (fresh data: lastEventMs = nowMs, no setups, no regime) with overrides. */
export function inputAt(
  nowMs: number,
  fields: SnapshotFields = {},
  extra: Partial<Omit<AgentInput, 'snapshot' | 'nowMs'>> = {},
): AgentInput {
  return {
    snapshot: snapshotAt(nowMs, fields),
    setups: [],
    regime: null,
    nowMs,
    lastEventMs: nowMs,
    ...extra,
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
