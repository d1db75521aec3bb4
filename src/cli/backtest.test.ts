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
import { assertMarketFillsInBook, assertTotals, csv, near } from '../../test/backtest-checks.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { writeReport } from '../backtest/index.js';
import { BACKTEST_FILES, runBacktestCommand } from './backtest.js';
import { loadConfig } from './config.js';

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
    assert.ok(assertTotals(first) >= 2, 'at least two round trips');
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
    assert.ok((await assertMarketFillsInBook(first, [span.day.files.mbp10])) > 0);
  });
});
