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

test('features read on the minute are the same whether the clock moved every second or every minute, across a gap in the data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'replay-grid-'));
  try {
    const start = Date.parse('2026-11-24T14:00:00Z');
    const day = await simulateDay({
      date: '2026-11-24',
      seed: 12,
      out: dir,
      spot: false,
      window: { startMs: start, endMs: start + 16 * 60_000 },
    });
    // No records from 14:03 to 14:10: more than Kyle's lambda's gap (five 1-minute intervals) and
    // than the 300 s realized-variance window.
    const holeFrom = BigInt(start + 3 * 60_000) * 1_000_000n;
    const holeTo = BigInt(start + 10 * 60_000) * 1_000_000n;
    const minuteSnapshots = async (everyNs: bigint) => {
      const engine = new FeatureEngine();
      const sink = {
        setSymbol: (id: number, s: string) => engine.setSymbol(id, s),
        setTickSize: (id: number, t: number) => engine.setTickSize(id, t),
        applyDefinition: (r: Parameters<FeatureEngine['applyDefinition']>[0]) => engine.applyDefinition(r),
        apply: (c: Parameters<FeatureEngine['apply']>[0]) => {
          const t = c.tsRecv;
          return t >= holeFrom && t < holeTo ? false : engine.apply(c);
        },
        advance: (t: bigint, lo: number, hi: number) => engine.advance(t, lo, hi),
      };
      const snaps: FeatureSnapshot[] = [];
      await replay([day.files.mbp10, day.files.trades], sink, {
        everyNs,
        onGrid: (t) => {
          if (t % 60_000_000_000n !== 0n) return;
          for (const id of engine.instruments) snaps.push(engine.snapshot(id) as FeatureSnapshot);
        },
      });
      return snaps;
    };
    const bySecond = await minuteSnapshots(1_000_000_000n);
    const byMinute = await minuteSnapshots(60_000_000_000n);
    assert.ok(byMinute.length >= 15, `${byMinute.length} minutes`);
    assert.equal(bySecond.length, byMinute.length);
    for (let i = 0; i < byMinute.length; i++) assert.deepEqual(bySecond[i], byMinute[i], `minute ${i + 1}`);
    // Minutes inside the gap and after it are among those compared.
    assert.ok(byMinute.some((s) => s.ts_ns > holeFrom && s.ts_ns < holeTo));
    assert.ok(byMinute.some((s) => s.ts_ns > holeTo));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
