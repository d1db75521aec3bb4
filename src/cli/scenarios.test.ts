/**
 * The market scenarios' checks through the backtester (issue 22): the scenario's hours simulated
 * (`simulateDay`, as `scalper simulate --scenario NAME` writes a day), then `scalper backtest
 * --truth --ablations` run as a user would, read from result.json.
 *
 * - `null`: with the daily loss limit and drawdown stop lifted (so every variant trades all day
 *   and its P&L is its own), the order-book analyst's edge over the old system and the toxicity
 *   analyst with its veto over that, each as P&L per contract with its interval over round trips,
 *   hold zero; no technique's setups win more often than their break-even beyond their interval.
 * - `toxic` against `default`, same seed and days: VPIN inside the truth's episodes is higher, and
 *   the toxicity veto saves more of the losses inside them.
 *
 * Part of one day each, to keep the suite short: 07:00–21:00 UTC for `null` (some 200 round trips
 * a variant), 12:00–18:00 for `toxic` and `default`; the seed and day were fixed before the first
 * run (no tuning on the data that evaluates).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { runScalper } from '../../test/fixtures.js';
import { ScenarioSchema, simulateDay } from '../sim/index.js';

const SEED = 2212;
const START = '2026-11-24';
/** Hours simulated, UTC: London and New York, where most round trips and toxic episodes fall. */
type Hours = readonly [from: string, to: string];
const BUSY: Hours = ['12:00', '18:00'];
/** For `null`, London's open to New York's close: enough round trips for intervals that mean something. */
const LONG: Hours = ['07:00', '21:00'];

const root = mkdtempSync(join(tmpdir(), 'scenarios-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface IntervalJson {
  estimate: number | null;
  low: number | null;
  high: number | null;
  noise: boolean;
}
interface Row {
  name: string;
  metrics: { pnl: number; trades: number; turnover: number };
  vsOldPerContract: IntervalJson;
  step: { from: string; perContract: IntervalJson } | null;
}
interface Result {
  ablations: Row[];
  metrics: {
    byTechnique: Record<
      string,
      { trades: number; winRate: number; low: number; high: number; breakEven: number; edge: string }
    >;
  };
  toxicityClaim: { without: number; with: number } | null;
}

/** Simulates the scenario's hours and backtests them with the ablations named; result.json. */
async function backtestScenario(
  scenario: string,
  hours: Hours,
  variants: string,
  config?: object,
): Promise<Result> {
  const sim = join(root, scenario);
  await simulateDay({
    date: START,
    seed: SEED,
    out: sim,
    scenario: ScenarioSchema.parse(scenario),
    window: { startMs: Date.parse(`${START}T${hours[0]}Z`), endMs: Date.parse(`${START}T${hours[1]}Z`) },
  });
  const out = join(root, `${scenario}-backtest`);
  const args = ['backtest', sim, '--truth', sim, '--ablations', variants, '-o', out];
  if (config !== undefined) {
    const file = join(root, `${scenario}.json`);
    writeFileSync(file, JSON.stringify(config));
    args.push('--config', file);
  }
  const b = await runScalper(args);
  assert.equal(b.status, 0, b.stderr);
  return JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as Result;
}

/** A share in %, '–' for a value result.json wrote as null (NaN: no win or no loss). */
const pc = (v: number | null) => (v === null ? '–' : (100 * v).toFixed(0));
const holdsZero = (i: IntervalJson) => i.low !== null && i.high !== null && i.low <= 0 && i.high >= 0;
const show = (i: IntervalJson) => `${i.estimate?.toFixed(2)} [${i.low?.toFixed(2)}, ${i.high?.toFixed(2)}]`;

/** No loss limit, no drawdown stop: each variant's P&L is its trades', all day. */
const UNLIMITED = {
  pipeline: { limits: { dailyLossLimit: 1e9 } },
  execution: { risk: { dailyLossLimit: 1e9, maxDrawdown: 1e9 } },
};

describe('scenarios through the backtester', { timeout: 600_000 }, () => {
  it('null: no part of the engine shows an edge after costs', async (t: TestContext) => {
    const r = await backtestScenario('null', LONG, '+microstructure,+toxicity', UNLIMITED);
    for (const row of r.ablations)
      t.diagnostic(
        `${row.name}: ${row.metrics.pnl.toFixed(0)} USD, ${row.metrics.trades} trips, ${row.metrics.turnover} contracts; per contract vs old ${show(row.vsOldPerContract)}${row.step ? `, step ${show(row.step.perContract)} on ${row.step.from}` : ''}`,
      );
    const micro = r.ablations.find((x) => x.name === '+microstructure');
    const tox = r.ablations.find((x) => x.name === '+toxicity');
    assert.ok(micro && tox, 'both rows');
    assert.ok(micro.metrics.trades > 100 && tox.metrics.trades > 100, 'enough round trips to measure');
    assert.ok(
      holdsZero(micro.vsOldPerContract),
      `order-book analyst per contract: ${show(micro.vsOldPerContract)}`,
    );
    assert.equal(tox.step?.from, '+microstructure');
    assert.ok(
      tox.step && holdsZero(tox.step.perContract),
      `toxicity veto per contract: ${show(tox.step?.perContract as IntervalJson)}`,
    );
    const techniques = Object.entries(r.metrics.byTechnique);
    for (const [k, v] of techniques)
      t.diagnostic(
        `${k}: ${v.trades} trips, win ${pc(v.winRate)}% [${pc(v.low)}, ${pc(v.high)}] vs break-even ${pc(v.breakEven)}%: ${v.edge}`,
      );
    assert.ok(techniques.length >= 5, 'several techniques traded');
    for (const [k, v] of techniques)
      assert.notEqual(v.edge, 'above', `${k} beats its break-even on a null market`);
    // The truth of a null market has no toxic episodes, so nothing is there for the veto to save.
    assert.deepEqual([r.toxicityClaim?.without, r.toxicityClaim?.with], [0, 0]);
  });

  it('toxic against default: VPIN is higher inside episodes and the veto saves more', async (t: TestContext) => {
    const measured: Record<string, { saved: number; inside: number; outside: number }> = {};
    for (const scenario of ['default', 'toxic']) {
      const r = await backtestScenario(scenario, BUSY, '+microstructure,+toxicity');
      const c = r.toxicityClaim;
      assert.ok(c, 'a toxicity claim with the truth');
      measured[scenario] = { saved: c.without - c.with, ...(await vpinInsideOutside(join(root, scenario))) };
    }
    for (const [k, m] of Object.entries(measured))
      t.diagnostic(
        `${k}: VPIN inside episodes ${m.inside.toFixed(3)}, outside ${m.outside.toFixed(3)} (lift ${(m.inside / m.outside).toFixed(2)}x); the veto saved ${m.saved.toFixed(0)} USD of losses in episodes`,
      );
    assert.ok(measured.toxic.inside > measured.default.inside, 'VPIN inside toxic episodes above default');
    assert.ok(measured.toxic.saved > measured.default.saved, 'the veto saves more on toxic');
    assert.ok(measured.toxic.saved > 0, 'the veto saves something on toxic');
  });
});

/**
 * Mean intraday VPIN of the 1-minute rows of `scalper features`, day by day, inside and outside
 * the truth's episodes.
 */
async function vpinInsideOutside(dir: string): Promise<{ inside: number; outside: number }> {
  const days = readdirSync(dir)
    .filter((f) => /^truth-\d{8}\.json$/.test(f))
    .map((f) => f.slice(6, 14));
  assert.equal(days.length, 1);
  let inS = 0;
  let inN = 0;
  let outS = 0;
  let outN = 0;
  for (const day of days) {
    const date = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`;
    const f = `features-${day}.csv`;
    const r = await runScalper([
      'features',
      dir,
      '--from',
      date,
      '--to',
      date,
      '--every',
      '1m',
      '--out',
      join(dir, f),
    ]);
    assert.equal(r.status, 0, r.stderr);
    const truth = JSON.parse(readFileSync(join(dir, `truth-${day}.json`), 'utf8')) as {
      episodes: { start: string; end: string }[];
    };
    const eps = truth.episodes.map((e) => [Date.parse(e.start), Date.parse(e.end)]);
    const [head, ...rows] = readFileSync(join(dir, f), 'utf8').trim().split('\n');
    const cols = head.split(',');
    const iv = cols.indexOf('vpin');
    const it = cols.indexOf('ts');
    for (const row of rows) {
      const c = row.split(',');
      const v = Number.parseFloat(c[iv]);
      if (!Number.isFinite(v)) continue;
      const ts = Date.parse(c[it]);
      if (eps.some(([a, b]) => ts >= a && ts < b)) {
        inS += v;
        inN++;
      } else {
        outS += v;
        outN++;
      }
    }
  }
  return { inside: inS / inN, outside: outS / outN };
}
