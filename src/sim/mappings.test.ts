import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DbnDecoder, SymbolMap } from '../data/dbn/index.js';
import { simulateDay } from './simulator.js';

test('symbol mappings cover the evening before the trading date (the day opens at 23:00 UTC)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-mappings-'));
  try {
    // Trading date 2026-11-24 opens 17:00 CT on the 23rd = 23:00 UTC on 2026-11-23.
    const start = Date.parse('2026-11-23T23:00:00Z');
    const day = await simulateDay({
      date: '2026-11-24',
      seed: 4,
      out: dir,
      window: { startMs: start, endMs: start + 10 * 60_000 },
    });
    for (const file of [day.files.mbp10, day.files.trades, day.files.spotMbp1 as string]) {
      const dec = DbnDecoder.fromFile(file);
      const symbols = SymbolMap.fromMetadata(await dec.readMetadata());
      let records = 0;
      for await (const rec of dec.records()) {
        records++;
        const sym = symbols.resolve(rec.hd.instrument_id, rec.ts_recv as bigint);
        assert.ok(sym !== undefined && sym !== null, `${file}: record ${records} at 23:0x UTC has a symbol`);
      }
      assert.ok(records > 0, file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
