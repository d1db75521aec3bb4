import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidOptionError } from '../../core/index.js';
import {
  type DayPnl,
  orderFlowRoi,
  pairByDay,
  type RoiInputError,
  type RoiInputs,
  roiInputs,
  roiTable,
} from './roi.js';

const close = (a: number, b: number, what: string, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);

const DATES = ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'];
const days = (pnls: readonly number[], dates = DATES): DayPnl[] =>
  pnls.map((pnl, i) => ({ date: dates[i], pnl }));
const inputs = (variants: Record<string, readonly number[]>): RoiInputs => ({
  variants: new Map(Object.entries(variants).map(([k, v]) => [k, days(v)])),
  baseSize: 4,
  maxPosition: 10,
});
const COSTS = { dataCost: 1_000, infraCost: 200 };

describe('order-flow cost–benefit', () => {
  test('four days of known P&L: monthly figures, net, break-even size and payback worked by hand', () => {
    // old  100, −50, 20, 30: mean 25 a day; full 160, −30, 60, 110: mean 75 a day.
    // Differences by day 60, 20, 40, 80: mean 50 a day, 50 × 21 = 1,050 USD a month at size 1.
    // At size 2: without 25 × 21 × 2 = 1,050; with 75 × 21 × 2 = 3,150; gain 2,100;
    // net 2,100 − (1,000 + 200) = 900; break-even size 1,200 / 1,050 = 8/7 ≈ 1.14;
    // payback of 3,600 USD: 3,600 / 900 = 4 months.
    const r = orderFlowRoi(inputs({ old: [100, -50, 20, 30], full: [160, -30, 60, 110] }), {
      ...COSTS,
      setupCost: 3_600,
      size: 2,
    });
    assert.deepEqual(r.dates, DATES);
    close(r.without.estimate, 1_050, 'without');
    close(r.with.estimate, 3_150, 'with');
    close(r.gain.estimate, 2_100, 'gain');
    assert.deepEqual(r.costs, { data: 1_000, infrastructure: 200, monthly: 1_200, setup: 3_600 });
    close(r.net.estimate, 900, 'net');
    close(r.breakEvenSize.estimate, 8 / 7, 'break-even');
    close(r.paybackMonths.estimate, 4, 'payback');
    // Every resample's mean difference lies between the smallest and largest day (20 and 80):
    // the gain's interval within [20, 80] × 21 × 2 = [840, 3,360], holding the estimate, never zero.
    const g = r.gain;
    assert.ok(g.low >= 840 && g.low <= 2_100 && g.high >= 2_100 && g.high <= 3_360, `${g.low}, ${g.high}`);
    assert.equal(g.noise, false);
    // Net is the gain less the costs; break-even the costs over the gain per unit of size, bounds swapped.
    close(r.net.low, g.low - 1_200, 'net low');
    close(r.net.high, g.high - 1_200, 'net high');
    close(r.breakEvenSize.low, 1_200 / (g.high / 2), 'break-even low');
    close(r.breakEvenSize.high, 1_200 / (g.low / 2), 'break-even high');
  });

  test('a constant difference has a point interval, and the verdict says it pays', () => {
    // Differences 50 every day: 50 × 21 × 2 = 2,100 a month, every resample the same.
    const r = orderFlowRoi(inputs({ old: [0, 10, -20, 30], full: [50, 60, 30, 80] }), {
      ...COSTS,
      setupCost: 3_600,
      size: 2,
    });
    assert.deepEqual([r.gain.low, r.gain.estimate, r.gain.high], [2_100, 2_100, 2_100]);
    assert.deepEqual([r.net.low, r.net.high], [900, 900]);
    close(r.breakEvenSize.low, 8 / 7, 'break-even low');
    close(r.breakEvenSize.high, 8 / 7, 'break-even high');
    assert.deepEqual([r.paybackMonths.low, r.paybackMonths.high], [4, 4]);
    assert.equal(r.net.noise, false);
    assert.match(r.verdict, /^Pays: the order-flow parts \(full against old\) add \+2,100\.00 USD a month/);
    assert.match(r.verdict, /break-even at size 1\.14 \[1\.14, 1\.14\]/);
    assert.match(r.verdict, /paid back in 4\.0 months/);
    assert.match(r.verdict, /Only 4 trading days/);
  });

  test('a difference that averages zero is noise: its interval holds zero and no size breaks even', () => {
    // Differences +10, −10, +10, −10: mean 0. A resample of four is all −10 (or all +10) with
    // probability 1/16 = 6.25 % each, more than the 2.5 % in each tail, so the 95 % bounds are
    // −10 and +10 a day: ±10 × 21 × 0.5 = ±105 USD a month at size 0.5.
    const r = orderFlowRoi(inputs({ old: [0, 0, 0, 0], full: [10, -10, 10, -10] }), { ...COSTS, size: 0.5 });
    assert.deepEqual([r.gain.low, r.gain.estimate, r.gain.high], [-105, 0, 105]);
    assert.equal(r.gain.noise, true);
    assert.equal(r.breakEvenSize.estimate, Number.POSITIVE_INFINITY, 'no gain: no break-even');
    // The best bound: 1,200 / (10 × 21) = 5.71…; the worst: none.
    close(r.breakEvenSize.low, 1_200 / 210, 'break-even low');
    assert.equal(r.breakEvenSize.high, Number.POSITIVE_INFINITY);
    assert.equal(r.paybackMonths.estimate, Number.POSITIVE_INFINITY, 'net −1,200: never');
    assert.match(r.verdict, /^Noise: .* holds zero/);
    // The gain's sign is noise, but not the net's: −105 − 1,200 to 105 − 1,200 is a loss throughout.
    assert.deepEqual([r.net.low, r.net.high, r.net.noise], [-1_305, -1_095, false]);
  });

  test('a gain too small for the costs: does not pay at the size, and says from which size it would', () => {
    // Differences 10 every day: 10 × 21 = 210 a month at size 1, net 210 − 1,200 = −990;
    // break-even 1,200 / 210 = 5.71.
    const r = orderFlowRoi(inputs({ old: [0, 0, 0, 0], full: [10, 10, 10, 10] }), COSTS);
    close(r.net.estimate, -990, 'net');
    assert.match(r.verdict, /^Does not pay at size 1: .* \(net -990\.00 USD .*break-even at size 5\.71/);
    assert.doesNotMatch(r.verdict, /loses money/, 'with order flow it makes 210 a month');
    // Both lose: old −100 a day, full −90: the gain of 210 a month only narrows a loss of
    // −90 × 21 = −1,890 a month.
    const both = orderFlowRoi(inputs({ old: [-100, -100, -100, -100], full: [-90, -90, -90, -90] }), COSTS);
    close(both.gain.estimate, 210, 'gain');
    assert.match(
      both.verdict,
      /loses money with the order flow too \(-1,890\.00 USD a month .*narrows a loss/,
    );
    // A loss every day: no size breaks even.
    const loss = orderFlowRoi(inputs({ old: [0, 0, 0, 0], full: [-10, -10, -10, -10] }), COSTS);
    assert.deepEqual([loss.breakEvenSize.low, loss.breakEvenSize.high], [Infinity, Infinity]);
    assert.match(loss.verdict, /^Does not pay: .* -210\.00 USD a month.*no size breaks even/);
  });

  test('one day says nothing of its spread', () => {
    const r = orderFlowRoi(inputs({ old: [0], full: [100] }), COSTS);
    assert.equal(r.gain.noise, true);
    assert.equal(r.net.noise, true, '100 × 21 − 1,200 = 900 from one day is no evidence either');
    assert.match(r.verdict, /^Noise: 1 day of P&L/);
  });

  test('each order-flow part against old; the parts themselves can be chosen', () => {
    // Differences per day: +microstructure 5, +toxicity 20, full 50 → ×21 at size 1.
    const i = inputs({
      old: [0, 0, 0, 0],
      '+microstructure': [5, 5, 5, 5],
      '+toxicity': [20, 20, 20, 20],
      full: [50, 50, 50, 50],
      'latency 20 s': [1, 1, 1, 1],
    });
    const r = orderFlowRoi(i, COSTS);
    assert.deepEqual(
      r.parts.map((p) => [p.variant, p.gain.estimate, p.breakEvenSize.estimate]),
      [
        ['+microstructure', 105, 1_200 / 105],
        ['+toxicity', 420, 1_200 / 420],
        ['full', 1_050, 1_200 / 1_050],
      ],
    );
    assert.equal(orderFlowRoi(i, { ...COSTS, variant: '+toxicity' }).gain.estimate, 420);
    assert.throws(() => orderFlowRoi(i, { ...COSTS, variant: 'latency 20 s' }), InvalidOptionError);
  });

  test('days pair by date; a day one side lacks counts as 0 for it', () => {
    const p = pairByDay(
      days([1, 2], ['2026-11-25', '2026-11-24']),
      days([10, 30], ['2026-11-24', '2026-11-26']),
    );
    assert.deepEqual(p, { dates: ['2026-11-24', '2026-11-25', '2026-11-26'], a: [2, 1, 0], b: [10, 0, 30] });
  });

  test('negative costs, a size of 0 and a missing old variant are refused, naming the option', () => {
    const i = inputs({ old: [0], full: [1] });
    assert.throws(
      () => orderFlowRoi(i, { dataCost: -1, infraCost: 0 }),
      /dataCost must be a non-negative number, got -1/,
    );
    assert.throws(() => orderFlowRoi(i, { ...COSTS, setupCost: -5 }), /setupCost must be a non-negative/);
    assert.throws(() => orderFlowRoi(i, { ...COSTS, size: 0 }), /size must be a positive number, got 0/);
    assert.throws(() => orderFlowRoi(inputs({ full: [1] }), COSTS), /variants must be a list holding "old"/);
  });

  test('the table: the cost–benefit rows in order, costs negative, the part rows after', () => {
    const r = orderFlowRoi(inputs({ old: [0, 10, -20, 30], full: [50, 60, 30, 80] }), {
      ...COSTS,
      setupCost: 3_600,
      size: 2,
    });
    const lines = roiTable(r);
    const labels = lines.slice(1, 9).map((l) => l.split(/\s{2,}/)[0]);
    assert.deepEqual(labels, [
      'monthly P&L without order flow (old)',
      'monthly P&L with order flow (full)',
      'gain from order flow',
      'data cost',
      'infrastructure cost',
      'net',
      'break-even size',
      'payback of 3,600.00 USD setup',
    ]);
    const row = (label: string) => (lines.find((l) => l.startsWith(label)) ?? '').split(/\s{2,}/).slice(1);
    assert.deepEqual(row('data cost'), ['-1,000.00', 'USD/month']);
    assert.deepEqual(row('net'), ['+900.00', '[+900.00, +900.00]', 'USD/month']);
    assert.deepEqual(row('break-even size'), ['1.14', '[1.14, 1.14]', "× the backtest's orders"]);
    assert.deepEqual(row('payback'), ['4.0', '[4.0, 4.0]', 'months']);
    assert.match(lines.at(-1) ?? '', /^ {2}full\s+\+2,100\.00\s+\[\+2,100\.00, \+2,100\.00\]\s+1\.14/);
  });
});

describe('reading result.json for the table', () => {
  const ablation = (name: string, pnl: number | null) => ({
    name,
    metrics: { days: [{ date: '2026-11-24', pnl }] },
  });

  test('takes each variant’s daily P&L and the backtest’s order size from its configuration', () => {
    const i = roiInputs(
      {
        metrics: {},
        config: { pipeline: { sizing: { baseSize: 4 }, limits: { maxPosition: 10 } } },
        ablations: [ablation('old', -5), ablation('full', 7)],
      },
      'r.json',
    );
    assert.deepEqual([...i.variants.keys()], ['old', 'full']);
    assert.deepEqual(i.variants.get('full'), [{ date: '2026-11-24', pnl: 7 }]);
    assert.equal(i.baseSize, 4);
    assert.equal(i.maxPosition, 10);
    assert.equal(roiInputs({ metrics: {}, ablations: [ablation('old', 1)] }, 'r.json').baseSize, null);
  });

  test('says what is wrong and where', () => {
    const err = (json: unknown) => {
      try {
        roiInputs(json, 'bt/result.json');
      } catch (e) {
        assert.equal((e as RoiInputError).code, 'ROI_INPUT');
        return (e as Error).message;
      }
      assert.fail('no error');
    };
    assert.match(err([1, 2]), /^bt\/result\.json: not a backtest result \(no metrics\)/);
    assert.match(
      err({ metrics: {}, ablations: null }),
      /holds no ablations: run `scalper backtest --ablations`/,
    );
    assert.match(
      err({ metrics: {}, ablations: [ablation('full', 1)] }),
      /no "old" variant in its ablations \(it has "full"\)/,
    );
    assert.match(
      err({ metrics: {}, ablations: [{ name: 'old' }] }),
      /ablations\[0\] is not a variant with daily P&L/,
    );
    assert.match(
      err({ metrics: {}, ablations: [ablation('old', null)] }),
      /ablation "old": day 0 has no date or no finite P&L/,
    );
  });
});
