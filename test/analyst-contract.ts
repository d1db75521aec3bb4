/**
 * The analyst contract, run against every tier-1 analyst (src/agents/analysts.test.ts): whatever
 * the market shows — indicators not ready, NaN and infinite values, crossed books, no regime, stale
 * data, setups of any kind — an analyst answers a schema-valid signal in its own name, the same one
 * for the same input, read only from the snapshot fields it declares (each of which its evidence
 * carries), and stops when its signal aborts.
 *
 * Inputs are drawn with fast-check from a fixed seed (set FC_SEED to explore others; a failure
 * prints the seed and path that replay it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { SnapshotField } from '../src/agents/analyst.js';
import { runAgents } from '../src/agents/runner.js';
import {
  type Agent,
  type AgentInput,
  type AgentName,
  type AgentSignal,
  AgentSignalSchema,
  type RegimeState,
} from '../src/agents/types.js';
import { type FxSessionName, ManualClock } from '../src/core/index.js';
import { FEATURE_COLUMNS, type FeatureColumn, type FeatureSnapshot } from '../src/features/index.js';
import type { Setup, SweepAlert } from '../src/strategy/index.js';
import { TECHNIQUE_NAMES } from '../src/strategy/techniques/types.js';
import { inputAt, nanSnapshot, WED_OVERLAP_MS } from './agents.js';

/** One implementation under the contract. */
export interface AnalystContract {
  /** Test label (the analyst's name, and how it runs: inline, on a worker thread …). */
  readonly label: string;
  readonly name: AgentName;
  /** The snapshot fields it declares it reads. */
  readonly reads: readonly SnapshotField[];
  readonly create: () => Agent;
  /** Generated inputs per property (default 150). */
  readonly runs?: number;
  /** Called once after the last test (closing a worker pool …). */
  readonly close?: () => Promise<void>;
}

const SEED = Number(process.env.FC_SEED ?? 20261124);
const SESSIONS: readonly FxSessionName[] = ['sydney', 'tokyo', 'london', 'new_york', 'overlap', 'closed'];
const SNAPSHOT_FIELDS: readonly SnapshotField[] = [...FEATURE_COLUMNS, 'session'];

/**
 * Numbers in [min, max] in 10,000 even steps (`fc.double` spreads over the float representation,
 * so most of its values would be near 0 and the analysts' thresholds would never be crossed).
 */
const even = (min: number, max: number) =>
  fc.integer({ min: 0, max: 10_000 }).map((k) => min + ((max - min) * k) / 10_000);

/** Values that are never "ready": the analysts must survive them in any field. */
const wild = fc.constantFrom(
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0,
  -1,
  1e12,
  -1e-12,
);

/** Values a field takes on a live 6E book, so that the analysts' directional branches are reached. */
function plausible(c: FeatureColumn): fc.Arbitrary<number> {
  const d = even;
  if (/^(mid|microprice|microprice_stoikov|ema_\d+|vwap|(bid|ask)_(wall|gap)_px)$/.test(c))
    return d(1.095, 1.105);
  if (/^(rsi_7|adx_7|plus_di_7|minus_di_7)$/.test(c)) return d(0, 100);
  if (/^(vpin|vpin_cdf)$/.test(c)) return d(0, 1);
  if (/^qi_l\d+$/.test(c)) return d(-1, 1);
  if (c === 'spread_ticks') return fc.integer({ min: -1, max: 4 });
  if (c === 'spread_bps') return d(0, 2);
  if (/^depth_/.test(c)) return d(0, 2_000);
  if (/^(ofi_|mlofi_|volume_delta|cvd)/.test(c)) return d(-500, 500);
  if (c === 'cancel_add_ratio') return d(0, 5);
  if (c === 'open_centres') return fc.integer({ min: 0, max: 3 });
  return d(-10, 10);
}

/** A value of column `c`: mostly plausible, sometimes wild. */
const column = (c: FeatureColumn) =>
  fc.oneof({ weight: 1, arbitrary: wild }, { weight: 4, arbitrary: plausible(c) });

/** Every field of a snapshot at `ms` (not frozen). */
function snapshotFields(): fc.Arbitrary<Record<string, number | string>> {
  const cols: Record<string, fc.Arbitrary<number | string>> = {};
  for (const c of FEATURE_COLUMNS) cols[c] = column(c);
  cols.session = fc.constantFrom(...SESSIONS);
  return fc.record(cols);
}

function snapshotOf(ms: number, fields: Record<string, number | string>): FeatureSnapshot {
  return Object.freeze(
    nanSnapshot(
      {
        ts_ns: BigInt(ms) * 1_000_000n,
        ts: new Date(ms).toISOString(),
        symbol: '6EZ6',
        instrument_id: 1,
        session: fields.session as FxSessionName,
      },
      fields,
    ),
  );
}

const regimeState = fc.option(
  fc.record({
    state: fc.constantFrom('low', 'medium', 'high', 'unlisted'),
    probability: fc.oneof(even(0, 1), fc.constant(Number.NaN)),
    probabilities: fc.array(even(0, 1), { minLength: 0, maxLength: 4 }),
    stance: fc.constantFrom('mean_reversion', 'momentum', 'reduce', 'stand_aside'),
    sinceTransitionMs: fc.oneof(fc.integer({ min: -60_000, max: 3_600_000 }), fc.constant(Number.NaN)),
  }),
  { nil: null },
);

function setupArb(nowMs: number): fc.Arbitrary<Setup> {
  return fc
    .record({
      technique: fc.constantFrom(...TECHNIQUE_NAMES),
      side: fc.constantFrom('long' as const, 'short' as const),
      entry: even(1.09, 1.11),
      risk: even(0, 0.005),
      reward: even(0, 0.01),
      createdAgo: fc.integer({ min: -60_000, max: 1_800_000 }),
      validFor: fc.integer({ min: 0, max: 1_800_000 }),
      confidence: fc.oneof(even(0, 1), fc.constant(Number.NaN)),
      level: even(1.09, 1.11),
    })
    .map((r) => {
      const dir = r.side === 'long' ? 1 : -1;
      const createdMs = nowMs - r.createdAgo;
      return Object.freeze({
        technique: r.technique,
        instrument: '6EZ6',
        side: r.side,
        entry: r.entry,
        stop: r.entry - dir * r.risk,
        target: r.entry + dir * r.reward,
        createdMs,
        validUntilMs: createdMs + r.validFor,
        confidence: r.confidence,
        kind: 'bounce' as const,
        evidence: Object.freeze({ level: r.level, levelName: 'classic.P' }),
      });
    });
}

function sweepArb(nowMs: number): fc.Arbitrary<SweepAlert> {
  return fc
    .record({
      side: fc.constantFrom('buy' as const, 'sell' as const),
      levels: fc.integer({ min: 1, max: 6 }),
      size: fc.integer({ min: 1, max: 500 }),
      ago: fc.integer({ min: -1_000, max: 120_000 }),
      price: fc.oneof(even(1.09, 1.11), fc.constant(Number.NaN)),
    })
    .map((r) =>
      Object.freeze({ side: r.side, levels: r.levels, size: r.size, tMs: nowMs - r.ago, price: r.price }),
    );
}

/** A whole analyst input, deeply frozen: any snapshot, regime, setups, sweeps and closes. */
export function anyInput(): fc.Arbitrary<AgentInput> {
  return fc
    .integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2027, 0, 1) })
    .chain((nowMs) =>
      fc.record({
        nowMs: fc.constant(nowMs),
        fields: snapshotFields(),
        regime: regimeState,
        age: fc.oneof(fc.integer({ min: -1_000, max: 20_000 }), fc.constant(Number.NaN)),
        setups: fc.array(setupArb(nowMs), { maxLength: 6 }),
        sweeps: fc.option(fc.array(sweepArb(nowMs), { maxLength: 5 }), { nil: undefined }),
        closes: fc.option(fc.array(fc.oneof(even(1.09, 1.11), wild), { maxLength: 40 }), {
          nil: undefined,
        }),
      }),
    )
    .map((r) => {
      const regime: RegimeState | null =
        r.regime === null
          ? null
          : Object.freeze({
              state: r.regime.state,
              probability: r.regime.probability,
              probabilities: Object.freeze([...r.regime.probabilities]),
              stance: r.regime.stance,
              lastTransitionMs: r.nowMs - r.regime.sinceTransitionMs,
            });
      return Object.freeze({
        snapshot: snapshotOf(r.nowMs, r.fields),
        setups: Object.freeze([...r.setups]),
        regime,
        nowMs: r.nowMs,
        lastEventMs: r.nowMs - r.age,
        ...(r.sweeps === undefined ? {} : { recentSweeps: Object.freeze([...r.sweeps]) }),
        ...(r.closes === undefined ? {} : { closes: Object.freeze([...r.closes]) }),
      });
    });
}

/** Two inputs equal in every declared field of the snapshot and in everything else, and otherwise free. */
function sameDeclaredFields(reads: readonly SnapshotField[]): fc.Arbitrary<[AgentInput, AgentInput]> {
  return fc.tuple(anyInput(), snapshotFields()).map(([a, other]) => {
    const fields: Record<string, number | string> = {};
    for (const f of SNAPSHOT_FIELDS) fields[f] = reads.includes(f) ? a.snapshot[f] : other[f];
    return [a, Object.freeze({ ...a, snapshot: snapshotOf(a.nowMs, fields) })];
  });
}

/** Asserts `v` survives JSON: finite numbers, strings, booleans, null, arrays and plain objects only. */
function assertJsonSafe(v: unknown, path: string): void {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    assert.ok(Number.isFinite(v), `${path} is ${v}`);
    return;
  }
  assert.equal(typeof v, 'object', `${path} is ${typeof v}`);
  for (const [k, x] of Object.entries(v as object)) assertJsonSafe(x, `${path}.${k}`);
}

async function answer(agent: Agent, input: AgentInput): Promise<AgentSignal> {
  return agent.analyze(input, new AbortController().signal);
}

/** Registers the contract's tests for one analyst. */
export function runAnalystContract(c: AnalystContract): void {
  const runs = c.runs ?? 150;
  const agent = c.create();
  const opts = { seed: SEED, numRuns: runs, endOnFailure: true, includeErrorInReport: true };

  test(`${c.label}: is named ${c.name}, with a positive finite budget within tier 1's 2,000 ms`, () => {
    assert.equal(agent.name, c.name);
    assert.ok(agent.budgetMs > 0 && agent.budgetMs <= 2_000, `budget ${agent.budgetMs} ms`);
  });

  test(`${c.label}: declares only real snapshot fields`, () => {
    for (const f of c.reads) assert.ok(SNAPSHOT_FIELDS.includes(f), `"${f}" is not a snapshot field`);
    assert.equal(new Set(c.reads).size, c.reads.length, 'no field twice');
  });

  test(`${c.label}: is flat with confidence 0 when nothing is ready (a weekday overlap, fresh data)`, async () => {
    const s = await answer(agent, inputAt(WED_OVERLAP_MS));
    assert.equal(s.direction, 'flat');
    assert.equal(s.confidence, 0);
    assert.deepEqual(s.flags, []);
  });

  test(`${c.label}: answers a schema-valid, JSON-safe signal in its own name for any input`, async () => {
    await fc.assert(
      fc.asyncProperty(anyInput(), async (input) => {
        const s = await answer(agent, input);
        const parsed = AgentSignalSchema.safeParse(s);
        assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
        assert.equal(s.agent, c.name);
        assertJsonSafe(s, 'signal');
        assert.equal(new Set(s.flags).size, s.flags.length, 'each flag once');
      }),
      opts,
    );
  });

  test(`${c.label}: gives the same signal for the same input, without modifying it`, async () => {
    await fc.assert(
      fc.asyncProperty(anyInput(), async (input) => {
        // The input is deeply frozen: a write to it throws in these strict-mode modules.
        assert.deepEqual(await answer(agent, input), await answer(agent, input));
      }),
      opts,
    );
  });

  test(`${c.label}: reads no snapshot field it does not declare, and reports each one it does`, async () => {
    await fc.assert(
      fc.asyncProperty(sameDeclaredFields(c.reads), async ([a, b]) => {
        const sa = await answer(agent, a);
        assert.deepEqual(await answer(agent, b), sa, 'the undeclared fields changed the signal');
        for (const f of c.reads) {
          const v = a.snapshot[f];
          const expected = typeof v === 'number' ? (Number.isFinite(v) ? v : null) : v;
          assert.equal(sa.evidence[f], expected, `evidence.${f}`);
        }
      }),
      opts,
    );
  });

  test(`${c.label}: stops with its signal's reason once the signal has aborted`, async () => {
    const ac = new AbortController();
    const reason = new Error('cut off');
    ac.abort(reason);
    await assert.rejects(
      async () => agent.analyze(inputAt(WED_OVERLAP_MS), ac.signal),
      (e) => e === reason,
    );
  });

  test(`${c.label}: runs in tier 1 as 'ok', answering what it answers alone`, async () => {
    const input = inputAt(WED_OVERLAP_MS, { spread_ticks: 1, mid: 1.1, ema_3: 1.1, vpin_cdf: 0.5 });
    const run = await runAgents([agent], input, {
      clock: new ManualClock(WED_OVERLAP_MS),
      budgetMs: Number.POSITIVE_INFINITY,
    });
    assert.deepEqual(
      run.outcomes.map((o) => o.status),
      ['ok'],
    );
    assert.deepEqual(run.signals, [await answer(agent, input)]);
    await c.close?.();
  });
}
