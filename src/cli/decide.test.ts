import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type SimDayResult, simulateDay } from '../sim/index.js';
import { runDecide } from './decide.js';

describe('scalper decide', () => {
  const dir = mkdtempSync(join(tmpdir(), 'decide-cli-'));
  let day: SimDayResult;
  before(async () => {
    const start = Date.parse('2026-11-24T14:00:00Z');
    day = await simulateDay({
      date: '2026-11-24',
      seed: 9,
      out: dir,
      spot: false,
      window: { startMs: start, endMs: start + 20 * 60_000 },
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes one JSON audit record per decision, with signals, verdicts and timings', async () => {
    const out = join(dir, 'd.jsonl');
    const { summary, cache } = await runDecide([day.files.mbp10, day.files.trades], { out, workers: 1 });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines.length, summary.decisions);
    assert.ok(summary.decisions >= 19, `${summary.decisions} decisions in 20 minutes`);
    assert.deepEqual(cache, [], 'no model configured');
    for (const line of lines) {
      const d = JSON.parse(line);
      assert.equal(
        d.signals.length + d.outcomes.filter((o: { status: string }) => o.status !== 'ok').length,
        7,
      );
      assert.equal(d.verdicts.length, 6);
      assert.ok(['fast', 'standard', 'full'].includes(d.route));
      assert.ok(d.timings.total >= 0);
    }
  });

  test('a missing input file is a clear error', async () => {
    await assert.rejects(runDecide([join(dir, 'nope.dbn')], {}), /nope\.dbn: file not found/);
  });
});
