/**
 * The decision loop on a simulated hour of 6E: decisions are triggered by bars, setups, sweeps and
 * VPIN (not taken on every tick) and carry their trigger and snapshot time; on a whole simulated
 * day, the decisions inside the toxic-flow episodes the simulator recorded in its ground truth are
 * vetoed or go with the informed traders, and a second run gives the same decisions.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { createAnalysts } from '../agents/index.js';
import { createLogger, setRootLogger, silentLogger } from '../core/index.js';
import type { SimDayResult } from '../sim/index.js';
import { DecisionLoop } from './loop.js';
import { analystsTier, type Decision, DecisionPipeline } from './pipeline.js';

const START = Date.parse('2026-11-24T13:00:00Z');

describe('decision loop over a simulated hour', () => {
  const span = simulatedSpan({
    seed: 3,
    spot: false,
    from: '2026-11-24T13:00:00Z',
    minutes: 60,
    prefix: 'decision-loop-',
  });
  let day: SimDayResult;
  before(() => {
    day = span.day;
  });

  async function run(): Promise<{ decisions: Decision[]; records: number }> {
    const loop = new DecisionLoop({
      pipeline: new DecisionPipeline({ tier1: analystsTier(createAnalysts()) }),
      engine: { vpinBucketVolume: 200, vpinWindowBuckets: 10 },
    });
    const { records } = await loop.run([day.files.mbp10, day.files.trades]);
    return { decisions: loop.decisions, records };
  }

  test('decisions follow triggers, in time order, each with its snapshot time', async () => {
    const { decisions, records } = await run();
    const kinds = new Map<string, number>();
    for (const d of decisions) kinds.set(d.trigger.kind, (kinds.get(d.trigger.kind) ?? 0) + 1);
    // One bar a minute (bar or setup trigger): 59 closed bars in the hour (the last closes at the end).
    const barLike = (kinds.get('bar') ?? 0) + (kinds.get('setup') ?? 0);
    assert.ok(barLike >= 58 && barLike <= 60, `${barLike} bar decisions`);
    assert.ok(decisions.length < records / 100, `${decisions.length} decisions for ${records} records`);
    for (let i = 1; i < decisions.length; i++) {
      assert.ok(decisions[i].trigger.tMs >= decisions[i - 1].trigger.tMs, 'in time order');
    }
    for (const d of decisions) {
      assert.equal(Date.parse(d.snapshotTs), d.trigger.tMs, 'snapshot at the trigger');
      assert.equal(d.outcomes.length, 7, 'seven analysts');
      assert.ok(d.outcomes.every((o) => o.status === 'ok'));
      assert.equal(d.verdicts.length, 6);
    }
    for (const d of decisions.filter((x) => x.trigger.kind === 'sweep')) {
      const levels = Number(/^(\d+) levels/.exec(d.trigger.detail ?? '')?.[1]);
      assert.ok(levels >= 3, `a sweep trigger takes at least 3 levels: ${d.trigger.detail}`);
    }
    const setups = decisions.filter((d) => d.trigger.kind === 'setup');
    assert.ok(
      setups.every((d) => (d.trigger.detail ?? '').length > 0),
      'a setup trigger names its techniques',
    );
  });

  test('handed over instead of decided (onGrid), the same triggers reach the next stage, those after the last grid point too', async () => {
    // Read up to a moment just before a whole second: the bar of 13:29 is closed by the first trade
    // after 13:30:00, which comes after the last grid point (13:30:00).
    const range = { toNs: BigInt(START + 30 * 60_000 + 999) * 1_000_000n };
    const files = [day.files.mbp10, day.files.trades];
    const engine = { vpinBucketVolume: 200, vpinWindowBuckets: 10 };
    const deciding = new DecisionLoop({
      pipeline: new DecisionPipeline({ tier1: analystsTier(createAnalysts()) }),
      engine,
    });
    await deciding.run(files, undefined, range);
    const handed: { tNs: bigint; kind: string; tMs: number }[] = [];
    const loop = new DecisionLoop({
      onGrid: (tNs, pending) => {
        for (const p of pending) handed.push({ tNs, kind: p.trigger.kind, tMs: p.trigger.tMs });
      },
      engine,
    });
    await loop.run(files, undefined, range);
    assert.deepEqual(
      handed.map((h) => [h.kind, h.tMs]),
      deciding.decisions.map((d) => [d.trigger.kind, d.trigger.tMs]),
    );
    const lastGrid = BigInt(START + 30 * 60_000) * 1_000_000n;
    const late = handed.filter((h) => BigInt(h.tMs) * 1_000_000n > lastGrid);
    assert.ok(late.length > 0, 'a bar closed after the last grid point');
    for (const h of handed) {
      const t = BigInt(h.tMs) * 1_000_000n;
      // Each at the first grid point at or after it; the late ones with the last grid time.
      if (t > lastGrid) assert.equal(h.tNs, lastGrid);
      else assert.ok(h.tNs >= t && h.tNs - t < 1_000_000_000n, `${h.kind} at ${h.tMs}`);
    }
  });

  test('with a clock (paper, live) a decision is as old as its snapshot: a late one is vetoed as stale', async () => {
    // A clock an hour past the data: every snapshot is an hour old when its decision runs.
    const clock = { now: () => START + 2 * 60 * 60_000 };
    const loop = new DecisionLoop({
      pipeline: new DecisionPipeline({ tier1: analystsTier(createAnalysts()) }),
      engine: { vpinBucketVolume: 200, vpinWindowBuckets: 10 },
      clock,
    });
    await loop.run([day.files.mbp10, day.files.trades]);
    const traded = loop.decisions.filter((d) => d.approval.direction !== 'flat' && d.approval.size > 0);
    assert.equal(traded.filter((d) => d.approval.approved).length, 0, 'nothing approved on stale data');
    for (const d of loop.decisions) {
      const v = d.verdicts.find((x) => x.check === 'stale_data');
      assert.ok(v !== undefined && !v.pass, 'stale_data vetoes every decision');
    }
  });

  test('logs one line per decision carrying its id, and nothing per market event', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'trace',
      destination: { write: (l: string) => lines.push(JSON.parse(l)) },
    });
    // The root too, so that a component logging through its default logger would be counted.
    setRootLogger(logger);
    try {
      const loop = new DecisionLoop({
        pipeline: new DecisionPipeline({ tier1: analystsTier(createAnalysts()), logger }),
        engine: { vpinBucketVolume: 200, vpinWindowBuckets: 10 },
      });
      const { records } = await loop.run([day.files.mbp10, day.files.trades]);
      const ids = loop.decisions.map((d) => d.id);
      assert.ok(records > 100 * ids.length, `${records} records, ${ids.length} decisions`);
      // Without a model nothing falls back and nothing runs over budget: the decision line is all.
      assert.equal(lines.length, ids.length);
      assert.deepEqual(
        lines.map((l) => l.decisionId),
        ids,
      );
      for (const [i, l] of lines.entries()) {
        const d = loop.decisions[i];
        assert.equal(l.component, 'pipeline');
        assert.equal(l.msg, 'decision');
        assert.equal(l.route, d.route);
        assert.equal(l.approved, d.approval.approved);
        assert.equal(l.snapshotTs, d.snapshotTs);
      }
    } finally {
      setRootLogger(silentLogger());
    }
  });
});

/** A toxic-flow episode of the simulator's ground truth, in ms. */
interface Episode {
  readonly startMs: number;
  readonly endMs: number;
  /** The informed traders' side as a position: buy → long. */
  readonly direction: 'long' | 'short';
  readonly intensity: number;
}

describe('a whole simulated day through the pipeline with no model, against its ground truth', () => {
  const span = simulatedSpan({ date: '2026-11-25', seed: 21, spot: false, prefix: 'decision-day-' });
  let day: SimDayResult;
  let decisions: Decision[];
  let episodes: Episode[];
  const run = async () => {
    const loop = new DecisionLoop({
      pipeline: new DecisionPipeline({ tier1: analystsTier(createAnalysts()) }),
      engine: { vpinBucketVolume: 200, vpinWindowBuckets: 10 },
    });
    await loop.run([day.files.mbp10, day.files.trades]);
    return loop.decisions;
  };
  before(async () => {
    day = span.day;
    decisions = await run();
    const truth = JSON.parse(readFileSync(day.files.truth, 'utf8')) as {
      episodes: { start: string; end: string; direction: 'buy' | 'sell'; intensity: number }[];
    };
    episodes = truth.episodes.map((e) => ({
      startMs: Date.parse(e.start),
      endMs: Date.parse(e.end),
      direction: e.direction === 'buy' ? 'long' : 'short',
      intensity: e.intensity,
    }));
  });

  /** The episode a decision falls in, from its first minute on (VPIN needs volume to see it). */
  const inside = (d: Decision) =>
    episodes.find((e) => d.trigger.tMs >= e.startMs + 60_000 && d.trigger.tMs <= e.endMs);
  /** Clear of every episode, with a minute's margin after it. */
  const clear = (d: Decision) =>
    !episodes.some((e) => d.trigger.tMs >= e.startMs && d.trigger.tMs <= e.endMs + 60_000);
  const vetoedBy = (d: Decision, check: string) => d.verdicts.some((v) => v.check === check && !v.pass);

  test('inside the toxic episodes, the toxicity check vetoes most decisions and trades are rare', () => {
    const ins = decisions.filter((d) => inside(d) !== undefined);
    const out = decisions.filter(clear);
    assert.ok(ins.length >= 100 && out.length >= 1_000, `${ins.length} inside, ${out.length} clear`);
    const toxic = ins.filter((d) => vetoedBy(d, 'toxicity')).length;
    assert.ok(toxic >= 0.8 * ins.length, `toxicity vetoed ${toxic} of ${ins.length} inside`);
    const rate = (ds: Decision[]) => ds.filter((d) => d.approval.approved).length / ds.length;
    assert.ok(
      rate(ins) < 0.25 * rate(out),
      `approved ${(100 * rate(ins)).toFixed(1)}% inside vs ${(100 * rate(out)).toFixed(1)}% clear of them`,
    );
  });

  test('what is approved inside an episode mostly goes with the informed traders; never against a strong one', () => {
    let withThem = 0;
    let against = 0;
    let strong = 0;
    for (const d of decisions) {
      const e = inside(d);
      if (e === undefined) continue;
      if (e.intensity >= 0.6) strong++;
      if (!d.approval.approved) continue;
      if (d.approval.direction === e.direction) withThem++;
      else {
        against++;
        assert.ok(
          e.intensity < 0.6,
          `${d.id} approved ${d.approval.direction} against a ${e.intensity} episode`,
        );
      }
    }
    assert.ok(strong > 0, 'decisions inside the strong episodes');
    assert.ok(withThem > against, `${withThem} approved with the episode, ${against} against`);
  });

  test('a second run gives the same decisions', async () => {
    const strip = (ds: Decision[]) =>
      ds.map((d) => ({ ...d, timings: null, sumAgentMs: 0, outcomes: d.outcomes.map((o) => o.status) }));
    const again = await run();
    assert.ok(decisions.length > 1000, `${decisions.length} decisions`);
    assert.deepEqual(strip(again), strip(decisions));
  });
});
