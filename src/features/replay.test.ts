import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { replay } from '../data/index.js';
import { simulateDay } from '../sim/index.js';
import { FeatureEngine, type FeatureSnapshot } from './index.js';

test('replay takes a CME FX future’s tick from its symbol: 6J spreads count in 6J ticks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'replay-6j-'));
  try {
    const start = Date.parse('2026-11-24T14:00:00Z');
    const day = await simulateDay({
      date: '2026-11-24',
      seed: 8,
      out: dir,
      spot: false,
      instruments: ['6J'],
      window: { startMs: start, endMs: start + 5 * 60_000 },
    });
    const engine = new FeatureEngine();
    const snaps: FeatureSnapshot[] = [];
    const { symbols } = await replay([day.files.mbp10], engine, {
      everyNs: 60_000_000_000n,
      onGrid: () => {
        for (const id of engine.instruments) snaps.push(engine.snapshot(id) as FeatureSnapshot);
      },
    });
    const [id, symbol] = [...symbols][0];
    assert.match(symbol, /^6J[A-Z]\d$/);
    // 6J's tick is 0.0000005 (500 raw units), not 6E's 0.00005 (the engine's default).
    assert.equal(engine.tickSize(id), 500);
    assert.ok(snaps.length >= 4);
    for (const s of snaps) assert.ok(s.spread_ticks >= 1, `spread ${s.spread_ticks} ticks of 6J`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
