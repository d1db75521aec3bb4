/**
 * `scalper basis` run as a user runs it (a child process on its `bin`, dist/cli/scalper.js) on 40
 * simulated minutes of 6E and 6J with their spot pairs, across the London open of New York
 * (12:40–13:20 UTC on 4 March 2026, the UK on GMT): the JSON's shape, its values against what the
 * simulator builds into the spot (sim/spot.ts: a lag of 100 + exponential(200) ms, a receive latency
 * of 5 + exponential(15) ms, the carry of covered interest parity), the table, and clean failures.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { runScalper } from '../../test/fixtures.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { CCY_RATES, DEFAULT_SPOT_PARAMS, frontContract, SPOT_SPECS } from '../sim/index.js';
import type { BasisReport } from './basis.js';

const DATE = '2026-03-04';

const scalper = (...args: string[]) => runScalper(args, { timeoutMs: 60_000 });

const span = simulatedSpan({
  date: DATE,
  instruments: ['6E', '6J'],
  seed: 7,
  from: `${DATE}T12:40:00Z`,
  minutes: 40,
  prefix: 'cli-basis-',
});

describe('scalper basis', () => {
  let report: BasisReport;
  let out: string;
  let printed: string;
  before(async () => {
    out = join(span.dir, 'basis.json');
    const r = await scalper('basis', span.dir, '--json', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    printed = r.stdout;
    report = JSON.parse(r.stdout) as BasisReport;
  });

  test('prints JSON with the documented keys, a pair per future, every lag and a row per session', () => {
    assert.deepEqual(Object.keys(report), [
      'version',
      'files',
      'sample_ms',
      'max_lag_ms',
      'max_gap_ms',
      'pairs',
      'unpaired',
    ]);
    assert.equal(report.version, 1);
    assert.deepEqual([report.sample_ms, report.max_lag_ms, report.max_gap_ms], [100, 5000, 60_000]);
    // The folder's market data: definitions, MBP-10, trades and the spot's MBP-1 (not the bars).
    assert.deepEqual(
      report.files.map((f) => f.slice(span.dir.length + 1)),
      [
        'glbx-mdp3-20260304.definition.dbn.zst',
        'glbx-mdp3-20260304.mbp-10.dbn.zst',
        'glbx-mdp3-20260304.trades.dbn.zst',
        'ig-fx-20260304.mbp-1.dbn.zst',
      ],
    );
    assert.deepEqual(report.unpaired, []);
    assert.deepEqual(
      report.pairs.map((p) => [p.future, p.spot, p.inverted, p.basis_definition, p.tick]),
      [
        ['6EH6', 'EUR/USD', false, 'F - S', 0.00005],
        ['6JH6', 'USD/JPY', true, 'F - 1/S', 0.0000005],
      ],
    );
    for (const p of report.pairs) {
      assert.deepEqual(Object.keys(p), [
        'future',
        'spot',
        'inverted',
        'basis_definition',
        'tick',
        'from',
        'to',
        'samples',
        'breaks',
        'correlation',
        'lead_lag',
        'basis',
      ]);
      assert.match(p.from ?? '', /^2026-03-04T12:40:00\.\d{9}Z$/);
      assert.equal(p.breaks, 0);
      // Returns between consecutive boundaries inside 12:40–13:20, the first boundary after the
      // first mids and the last before 13:20: 2399 − 1, 239 − 1, 39 − 1, 7 − 1.
      assert.deepEqual(
        p.correlation.map((h) => [h.horizon_ms, h.returns]),
        [
          [1000, 2398],
          [10_000, 238],
          [60_000, 38],
          [300_000, 6],
        ],
      );
      assert.deepEqual(
        p.lead_lag.lags.map((l) => l.lag_ms),
        Array.from({ length: 101 }, (_, i) => (i - 50) * 100),
      );
      assert.deepEqual(Object.keys(p.lead_lag), [
        'best_lag_ms',
        'correlation',
        'pairs',
        'correlation_at_0',
        'lags',
      ]);
      // Sessions: London alone until 13:00 UTC (08:00 in New York), then the overlap.
      assert.deepEqual(
        p.basis.map((b) => [b.date, b.session]),
        [
          ['2026-03-04', 'london'],
          ['2026-03-04', 'overlap'],
        ],
      );
      assert.equal(p.basis[0].samples + p.basis[1].samples, p.samples);
      for (const b of p.basis)
        assert.ok(b.samples > 11_900 && b.samples <= 12_000, `${b.session} ${b.samples}`);
    }
  });

  test('measures what the simulator builds in: the future leads, 1-minute returns above 0.9, the carry basis', () => {
    const sp = DEFAULT_SPOT_PARAMS;
    // See src/features/basis-studies.test.ts: between the least delay (105 ms) and the mean delay
    // plus the mean wait for a candidate quote (320 + 400 ms).
    const most = sp.lagMinMs + sp.lagMeanMs + sp.recvLatencyMinMs + sp.recvLatencyMeanMs + 1000 / sp.tickRate;
    for (const p of report.pairs) {
      const product = p.future.slice(0, 2);
      const best = p.lead_lag.best_lag_ms ?? Number.NaN;
      assert.ok(best >= 100 && best <= Math.floor(most / 100) * 100, `${p.future} best lag ${best}`);
      assert.equal(p.lead_lag.correlation, p.lead_lag.lags.find((l) => l.lag_ms === best)?.correlation);
      assert.ok(
        (p.correlation[2].correlation ?? 0) > 0.9,
        `${p.future} 1 min ${p.correlation[2].correlation}`,
      );
      // Covered interest parity: F − S = F·(1 − exp(−c·τ)), F − 1/S = F·(1 − exp(c·τ)) for 6J,
      // c = r_quote − r_base of the pair; τ to the contract's last trade from 13:00.
      const spec = SPOT_SPECS[product];
      const F = span.day.closePrices[product] * 1e-9;
      const tau =
        (Number(frontContract(product, DATE).expirationNs / 1_000_000n) - Date.parse(`${DATE}T13:00:00Z`)) /
        (365.25 * 86_400_000);
      const c = CCY_RATES[spec.quote] - CCY_RATES[spec.base];
      const carry = F * (1 - Math.exp((spec.invert ? 1 : -1) * c * tau));
      const pip = spec.invert ? spec.pip * F * F : spec.pip;
      const tick = p.tick ?? Number.NaN;
      for (const b of p.basis) {
        assert.ok(
          Math.abs(b.mean - carry) < 0.6 * pip,
          `${p.future} ${b.session} basis ${b.mean} vs ${carry}`,
        );
        assert.ok(Math.abs((b.mean_ticks ?? 0) - b.mean / tick) < 1e-3);
        assert.ok(Math.abs((b.std_ticks ?? 0) - (b.std ?? 0) / tick) < 1e-3);
        assert.ok(b.min <= b.mean && b.mean <= b.max);
      }
    }
  });

  test('--out writes the same JSON as --json prints', () => {
    assert.equal(readFileSync(out, 'utf8'), printed);
  });

  test('prints a table by default, with the JSON numbers', async () => {
    const r = await scalper(
      'basis',
      span.day.files.mbp10,
      span.day.files.spotMbp1 as string,
      span.day.files.definition,
      '--symbol',
      '6J',
    );
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], '6JH6 vs USD/JPY  (basis F - 1/S, tick 0.0000005)');
    assert.ok(!r.stdout.includes('6EH6'), '--symbol 6J leaves 6E out');
    const p = report.pairs[1];
    for (const [label, h] of [
      ['1 s', p.correlation[0]],
      ['10 s', p.correlation[1]],
      ['1 min', p.correlation[2]],
      ['5 min', p.correlation[3]],
    ] as const) {
      const row = lines.find((l) => l.trim().startsWith(`${label} `));
      assert.ok(row, label);
      assert.deepEqual(row.trim().split(/\s{2,}/), [
        label,
        h.returns.toLocaleString('en-US'),
        (h.correlation ?? 0).toFixed(3),
      ]);
    }
    assert.ok(
      lines.some((l) =>
        l.includes(`best +${p.lead_lag.best_lag_ms} ms, ρ ${(p.lead_lag.correlation ?? 0).toFixed(3)}`),
      ),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => /^ {2}2026-03-04 london +[\d,]+ +0\.0000\d{5} /.test(l)),
      r.stdout,
    );
  });

  test('fails naming the file that is missing, the IG JSON it cannot use, or the input without a pair', async () => {
    const missing = join(span.dir, 'nope.mbp-10.dbn.zst');
    let r = await scalper('basis', missing, span.day.files.spotMbp1 as string);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `error [IO]: ${missing}: file not found\n`);
    r = await scalper('basis', span.day.files.mbp10, span.day.files.igPrices as string);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /ig-fx-20260304\.prices\.json: an IG price-history JSON holds 1-minute bars/);
    r = await scalper('basis', span.day.files.mbp10);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^error \[CONFIG\]: no future–spot pair in .*glbx-mdp3-20260304\.mbp-10\.dbn\.zst: futures 6EH6, 6JH6, spot pairs none/,
    );
    r = await scalper('basis', span.dir, '--symbol', '6B');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no future–spot pair for --symbol 6B/);
    r = await scalper('basis', span.dir, '--max-lag', '150ms');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--max-lag must be a multiple of 100/);
  });
});
