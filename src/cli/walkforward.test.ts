/**
 * Sweeps and walk-forward on four simulated trading days of 40 minutes each: the files fall on
 * their days, each fold fits and chooses on its training days only, the point it chooses is the
 * best of those days' backtests worked out again here one by one, its test is the plain backtest
 * of its test days with what it chose, and the out-of-sample total adds up the test days.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runScalper } from '../../test/fixtures.js';
import { tradingDayBoundsNs } from '../core/index.js';
import { simulateDay } from '../sim/index.js';
import { runBacktestCommand } from './backtest.js';
import runJob from './backtest-worker.js';
import { loadConfig, withValues } from './config.js';
import { backtestPool, runSweep } from './sweep.js';
import { filesByDay, runWalkForward } from './walkforward.js';

// Thursday 26 November 2026 is Thanksgiving, no CME trading date: the fourth day is Friday the 27th.
const DATES = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-27'];
const POINTS = [{ 'decide.vpinThreshold': 0.6 }, { 'decide.vpinThreshold': 0.95 }];

describe('sweep and walk-forward', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-cli-'));
  const files: string[] = [];
  before(async () => {
    for (const [i, date] of DATES.entries()) {
      // 40 minutes of the London/New York overlap of each day.
      const startMs = Date.parse(`${date}T13:30:00Z`);
      const day = await simulateDay({
        date,
        seed: 40 + i,
        spot: false,
        out: dir,
        window: { startMs, endMs: startMs + 40 * 60_000 },
      });
      files.push(day.files.mbp10, day.files.trades);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('each file falls on the trading day it was simulated for', async () => {
    const byDay = await filesByDay(files);
    assert.deepEqual([...byDay.keys()], DATES);
    for (const [date, list] of byDay) {
      assert.equal(list.length, 2);
      for (const f of list) assert.ok(basename(f).includes(date.replaceAll('-', '')), `${f} on ${date}`);
    }
  });

  test('a sweep on worker threads gives each point the backtest it gives alone', async () => {
    const config = loadConfig({ env: {} });
    const pool = await backtestPool(2);
    let done = 0;
    const sweep = await runSweep(files.slice(0, 2), {
      config,
      points: POINTS,
      objective: 'pnl',
      pool,
      onDone: () => done++,
    }).finally(() => pool.close());
    assert.equal(done, 2);
    for (const [i, p] of POINTS.entries()) {
      const alone = await runJob({ files: files.slice(0, 2), config: withValues(config, p, 'test') });
      assert.deepEqual(sweep.rows[i].metrics, alone.metrics, `point ${i}`);
      assert.equal(sweep.rows[i].score, alone.metrics.pnl);
    }
    const pnls = sweep.rows.map((r) => r.metrics.pnl);
    assert.equal(sweep.best, pnls[1] > pnls[0] ? 1 : 0);
  });

  test('walk-forward: chosen on the training days alone, tested on the next day, totals add up', async () => {
    const out = join(dir, 'wf');
    const config = loadConfig({ env: {} });
    const wf = await runWalkForward(files, {
      out,
      config,
      train: 2,
      test: 1,
      points: POINTS,
      objective: 'pnl',
      workers: 2,
    });
    assert.deepEqual(
      wf.folds.map((f) => [f.train, f.test]),
      [
        [DATES.slice(0, 2), [DATES[2]]],
        [DATES.slice(1, 3), [DATES[3]]],
      ],
    );
    for (const fold of wf.folds) {
      const model = join(fold.folder, 'regime-model.json');
      assert.deepEqual(
        fold.training.map((t) => [t.what, t.days]),
        [
          ['regime model', fold.train],
          ['parameters', fold.train],
        ],
      );
      // The choice, made again: each point backtested on the training days' files alone.
      const trainFiles = files.filter((f) =>
        fold.train.some((d) => basename(f).includes(d.replaceAll('-', ''))),
      );
      const fitted = withValues(config, { 'decide.regimeModel': model }, 'test');
      const pnls: number[] = [];
      for (const p of POINTS)
        pnls.push((await runJob({ files: trainFiles, config: withValues(fitted, p, 'test') })).metrics.pnl);
      const best = pnls[1] > pnls[0] ? 1 : 0;
      assert.deepEqual(fold.chosen, POINTS[best], `fold ${fold.index + 1}: P&L ${pnls.join(' vs ')}`);
      assert.equal(fold.inSample?.score, pnls[best]);
      // The test: a plain backtest of the test day with the fitted model and the chosen point.
      const testFiles = files.filter((f) => basename(f).includes(fold.test[0].replaceAll('-', '')));
      const plain = await runBacktestCommand(testFiles, {
        out: join(dir, `plain-${fold.index}`),
        config: withValues(fitted, POINTS[best], 'test'),
        quiet: true,
        fromNs: tradingDayBoundsNs(fold.test[0]).startNs,
        toNs: tradingDayBoundsNs(fold.test[0]).endNs,
      });
      assert.deepEqual(fold.metrics, plain.metrics, `fold ${fold.index + 1}'s test`);
      // Its result.json and report say what was trained on which days.
      const result = JSON.parse(readFileSync(join(fold.folder, 'result.json'), 'utf8'));
      assert.deepEqual(
        result.training.map((t: { days: string[] }) => t.days),
        [fold.train, fold.train],
      );
      const html = readFileSync(join(fold.folder, 'report.html'), 'utf8');
      assert.ok(
        html.includes('<h2>Training</h2>') && html.includes(fold.train[0]),
        'the report names the training days',
      );
    }
    const total = wf.folds.reduce((s, f) => s + f.metrics.pnl, 0);
    assert.ok(
      Math.abs(wf.outOfSample.total.estimate - total) < 1e-6,
      `${wf.outOfSample.total.estimate} vs ${total}`,
    );
    assert.deepEqual(
      wf.outOfSample.days.map((d) => d.date),
      DATES.slice(2),
    );
    const doc = JSON.parse(readFileSync(wf.path, 'utf8'));
    assert.equal(doc.folds.length, 2);
  });

  test('the commands: a ranked sweep; too few days and a bad path are clear errors', async () => {
    const sweepOut = join(dir, 'sweep');
    const s = await runScalper([
      'sweep',
      ...files.slice(0, 2),
      '-p',
      'decide.vpinThreshold=0.6,0.95',
      '--workers',
      '2',
      '--out',
      sweepOut,
    ]);
    assert.equal(s.status, 0, s.stderr);
    const doc = JSON.parse(readFileSync(join(sweepOut, 'sweep.json'), 'utf8'));
    assert.equal(doc.rows.length, 2);
    assert.match(s.stdout, /points ranked by pnl/);
    assert.match(
      s.stdout,
      new RegExp(`best: decide\\.vpinThreshold=${doc.rows[doc.best].point['decide.vpinThreshold']}`),
    );
    const bad = await runScalper([
      'sweep',
      ...files.slice(0, 2),
      '-p',
      'decide.noSuchThing=1,2',
      '--out',
      join(dir, 'bad'),
    ]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /decide.*noSuchThing/);
    const few = await runScalper([
      'walkforward',
      ...files.slice(0, 4),
      '--train',
      '2',
      '--test',
      '1',
      '--out',
      join(dir, 'few'),
    ]);
    assert.equal(few.status, 2);
    assert.match(
      few.stderr,
      /2 trading day\(s\) in the input \(2026-11-23, 2026-11-24\); --train 2 --test 1 needs at least 3/,
    );
    // A value out of its range fails before any fold is fitted: no fold folder is made.
    const range = await runScalper([
      'walkforward',
      ...files,
      '-p',
      'decide.vpinThreshold=0.5,1.5',
      '--out',
      join(dir, 'range'),
    ]);
    assert.equal(range.status, 2);
    assert.match(range.stderr, /decide\.vpinThreshold/);
    assert.ok(!existsSync(join(dir, 'range', 'fold-1')), 'nothing fitted');
  });
});
