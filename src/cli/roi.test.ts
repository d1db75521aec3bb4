/**
 * `scalper roi` end to end on a result.json built here by hand: four trading days of ablation
 * P&L, the figures worked out below, and the errors a user meets (no ablations, no file, not a
 * result, a negative cost, a variant that adds no order flow).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runScalper } from '../../test/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'scalper-roi-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const scalper = (...args: string[]) => runScalper(args);

const close = (a: number, b: number, what: string, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);

const DATES = ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'];
// old averages 0 a day; each variant is old plus a difference per day:
// +microstructure 5 every day, +toxicity 30, 10, 20, 20 (mean 20), full 60, 40, 40, 60 (mean 50).
const OLD = [-200, 100, -50, 150];
const plus = (d: readonly number[]) => OLD.map((v, i) => v + d[i]);
const row = (name: string, pnls: readonly number[]) => ({
  name,
  label: name,
  metrics: { pnl: pnls.reduce((s, v) => s + v, 0), days: pnls.map((pnl, i) => ({ date: DATES[i], pnl })) },
});
const RESULT = {
  version: 1,
  config: { pipeline: { sizing: { baseSize: 4, minConfidence: 0.2 }, limits: { maxPosition: 10 } } },
  metrics: { pnl: 0, days: [] },
  ablations: [
    row('old', OLD),
    row('+microstructure', plus([5, 5, 5, 5])),
    row('+toxicity', plus([30, 10, 20, 20])),
    row('full', plus([60, 40, 40, 60])),
    row('latency 20 s', plus([1, 1, 1, 1])),
  ],
};

function write(name: string, content: unknown): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'result.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const COSTS = ['--data-cost', '1000', '--infra-cost', '200'];

describe('scalper roi', () => {
  const result = write('bt', RESULT);

  test('--json: the monthly figures, net, break-even size and payback worked by hand', async () => {
    const r = await scalper(
      'roi',
      '--result',
      result,
      ...COSTS,
      '--size',
      '2',
      '--setup-cost',
      '1800',
      '--json',
    );
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.result, result);
    assert.deepEqual([j.variant, j.baseline, j.dates], ['full', 'old', DATES]);
    assert.deepEqual([j.size, j.tradingDaysPerMonth, j.baseSize, j.maxPosition], [2, 21, 4, 10]);
    assert.deepEqual(j.costs, { data: 1000, infrastructure: 200, monthly: 1200, setup: 1800 });
    // At size 2, a month of 21 days: old 0 × 42 = 0; full 50 × 42 = 2,100 = the gain;
    // net 2,100 − 1,200 = 900; break-even 1,200 / (50 × 21) = 8/7; payback 1,800 / 900 = 2 months.
    close(j.without.estimate, 0, 'without');
    close(j.with.estimate, 2_100, 'with');
    close(j.gain.estimate, 2_100, 'gain');
    close(j.net.estimate, 900, 'net');
    close(j.breakEvenSize.estimate, 8 / 7, 'break-even');
    close(j.paybackMonths.estimate, 2, 'payback');
    // Daily differences 40 to 60: the gain's interval within [40, 60] × 42, not noise.
    assert.ok(j.gain.low >= 1_680 && j.gain.high <= 2_520 && j.gain.low <= 2_100 && j.gain.high >= 2_100);
    assert.equal(j.gain.noise, false);
    // The parts: 5, 20 and 50 a day × 42; +microstructure's constant 5 a point interval.
    assert.deepEqual(
      j.parts.map((p: { variant: string; gain: { estimate: number } }) => [p.variant, p.gain.estimate]),
      [
        ['+microstructure', 210],
        ['+toxicity', 840],
        ['full', 2_100],
      ],
    );
    assert.deepEqual([j.parts[0].gain.low, j.parts[0].gain.high], [210, 210]);
    close(j.parts[0].breakEvenSize.estimate, 1_200 / 105, 'break-even of +microstructure');
    assert.match(j.verdict, /^Pays: /);
  });

  test('a net loss is never paid back: ∞ is null in JSON; the size does not move the break-even', async () => {
    // Size 0.1: gain 50 × 21 × 0.1 = 105, net 105 − 1,200 = −1,095.
    const r = await scalper('roi', '--result', join(dir, 'bt'), ...COSTS, '--size', '0.1', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    close(j.net.estimate, -1_095, 'net');
    assert.equal(j.paybackMonths.estimate, null);
    close(j.breakEvenSize.estimate, 8 / 7, 'break-even');
    assert.match(j.verdict, /^Does not pay at size 0\.1: /);
  });

  test('the table: what it compares, the backtested quantity, the rows and the verdict', async () => {
    const r = await scalper('roi', '--result', result, ...COSTS, '--size', '2', '--variant', '+toxicity');
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(
      lines[0],
      'order flow against its cost: +toxicity against old over 4 trading day(s), 2026-11-24 to 2026-11-27; 21 trading days a month',
    );
    assert.match(
      lines[1],
      /^size 2 × the backtest's orders of 4 contracts at full confidence .*8 contracts at this size/,
    );
    // +toxicity: 20 × 42 = 840 a month; net 840 − 1,200 = −360.
    const value = (label: string) => lines.find((l) => l.startsWith(label))?.split(/\s{2,}/)[1];
    assert.equal(value('gain from order flow'), '+840.00');
    assert.equal(value('infrastructure cost'), '-200.00');
    assert.equal(value('net'), '-360.00');
    assert.match(lines.at(-1) ?? '', /^verdict: /);
  });

  test('a result without ablations, no file, not JSON, not a result: exit 2 and what to do', async () => {
    const { ablations: _, ...plain } = RESULT;
    const none = write('plain', { ...plain, ablations: null });
    const r = await scalper('roi', '--result', none, ...COSTS);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^error \[ROI_INPUT\]: .*plain\/result\.json: holds no ablations: run `scalper backtest --ablations`/,
    );
    const missing = await scalper('roi', '--result', join(dir, 'nothing-here'), ...COSTS);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /error \[ROI_INPUT\]: .*nothing-here: no such file/);
    const text = await scalper('roi', '--result', write('text', 'hello'), ...COSTS);
    assert.equal(text.status, 2);
    assert.match(text.stderr, /text\/result\.json: not a backtest result: not JSON/);
    const other = await scalper('roi', '--result', write('other', { a: 1 }), ...COSTS);
    assert.match(other.stderr, /other\/result\.json: not a backtest result \(no metrics\)/);
  });

  test('a negative cost and a variant without order flow are refused', async () => {
    const r = await scalper('roi', '--result', result, '--data-cost', '-5', '--infra-cost', '200');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--data-cost <usd>.*"-5" is not a non-negative number/);
    const v = await scalper('roi', '--result', result, ...COSTS, '--variant', 'latency 20 s');
    assert.equal(v.status, 2);
    assert.match(
      v.stderr,
      /error \[INVALID_OPTION\]: variant must be one of "\+microstructure", "\+toxicity", "full", got "latency 20 s"/,
    );
  });
});
