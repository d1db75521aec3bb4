/**
 * `scalper backtest` on 40 simulated minutes of 6E: the files agree with each other and with the
 * market data they came from, worked out again here: the round trips add up to the realized P&L,
 * the equity curve ends at the total, every market order filled at prices the book showed when it
 * arrived, and a second run writes the same bytes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { writeReport } from '../backtest/index.js';
import { L2Book } from '../book/index.js';
import { DbnDecoder, RType } from '../data/index.js';
import { BACKTEST_FILES, runBacktestCommand } from './backtest.js';
import { loadConfig } from './config.js';

const near = (a: number, b: number, what: string, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);

/** A CSV file as objects by header (no quoted commas in these files). */
function csv(path: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  const keys = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [keys[i], v])));
}

describe('scalper backtest', () => {
  const span = simulatedSpan({
    seed: 21,
    spot: false,
    from: '2026-11-24T13:30:00Z',
    minutes: 40,
    prefix: 'bt-cli-',
  });
  let files: string[];
  let first: string;
  before(async () => {
    files = [span.day.files.mbp10, span.day.files.trades];
    first = join(span.dir, 'run1');
    await runBacktestCommand(files, { out: first, config: loadConfig({ env: {} }), quiet: true });
  });

  test('writes every file; the same inputs write the same bytes again', async () => {
    const second = join(span.dir, 'run2');
    await runBacktestCommand(files, { out: second, config: loadConfig({ env: {} }), quiet: true });
    for (const f of BACKTEST_FILES) {
      // Measured on the wall clock, and the report that shows those times.
      if (f === 'timings.jsonl' || f === 'report.html') continue;
      assert.ok(readFileSync(join(first, f)).equals(readFileSync(join(second, f))), `${f} is the same`);
    }
    // The report is a function of the folder: rendered again from the same files, the same bytes.
    const before = readFileSync(join(first, 'report.html'));
    writeReport(first);
    assert.ok(readFileSync(join(first, 'report.html')).equals(before), 'report.html rendered again');
  });

  test('the round trips add up to the realized P&L; the equity curve ends at the total', () => {
    const result = JSON.parse(readFileSync(join(first, 'result.json'), 'utf8'));
    const m = result.metrics;
    const trades = csv(join(first, 'trades.csv'));
    const fills = csv(join(first, 'fills.csv'));
    assert.ok(trades.length >= 2, `${trades.length} round trips`);
    assert.equal(m.trades, trades.length);
    // Flat at the end (or not): the open position's fees are in the realized P&L but in no trip.
    const open = Object.values(result.execution.positions as Record<string, number>).some((p) => p !== 0);
    const tripPnl = trades.reduce((s, t) => s + Number(t.pnl), 0);
    if (!open) near(m.realized, tripPnl, 'realized = Σ trips');
    // Fees: 2.47 USD a contract a side (the CME defaults), over every fill.
    const contracts = fills.reduce((s, f) => s + Number(f.qty), 0);
    near(m.fees, contracts * 2.47, 'fees');
    near(Number(csv(join(first, 'equity.csv')).at(-1)?.equity), m.pnl, 'equity ends at the total');
    near(m.pnl, m.realized + m.unrealized, 'total = realized + open');
    assert.equal(
      Object.values(m.exits as Record<string, number>).reduce((s, v) => s + v, 0),
      trades.length,
    );
  });

  test('with a decision latency of 20 s, each entry is sent 20 s (to the next second) after its trigger', async () => {
    const slow = join(span.dir, 'slow');
    const config = loadConfig({ env: {} });
    await runBacktestCommand(files, {
      out: slow,
      config: { ...config, backtest: { decisionLatencyMs: 20_000 } },
      quiet: true,
    });
    const triggers = new Map<string, number>();
    for (const line of readFileSync(join(slow, 'decisions.jsonl'), 'utf8').trim().split('\n')) {
      const d = JSON.parse(line);
      triggers.set(d.id, d.trigger.tMs);
    }
    const entries = csv(join(slow, 'orders.csv')).filter((o) => o.role === 'entry');
    assert.ok(entries.length > 0);
    for (const o of entries) {
      const lagMs = Number(BigInt(o.sent_ns) / 1_000_000n) - (triggers.get(o.decision_id) as number);
      assert.ok(
        lagMs >= 20_000 && lagMs < 21_000,
        `${o.client_order_id}: sent ${lagMs} ms after its trigger`,
      );
    }
    // Without it, within the second after the trigger.
    for (const o of csv(join(first, 'orders.csv')).filter((x) => x.role === 'entry')) {
      const d = readFileSync(join(first, 'decisions.jsonl'), 'utf8');
      const tMs = JSON.parse(d.split('\n').find((l) => l.includes(`"id":"${o.decision_id}"`)) as string)
        .trigger.tMs;
      const lagMs = Number(BigInt(o.sent_ns) / 1_000_000n) - tMs;
      assert.ok(lagMs >= 0 && lagMs < 1_000, `${o.client_order_id}: sent ${lagMs} ms after its trigger`);
    }
  });

  test('ablations: every variant reads the same records; differences are to the old system', async () => {
    const out = join(span.dir, 'ab');
    const result = await runBacktestCommand(files, {
      out,
      config: loadConfig({ env: {} }),
      quiet: true,
      ablations: true,
    });
    const rows = result.ablations ?? [];
    assert.deepEqual(
      rows.map((r) => r.name),
      [
        'old',
        '+microstructure',
        '+toxicity',
        'full',
        'full, no regime',
        ...[0, 1, 3, 7, 10, 20].map((s) => `latency ${s} s`),
      ],
    );
    assert.equal(new Set(rows.map((r) => r.records)).size, 1, 'one input for all');
    const old = rows[0];
    const full = rows.find((r) => r.name === 'full');
    // One day: the difference by day is the difference of the totals, and a single day is noise.
    near(full?.vsOldDays.estimate as number, (full?.metrics.pnl as number) - old.metrics.pnl, 'full − old');
    assert.equal(full?.vsOldDays.noise, true);
    // The full pipeline without latency is the main run's configuration: the same P&L.
    near(
      rows.find((r) => r.name === 'latency 0 s')?.metrics.pnl as number,
      result.metrics.pnl,
      'latency 0 = main run',
    );
  });

  test('every market order filled at prices the book showed when it arrived', async () => {
    const orders = new Map(csv(join(first, 'orders.csv')).map((o) => [o.client_order_id, o]));
    const fills = csv(join(first, 'fills.csv'))
      .filter((f) => orders.get(f.client_order_id)?.type === 'market')
      .map((f) => ({ side: f.side, price: f.price, id: f.client_order_id, at: BigInt(f.arrived_ns) }))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    assert.ok(fills.length > 0);
    const book = new L2Book();
    let k = 0;
    const check = () => {
      const f = fills[k];
      const n = f.side === 'buy' ? book.askLevels : book.bidLevels;
      const shown = [];
      for (let i = 0; i < n; i++) shown.push((f.side === 'buy' ? book.askPx(i) : book.bidPx(i)) / 1e9);
      assert.ok(
        shown.some((p) => Math.abs(p - Number(f.price)) < 1e-12),
        `${f.id} ${f.side} at ${f.price}: not among ${shown.join(' ')}`,
      );
    };
    for await (const batch of DbnDecoder.fromFile(span.day.files.mbp10)) {
      for (let i = 0; i < batch.count && k < fills.length; i++) {
        const c = batch.at(i);
        // An order arriving at t meets the book after every record with ts_event <= t.
        while (k < fills.length && c.tsEvent > fills[k].at) {
          check();
          k++;
        }
        if (c.rtype === RType.MBP_10) book.applyMbp(c);
      }
    }
    assert.equal(k, fills.length, 'every fill was checked');
  });
});
