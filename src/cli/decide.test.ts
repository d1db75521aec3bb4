/**
 * `scalper decide` on 20 simulated minutes of 6E: the audit records are checked against what can
 * be worked out without the pipeline — bar triggers from the trades file itself, and each record's
 * vote, route, size and approval re-derived from its own signals and verdicts with the documented
 * rules and default parameters; the paper broker's positions, fees and P&L worked out again from its
 * fills.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { simulatedSpan } from '../../test/sim-fixture.js';
import type { AgentName } from '../agents/index.js';
import { DbnDecoder } from '../data/index.js';
import type { Decision } from '../pipeline/index.js';
import type { SimDayResult } from '../sim/index.js';
import { type DecideResult, positionText, runDecide } from './decide.js';

/** Vote weights with no regime model (the pipeline's `weights.unknown` defaults). */
const WEIGHTS: Record<AgentName, number> = {
  momentum: 1,
  technical: 1,
  microstructure: 1,
  toxicity: 1,
  regime: 1,
  market_making: 0.5,
  session: 0.5,
};
/** Flags that send a directional vote to the full route. */
const CONFLICT = ['toxicity', 'sweep', 'wide_spread', 'regime_change', 'risk_off'];
/** 6E: 125,000 EUR a contract, quoted in USD per EUR. */
const CONTRACT = 125_000;

/** round(4 × confidence × scale) contracts, none below confidence 0.2, at most 10 (the defaults). */
function size(confidence: number, scale: number): number {
  if (!(confidence >= 0.2) || !(scale > 0)) return 0;
  return Math.min(10, Math.round(4 * confidence * scale));
}

const near = (a: number, b: number, what: string, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);

describe('scalper decide', () => {
  const span = simulatedSpan({
    seed: 9,
    spot: false,
    from: '2026-11-24T14:00:00Z',
    minutes: 20,
    prefix: 'decide-cli-',
  });
  let day: SimDayResult;
  let run: DecideResult;
  let lines: string[];
  before(async () => {
    day = span.day;
    const out = join(span.dir, 'd.jsonl');
    run = await runDecide([day.files.mbp10, day.files.trades], { out, workers: 1 });
    lines = readFileSync(out, 'utf8').trim().split('\n');
  });

  test('writes one JSON audit record per decision, every analyst answered or accounted for', () => {
    assert.equal(lines.length, run.summary.decisions);
    assert.deepEqual(run.cache, [], 'no model configured');
    for (const line of lines) {
      const d = JSON.parse(line) as Decision;
      assert.equal(d.signals.length + d.fallbacks.filter((f) => f.tier === 'tier1').length, 7);
      assert.equal(d.verdicts.length, 6);
    }
  });

  test('each time in an audit record has its ISO-8601 form beside it; durations stay numbers', () => {
    for (const line of lines) {
      const d = JSON.parse(line) as {
        trigger: { tMs: number; ts: string };
        timings: Record<string, unknown>;
      };
      assert.equal(d.trigger.ts, new Date(d.trigger.tMs).toISOString());
      assert.ok(d.trigger.ts >= '2026-11-24T14:00:00' && d.trigger.ts < '2026-11-24T14:21:00', d.trigger.ts);
      assert.equal(Object.keys(d.timings).filter((k) => k.endsWith('Ts')).length, 0);
    }
  });

  test('one bar decision per closed minute: every minute with a trade but the last, still forming', async () => {
    // Counted from the trades file alone: a 1-minute bar closes when a trade of a later minute arrives.
    const minutes = new Map<string, Set<number>>();
    for await (const r of DbnDecoder.fromFile(day.files.trades).records()) {
      const key = String(r.hd.instrument_id);
      const m = Number((r.ts_recv as bigint) / 60_000_000_000n);
      minutes.set(key, (minutes.get(key) ?? new Set()).add(m));
    }
    assert.equal(minutes.size, 1, 'one instrument, 6EZ6');
    const [traded] = [...minutes.values()];
    assert.equal(traded.size, 20, 'trades in each of the 20 minutes');
    const barLike = run.decisions.filter((d) => d.trigger.kind === 'bar' || d.trigger.kind === 'setup');
    assert.equal(barLike.length, traded.size - 1);
    // Sweep decisions: at least 3 levels taken, at most one per 5 s.
    const sweeps = run.decisions.filter((d) => d.trigger.kind === 'sweep');
    for (let i = 0; i < sweeps.length; i++) {
      assert.ok(Number(/^(\d+) levels/.exec(sweeps[i].trigger.detail ?? '')?.[1]) >= 3);
      if (i > 0) assert.ok(sweeps[i].trigger.tMs - sweeps[i - 1].trigger.tMs >= 5_000);
    }
  });

  test("each record's vote, route, size and approval follow from its own signals and verdicts", () => {
    let approved = 0;
    let vetoed = 0;
    for (const line of lines) {
      const d = JSON.parse(line) as Decision;
      const what = `${d.id} (${d.trigger.kind} at ${d.snapshotTs})`;
      // Tier 2: votes w·c by side; score (L − S) / (L + S + F); long/short beyond ±0.1.
      let long = 0;
      let short = 0;
      let flat = 0;
      for (const s of d.signals) {
        const v = WEIGHTS[s.agent] * s.confidence;
        if (s.direction === 'long') long += v;
        else if (s.direction === 'short') short += v;
        else flat += v;
      }
      const total = long + short + flat;
      const score = total > 0 ? (long - short) / total : 0;
      const direction = score > 0.1 ? 'long' : score < -0.1 ? 'short' : 'flat';
      const agreement =
        direction === 'flat' ? (total > 0 ? flat / total : 1) : Math.max(long, short) / (long + short);
      assert.equal(d.consensus.direction, direction, what);
      near(d.consensus.score, score, `${what} score`);
      near(d.consensus.agreement, agreement, `${what} agreement`);
      // The route: full for a large size or a directional vote against a risk flag; fast when
      // nearly unanimous and small; standard otherwise.
      const scale = d.signals.find((s) => s.agent === 'regime')?.sizeScale ?? 1;
      const intended = direction === 'flat' ? 0 : size(Math.abs(score), scale);
      assert.equal(d.intendedSize, intended, what);
      const conflict =
        direction !== 'flat' && d.signals.some((s) => s.flags.some((f) => CONFLICT.includes(f)));
      const route =
        intended >= 5 || conflict ? 'full' : agreement >= 0.9 && intended <= 1 ? 'fast' : 'standard';
      assert.equal(d.route, route, what);
      // Tier 3 runs on the full route always, on the standard one below 0.9 agreement, never on the fast one.
      assert.equal(d.debate.ran, route === 'full' || (route === 'standard' && agreement < 0.9), what);
      // Tiers 4–5: the debate's (or the vote's) direction and confidence, sized; any veto stops it.
      const confidence = d.debate.ran ? d.debate.confidence : Math.abs(score);
      const finalDirection = d.debate.ran ? d.debate.direction : direction;
      const sized = finalDirection === 'flat' ? 0 : size(confidence, scale);
      const passes = d.verdicts.every((v) => v.pass);
      assert.equal(d.approval.direction, finalDirection, what);
      assert.equal(d.approval.approved, sized > 0 && passes, what);
      assert.equal(d.approval.size, d.approval.approved ? sized : 0, what);
      if (d.approval.approved) approved++;
      if (sized > 0 && !passes) vetoed++;
    }
    // A pipeline that never trades, or never vetoes, fails here.
    assert.ok(approved >= 1 && vetoed >= 1, `${approved} approved, ${vetoed} vetoed`);
  });

  test('the paper broker traded the approved decisions: positions, fees and P&L from its fills, worked out again', () => {
    const b = run.book;
    assert.ok(b.fills.length >= 2, `${b.fills.length} fills: the approved decisions were traded`);
    assert.ok(b.orders >= b.fills.length / 10, 'fills come from orders');
    // Position: the signed sum of the fills.
    let position = 0;
    for (const f of b.fills) position += f.side === 'buy' ? f.quantity : -f.quantity;
    assert.deepEqual(Object.values(b.positions), [position]);
    // Fees: 1.60 + 0.02 + 0.85 USD per contract per side (the documented CME defaults).
    const contracts = b.fills.reduce((s, f) => s + f.quantity, 0);
    near(b.fees, contracts * 2.47, 'fees', 1e-6);
    // Realized P&L first in, first out, by hand, less the fees.
    const lots: { q: number; px: number }[] = [];
    let realized = 0;
    for (const f of b.fills) {
      let q = f.side === 'buy' ? f.quantity : -f.quantity;
      while (q !== 0 && lots.length > 0 && Math.sign(lots[0].q) !== Math.sign(q)) {
        const closed = Math.min(Math.abs(q), Math.abs(lots[0].q)) * Math.sign(lots[0].q);
        realized += closed * (f.price - lots[0].px);
        lots[0].q -= closed;
        q += closed;
        if (lots[0].q === 0) lots.shift();
      }
      if (q !== 0) lots.push({ q, px: f.price });
    }
    near(b.realized, (realized / 1e9) * CONTRACT - contracts * 2.47, 'realized P&L', 1e-6);
    // Every price is on 6E's tick grid (0.00005).
    for (const f of b.fills) assert.equal(f.price % 50_000, 0);
  });

  test('a missing input file is a clear error', async () => {
    await assert.rejects(runDecide([join(span.dir, 'nope.dbn')], {}), /nope\.dbn: file not found/);
  });
});

test('positions read as a trader says them', () => {
  assert.equal(positionText(-1), 'short 1 contract');
  assert.equal(positionText(3), 'long 3 contracts');
  assert.equal(positionText(0), 'flat');
});
