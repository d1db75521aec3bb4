import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DbnDecoder } from '../data/dbn/index.js';
import { FolderSink, MemorySink, simulate, simulateDay } from './index.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'sim-sink-'));
  dirs.push(d);
  return d;
}

// 13:00–13:03 UTC on Wednesday 4 March 2026 (the overlap).
const DATE = '2026-03-04';
const T13 = Date.parse('2026-03-04T13:00:00Z');
const window = { startMs: T13, endMs: T13 + 3 * 60_000 };

describe('record sinks', () => {
  it('keep in memory the same files, byte for byte, as written to a folder', async () => {
    const out = tmp();
    const sink = new MemorySink();
    const opts = { date: DATE, instruments: ['6E', '6B'], seed: 3, mbo: true, window };
    const onDisk = await simulateDay({ ...opts, out });
    const inMemory = await simulateDay({ ...opts, sink });
    const names = readdirSync(out).sort();
    assert.deepEqual(sink.names(), names);
    assert.equal(names.length, 9); // mbp-10, trades, definition, mbo, truth; mbp-1, ohlcv-1m, 2 × IG JSON
    for (const name of names)
      assert.deepEqual(Buffer.from(sink.bytes(name)!), readFileSync(join(out, name)), name);
    // Files are named by their paths on disk and by their names in memory.
    assert.equal(onDisk.files.mbp10, join(out, 'glbx-mdp3-20260304.mbp-10.dbn.zst'));
    assert.equal(inMemory.files.mbp10, 'glbx-mdp3-20260304.mbp-10.dbn.zst');
    assert.deepEqual(inMemory.files.igPricesByPair, {
      'EUR/USD': 'ig-fx-20260304.prices.json',
      'GBP/USD': 'ig-fx-20260304.GBPUSD.prices.json',
    });
    assert.equal(inMemory.files.igPrices, 'ig-fx-20260304.prices.json');
    assert.deepEqual(inMemory.counts, onDisk.counts);
  });

  it('hand the decoder a readable file from memory', async () => {
    const sink = new MemorySink();
    const r = await simulateDay({ date: DATE, seed: 3, sink, window, spot: false, zstd: false });
    const dec = DbnDecoder.fromBytes(sink.bytes(r.files.trades)!);
    let trades = 0;
    for await (const batch of dec) trades += batch.count;
    assert.equal(trades, r.counts.trades);
    assert.equal(dec.metadata?.dataset, 'GLBX.MDP3');
    assert.equal(sink.bytes('missing.dbn'), undefined);
  });

  it('collect several days in one sink', async () => {
    const sink = new MemorySink();
    const days = await simulate({
      start: '2026-03-05',
      days: 2,
      seed: 3,
      sink,
      spot: false,
      params: { baseEventRate: 1 },
    });
    assert.deepEqual(
      days.map((d) => d.date),
      ['2026-03-05', '2026-03-06'],
    );
    assert.ok(sink.names().includes('truth-20260305.json') && sink.names().includes('truth-20260306.json'));
  });

  it('create the folder and name files by their paths', () => {
    const dir = join(tmp(), 'a', 'b');
    const sink = new FolderSink(dir);
    sink.text('x.json', '{}\n');
    assert.equal(sink.locate('x.json'), join(dir, 'x.json'));
    assert.equal(readFileSync(join(dir, 'x.json'), 'utf8'), '{}\n');
  });

  it('needs an output folder or a sink', async () => {
    await assert.rejects(simulateDay({ date: DATE, seed: 1, window }), { code: 'SIM_CONFIG' });
  });
});
