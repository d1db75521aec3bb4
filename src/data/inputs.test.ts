import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { sampleMetadata, writeSampleFiles } from '../../test/market-sample.js';
import { ConfigError } from '../core/index.js';
import { DbnEncoder, DbnError } from './dbn/index.js';
import { resolveInputs } from './inputs.js';
import { type ReplaySink, replay } from './replay.js';

const DAY_NS = 86_400_000_000_000n;
const START = 1_795_617_000_000_000_000n; // 2026-11-25T14:30:00Z, the sample's default start

/** Writes an empty DBN file of `schema` over [start, end) into `dir`. */
async function empty(dir: string, name: string, schema: string, start: bigint, end: bigint): Promise<string> {
  const path = join(dir, name);
  const md = { ...sampleMetadata('mbp-10', start, end), schema } as ReturnType<typeof sampleMetadata>;
  const enc = DbnEncoder.toFile(path, { metadata: md, zstd: true });
  await enc.end();
  return path;
}

describe('resolveInputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inputs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a folder gives its book, trade and definition files; bars, notes and MBO beside MBP-10 are left out, with reasons', async () => {
    const f = await writeSampleFiles(dir, { records: 10 });
    const bars = await empty(dir, 'glbx-mdp3-20261125.ohlcv-1m.dbn.zst', 'ohlcv-1m', START, START + DAY_NS);
    const mbo = await empty(dir, 'glbx-mdp3-20261125.mbo.dbn.zst', 'mbo', START, START + DAY_NS);
    writeFileSync(join(dir, 'notes.txt'), 'not market data');
    const r = await resolveInputs([dir]);
    // Sorted by name: definition, mbp-10, trades.
    assert.deepEqual(r.files, [f.definition, f.mbp10, f.trades]);
    assert.deepEqual(
      r.skipped.map((s) => [s.file, s.reason]),
      [
        [mbo, 'MBO beside MBP-10 (name it to read it)'],
        [bars, 'schema ohlcv-1m is not market data the engine replays'],
      ],
    );
    // Named explicitly, any file is read.
    assert.deepEqual((await resolveInputs([mbo, f.trades])).files, [mbo, f.trades]);
  });

  test('--from and --to leave out folder files outside the range', async () => {
    const d2 = mkdtempSync(join(tmpdir(), 'inputs-range-'));
    try {
      const a = await empty(d2, 'a.trades.dbn.zst', 'trades', START, START + DAY_NS);
      const b = await empty(d2, 'b.trades.dbn.zst', 'trades', START + DAY_NS, START + 2n * DAY_NS);
      // A range inside the second day: the first ends at its start (end is exclusive) and is left out.
      const r = await resolveInputs([d2], { fromNs: START + DAY_NS, toNs: START + DAY_NS + 1n });
      assert.deepEqual(r.files, [b]);
      assert.deepEqual(r.skipped, [{ file: a, reason: 'ends before --from' }]);
      const early = await resolveInputs([d2], { toNs: START + DAY_NS - 1n });
      assert.deepEqual(early.files, [a]);
      assert.deepEqual(early.skipped, [{ file: b, reason: 'starts after --to' }]);
      await assert.rejects(resolveInputs([d2], { fromNs: START + 3n * DAY_NS }), (e: unknown) => {
        return e instanceof ConfigError && e.message.startsWith(`${d2}: no DBN market data to read`);
      });
    } finally {
      rmSync(d2, { recursive: true, force: true });
    }
  });

  test('a missing path is an IO error naming it', async () => {
    const missing = join(dir, 'nope');
    await assert.rejects(resolveInputs([missing]), (e: unknown) => e instanceof DbnError && e.code === 'IO');
  });
});

/** A sink that records what it was given. */
class Recorder implements ReplaySink {
  applied: bigint[] = [];
  advanced: bigint[] = [];
  setSymbol(): void {}
  setTickSize(): void {}
  applyDefinition(): void {}
  apply(c: { tsRecv: bigint }): void {
    this.applied.push(c.tsRecv);
  }
  advance(t: bigint): void {
    this.advanced.push(t);
  }
}

describe('replay with a time range', () => {
  test('records before --from reach the sink but not the grid; nothing after --to is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-range-'));
    try {
      const f = await writeSampleFiles(dir, { records: 400, seed: 3 });
      const all = new Recorder();
      await replay([f.mbp10], all, {
        everyNs: 1_000_000_000n,
        onGrid: () => {},
      });
      const times = all.applied;
      assert.equal(times.length, 400);
      // A range cut between records 100 and 300 of the file.
      const from = times[100];
      const to = times[299];
      const cut = new Recorder();
      const seen: bigint[] = [];
      const grid: bigint[] = [];
      await replay([f.mbp10], cut, {
        everyNs: 1_000_000_000n,
        fromNs: from,
        toNs: to,
        onGrid: (t) => {
          grid.push(t);
        },
        onRecord: (c) => seen.push(c.tsRecv),
      });
      // The sink got every record up to --to (ts_recv may repeat: count by value, not index).
      const expectedApplied = times.filter((t) => t <= to);
      assert.deepEqual(cut.applied, expectedApplied);
      assert.deepEqual(
        seen,
        times.filter((t) => t >= from && t <= to),
      );
      // Grid times: whole seconds from the first at or after --from to the last record's.
      const first = ((from + 999_999_999n) / 1_000_000_000n) * 1_000_000_000n;
      assert.equal(grid[0], first);
      assert.ok(grid.every((t) => t >= from && t <= to));
      assert.equal(grid.at(-1), (to / 1_000_000_000n) * 1_000_000_000n);
      assert.deepEqual(cut.advanced, grid);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('replay grid', () => {
  test('steps exactly across the wraps of the low half, for steps that do not divide 2^32 and one longer than it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-grid-'));
    try {
      const f = await writeSampleFiles(dir, { records: 2000, seed: 4 });
      const all = new Recorder();
      await replay([f.mbp10], all, { everyNs: 1_000_000_000n, onGrid: () => {} });
      const times = all.applied;
      const first = times[0];
      const last = times[times.length - 1];
      // The low half wraps every 2^32 ns (4.29 s): the span holds several wraps.
      assert.ok(last - first > 3n * 2n ** 32n, `span ${last - first} ns`);
      for (const every of [1_000_000_000n, 737_000_000n, 2n ** 32n + 1_999_999_999n]) {
        const events: { grid: boolean; t: bigint }[] = [];
        const sink: ReplaySink = {
          setSymbol() {},
          setTickSize() {},
          applyDefinition() {},
          apply: (c: { tsRecv: bigint }) => events.push({ grid: false, t: c.tsRecv }),
          advance: (t, lo, hi) => {
            // The halves given are those of the time.
            assert.equal(lo, Number(t & 0xffffffffn), `low half at ${t}`);
            assert.equal(hi, Number(t >> 32n), `high half at ${t}`);
            events.push({ grid: true, t });
          },
        };
        const grid: bigint[] = [];
        await replay([f.mbp10], sink, { everyNs: every, onGrid: (t) => void grid.push(t) });
        // Every multiple of the step from the first record's time to the last one's, once each.
        const expected: bigint[] = [];
        for (let t = ((first + every - 1n) / every) * every; t <= last; t += every) expected.push(t);
        assert.ok(expected.length >= 6, `${expected.length} grid points of ${every} ns`);
        assert.deepEqual(grid, expected, `grid of ${every} ns`);
        // Each grid point comes after every record at or before it and before every later one.
        for (let i = 0; i < events.length; i++) {
          if (!events[i].grid) continue;
          const t = events[i].t;
          assert.ok(
            events.slice(0, i).every((e) => e.grid || e.t <= t),
            `records before ${t}`,
          );
          assert.ok(
            events.slice(i + 1).every((e) => e.grid || e.t > t),
            `records after ${t}`,
          );
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
